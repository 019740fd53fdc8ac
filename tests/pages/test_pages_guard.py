"""What protects the pages: the per-client rate limit, form tokens that
expire, languages, the shop's colours, and access logs without tokens."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from page_helpers import ORIGIN, card_token, csrf_of, join, make_app, text_of

from helpers import EXAMPLE_PROGRAM, Clock, content, make_desk
from stampdesk.config import PagesSettings, load_settings
from stampdesk.desk import Desk
from stampdesk.domain.errors import InvalidInput
from stampdesk.web.logs import RedactAccessLog, redact
from stampdesk.web.page_guard import RateLimiter


def _shop(url: str, clock: Clock, **settings: object) -> Desk:
    desk = make_desk(url, clock, **settings)
    desk.load_program_file(EXAMPLE_PROGRAM)
    return desk


def test_too_many_pages_from_one_client_get_a_429_with_retry_after(sqlite_url: str, clock: Clock) -> None:
    shop = _shop(sqlite_url, clock, pages=PagesSettings(rate_limit=5))
    token = shop.checkout(amount="5.00").claim_token
    app = make_app(shop)
    try:
        with TestClient(app, client=("203.0.113.7", 4000)) as phone:
            answers = [phone.get(f"/join/{token}").status_code for _ in range(7)]
            assert answers == [200] * 5 + [429] * 2
            limited = phone.get(f"/join/{token}")
            assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 12
            assert "Trop de pages" in limited.text and "Café Bleu" in limited.text
            before = content(shop)
            assert phone.post(f"/join/{token}", data={"name": "Ana"}).status_code == 429
            assert content(shop) == before
            assert phone.get("/pages/style.css").status_code == 200  # assets are not counted
        with TestClient(app, client=("198.51.100.9", 4000)) as other:  # another client is served
            assert other.get(f"/join/{token}").status_code == 200
    finally:
        shop.close()


def test_the_bucket_refills_evenly() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.wait("a") == 0 for _ in range(60))
    assert limiter.wait("a") == pytest.approx(1.0)
    now[0] += 1.0
    assert limiter.wait("a") == 0 and limiter.wait("a") > 0
    assert RateLimiter(0).wait("a") == 0  # 0: no limit


def test_a_form_left_open_too_long_is_refused_and_the_page_gives_a_fresh_one(
    sqlite_desk: Desk, clock: Clock
) -> None:
    token = sqlite_desk.checkout(amount="5.00").claim_token
    assert token
    with TestClient(make_app(sqlite_desk), follow_redirects=False) as client:
        stale = csrf_of(client.get(f"/join/{token}").text)
        clock.advance(hours=3)
        before = content(sqlite_desk)
        form = {"csrf": stale, "name": "Ana", "email": "ana@example.org", "consent": "yes"}
        refused = client.post(f"/join/{token}", data=form)
        assert refused.status_code == 403 and "Rechargez la page" in refused.text
        assert content(sqlite_desk) == before
        assert card_token(sqlite_desk, join(client, token))


def test_a_form_posted_from_another_site_is_refused(sqlite_desk: Desk) -> None:
    token = sqlite_desk.checkout(amount="5.00").claim_token
    assert token
    with TestClient(make_app(sqlite_desk), base_url=ORIGIN, follow_redirects=False) as client:
        csrf = csrf_of(client.get(f"/join/{token}").text)
        form = {"csrf": csrf, "name": "Ana", "email": "ana@example.org", "consent": "yes"}
        before = content(sqlite_desk)
        assert (
            client.post(f"/join/{token}", data=form, headers={"Origin": "https://evil.example"}).status_code
            == 403
        )
        assert client.post(f"/join/{token}", data={**form, "csrf": ""}).status_code == 403
        assert content(sqlite_desk) == before
        assert client.post(f"/join/{token}", data=form, headers={"Origin": ORIGIN}).status_code == 200


def test_english_by_accept_language_and_a_switch_remembered(sqlite_desk: Desk) -> None:
    token = sqlite_desk.checkout(amount="12.50").claim_token
    with TestClient(make_app(sqlite_desk), follow_redirects=False) as client:
        english = client.get(f"/join/{token}", headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
        text = text_of(english.text)
        assert '<html lang="en">' in english.text
        assert "4 stamps are waiting for you" in text and "your purchase of €12.50" in text
        assert "This receipt can be used until 01/04/2026" in text
        french = client.get(f"/join/{token}", headers={"Accept-Language": "de-DE,fr;q=0.8,en;q=0.7"})
        assert "4 tampons vous attendent" in french.text
        # The switch wins over the browser's languages, and is remembered.
        switched = client.get(f"/join/{token}?lang=fr", headers={"Accept-Language": "en"})
        assert "4 tampons vous attendent" in switched.text
        assert "lang=fr" in switched.headers["set-cookie"]
        later = client.get(f"/join/{token}", headers={"Accept-Language": "en"})
        assert "4 tampons vous attendent" in later.text and 'href="?lang=en"' in later.text
        client.get(f"/join/{token}?lang=en")
        assert "4 stamps are waiting" in client.get(f"/join/{token}").text
        assert "not valid" in client.get("/join/nope").text  # problems too
        assert "1 more stamp" not in client.get(f"/join/{token}?lang=xx").text


def test_the_shops_locale_is_the_default_language(sqlite_url: str, clock: Clock) -> None:
    shop = _shop(sqlite_url, clock, locale="en_GB")
    try:
        token = shop.checkout(amount="5.00").claim_token
        with TestClient(make_app(shop)) as client:
            assert "2 stamps are waiting" not in client.get(f"/join/{token}").text
            assert "3 stamps are waiting for you" in client.get(f"/join/{token}").text
    finally:
        shop.close()


def test_the_shops_colours_come_from_the_config(sqlite_url: str, clock: Clock, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[pages]\ncolour = "#AA3300"\naccent = "#00aa55"\nrate_limit = 120\n', encoding="utf-8")
    settings = load_settings(db=sqlite_url, config=config, env={})
    assert (settings.pages.colour, settings.pages.accent, settings.pages.rate_limit) == (
        "#aa3300",
        "#00aa55",
        120,
    )
    shop = _shop(sqlite_url, clock, pages=settings.pages)
    try:
        with TestClient(make_app(shop)) as client:
            css = client.get("/pages/style.css").text
            assert css.startswith(":root{--brand:#aa3300;--accent:#00aa55}")
            token = shop.checkout(amount="5.00").claim_token
            assert '<meta name="theme-color" content="#aa3300">' in client.get(f"/join/{token}").text
            assert 'fill="#aa3300"' in client.get("/pages/icon.svg").text
    finally:
        shop.close()


@pytest.mark.parametrize(
    "table",
    [
        'colour = "blue"',
        'colour = "#12345"',
        "accent = 3",
        "rate_limit = -1",
        "rate_limit = 1.5",
        'rate_limit = "60"',
        "rate_limit = true",
        "size = 3",
    ],
)
def test_bad_pages_settings_are_refused_clearly(tmp_path: Path, table: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[pages]\n{table}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_settings(config=config, env={})
    assert caught.value.code == "invalid_config" and "pages." in caught.value.message


def test_the_example_config_sets_the_pages() -> None:
    from helpers import ROOT

    pages = load_settings(config=ROOT / "examples" / "config.toml", env={}).pages
    assert pages == PagesSettings(colour="#1f4e79", accent="#e0a526", rate_limit=60)


def test_access_logs_never_show_the_tokens() -> None:
    claim, card = "Q" * 32, "K" * 32
    assert redact(f"/join/{claim}") == "/join/<redacted>"
    assert redact(f"/card/{card}/data.json?lang=en") == "/card/<redacted>/data.json?lang=en"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/card/{card}/erase", "1.1", 200),
        None,
    )
    RedactAccessLog().filter(record)
    assert card not in record.getMessage() and "/card/<redacted>/erase" in record.getMessage()


def test_an_oversized_form_is_refused_unread(sqlite_desk: Desk) -> None:
    token = sqlite_desk.checkout(amount="5.00").claim_token
    with TestClient(make_app(sqlite_desk), follow_redirects=False) as client:
        csrf = csrf_of(client.get(f"/join/{token}").text)
        before = content(sqlite_desk)
        form = {"csrf": csrf, "name": "Ana", "email": "ana@example.org", "consent": "yes", "x": "y" * 20_000}
        answer = client.post(f"/join/{token}", data=form)
        assert answer.status_code == 413 and "trop long" in answer.text
        many = {f"f{i}": "1" for i in range(50)}
        assert client.post(f"/join/{token}", data={**many, "csrf": csrf}).status_code == 413
        assert content(sqlite_desk) == before


def test_the_enrolment_routes_are_in_the_openapi_schema_and_the_private_ones_are_not(
    sqlite_desk: Desk,
) -> None:
    with TestClient(make_app(sqlite_desk)) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/join/{token}"]) == {"get", "post"}
    assert not [p for p in paths if p.startswith(("/card", "/pages", "/manifest"))]
