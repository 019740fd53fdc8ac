"""Customer e-mails through a real SMTP server on 127.0.0.1: a month of
runs, consent, the weekly cap, held-out customers, headers and both parts
in French and English, one-click unsubscribe, a server down and an address
refused. On a SQLite file and on PostgreSQL where the database matters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from helpers import EXAMPLE_PROGRAM, Clock, make_desk
from mail_sink import MailSink
from stampdesk.config import DEFAULT_PUBLIC_URL, MailSettings, PagesSettings, ShopDetails
from stampdesk.desk import Desk
from stampdesk.domain.errors import Refused
from stampdesk.models import coupons, customers, mail_outbox
from stampdesk.tui.owner_text import OwnerText
from stampdesk.tui.screens.owner import overview_lines
from stampdesk.words import Book

MESSAGES = """
[program.expiry]
stamps_after_days = 25
warn_days = 7

[program.birthday]
reward = "Gâteau offert"
window_days = 7
cost = "1.50"

[program.messaging]
holdout = {holdout}
max_per_week = 1

[[program.messages]]
kind = "lapse_warning"
days = 7

[[program.messages]]
kind = "coupon_expiry"
days = 5

[[program.messages]]
kind = "near_reward"
stamps = 1
days = 5

[[program.messages]]
kind = "win_back"
days = 14
coupon = "Café offert"
coupon_days = 14
coupon_cost = "0.30"

[[program.messages]]
kind = "birthday"
days = 2
"""
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def programme(holdout: float = 0.4) -> str:
    text = EXAMPLE_PROGRAM.read_text(encoding="utf-8").replace("valid_days = 60", "valid_days = 20")
    return text + MESSAGES.format(holdout=holdout)


@pytest.fixture
def sink() -> Iterator[MailSink]:
    server = MailSink().start()
    yield server
    server.stop()


def open_shop(url: str, clock: Clock, sink: MailSink, holdout: float = 0.4) -> Desk:
    desk = make_desk(
        url,
        clock,
        mail=MailSettings(
            host="127.0.0.1", port=sink.port, security="none", sender="Café Bleu <cafe@example.org>"
        ),
        shop_details=ShopDetails(name="Café Bleu", address="12 rue des Lilas, Lyon"),
        pages=PagesSettings(rate_limit=0),
    )
    desk.load_program_text(programme(holdout))
    return desk


def consent(desk: Desk, number: str, *, on: bool = True, language: str | None = None) -> None:
    """What the card's consent (another part of the shop) records: given at the till."""
    with desk.store.engine.begin() as conn:
        conn.execute(
            update(customers)
            .where(customers.c.id == select_customer(number))
            .values(marketing=int(on), marketing_at=START, marketing_source="till", language=language)
        )


def select_customer(number: str) -> Any:
    from stampdesk.models import cards

    return select(cards.c.customer_id).where(cards.c.number == number).scalar_subquery()


def outbox(desk: Desk) -> list[Any]:
    with desk.store.engine.connect() as conn:
        return list(conn.execute(select(mail_outbox).order_by(mail_outbox.c.id)))


def enrol(desk: Desk, name: str, email: str, **more: Any) -> str:
    return desk.enrol(name=name, email=email, **more).card.number


# ----------------------------------------------------------------------
# A month of daily runs


def test_a_month_of_daily_runs_mails_only_consenting_customers_each_occasion_once_within_the_cap(
    db_url: str, sink: MailSink
) -> None:
    clock = Clock(START)
    desk = open_shop(db_url, clock, sink, holdout=0.4)
    consenting: dict[str, str] = {}  # address → card
    for i in range(24):
        birthday = date(1990, 3, 10 + i % 12) if i % 3 == 0 else None
        email = f"client{i}@example.org"
        number = enrol(desk, f"Client{i} Martin", email, birthday=birthday)
        consent(desk, number, language="en" if i % 4 == 0 else None)
        consenting[email] = number
    refusing = []
    for i in range(6):
        email = f"silent{i}@example.org"
        enrol(desk, f"Silent{i} Durand", email, birthday=date(1990, 3, 12))
        refusing.append(email)
    regulars = list(consenting.values())[:6]
    for day in range(31):
        clock.now = START + timedelta(days=day, hours=1)
        if day in (3, 10, 17):  # a few regulars come in: coupons, new occasions
            for number in regulars:
                desk.checkout(card=number, amount="12.00")
        desk.messages_run()
    rows = outbox(desk)
    sent = [r for r in rows if r.state == "sent"]
    held = [r for r in rows if r.state == "held_out"]
    received = sink.received
    recipients = {address for r in received for address in r.recipients}
    # Only consenting customers, never the others.
    assert recipients <= set(consenting) and not recipients & set(refusing)
    assert len(recipients) > 10
    # Each e-mail once: one message per sent row, by its Message-ID.
    ids = [r.message["Message-ID"] for r in received]
    assert len(ids) == len(set(ids)) == len(sent)
    assert set(ids) == {r.message_id for r in sent}
    assert {r.kind for r in sent} >= {"near_reward", "win_back", "lapse_warning"}
    # The weekly cap: at most one e-mail in any 7 days per customer.
    dates: dict[str, list[datetime]] = defaultdict(list)
    for r in received:
        dates[r.recipients[0]].append(r.message["Date"].datetime)
    for address, when in dates.items():
        when.sort()
        assert all(b - a >= timedelta(days=7) for a, b in zip(when, when[1:], strict=False)), address
    # Held out: a campaign's control group gets none of its e-mails, and is counted.
    assert held, "a share of 0.4 holds some customers out"
    held_groups = {(r.kind, r.customer_id) for r in held}
    assert not [r for r in sent if (r.kind, r.customer_id) in held_groups]
    report = desk.report("2026-03-01", "2026-04-02")
    assert sum(f.held_out for f in report.messages.values()) == len(held)
    assert sum(f.sent for f in report.messages.values()) == len(sent)
    data = report.to_dict()["messages"]
    assert {"sent", "held_out", "came_back_sent", "came_back_held_out", "uplift"} <= set(
        next(iter(data.values()))
    )
    desk.close()


# ----------------------------------------------------------------------
# One e-mail, read closely


def _parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def test_an_email_carries_its_headers_both_parts_and_the_customers_language(
    sqlite_url: str, sink: MailSink
) -> None:
    clock = Clock(START)
    desk = open_shop(sqlite_url, clock, sink, holdout=0.0)
    french = enrol(desk, "Élodie Marchand", "elodie@example.org")
    english = enrol(desk, "Ann Smith", "ann@example.org")
    consent(desk, french)
    consent(desk, english, language="en")
    clock.now = START + timedelta(days=5, hours=1)
    result = desk.messages_run()
    assert result.sent == 2
    (fr,) = sink.to("elodie@example.org")
    (en,) = sink.to("ann@example.org")
    raw = next(r.raw for r in sink.received if "elodie@example.org" in r.recipients)
    assert b"Subject: =?utf-8?" in raw  # the UTF-8 subject, as an encoded word
    assert fr["Subject"] == "Café Bleu : plus que 1 tampon pour « Croissant offert »"
    assert en["Subject"] == "Café Bleu: only 1 stamp to go for “Croissant offert”"
    for message in (fr, en):
        url = str(message["List-Unsubscribe"]).strip()
        assert url.startswith("<https://cafe.example/unsubscribe/") and url.endswith(">")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Message-ID"].endswith("@example.org>")
        assert message["Date"].datetime == clock.now.replace(microsecond=0)
        assert message["From"] == "Café Bleu <cafe@example.org>"
        plain, html = _parts(message)
        for part in (plain, html):
            assert "https://cafe.example/card/" in part
            assert url[1:-1] in part
            assert "12 rue des Lilas, Lyon" in part and "Café Bleu" in part
    plain, html = _parts(fr)
    assert plain.startswith("Bonjour Élodie,")
    assert "Votre carte : 2 tampons sur 10. Prochaine récompense : « Croissant offert » à 3." in plain
    assert "<p>Bonjour Élodie,</p>" in html and "Voir ma carte" in html
    plain, html = _parts(en)
    assert plain.startswith("Hello Ann,")
    assert "Your card: 2 of 10 stamps." in plain and "See my card" in html
    assert "<img" not in html  # no tracking pixel
    desk.close()


def test_preview_shows_the_email_without_sending_or_writing(sqlite_url: str, sink: MailSink) -> None:
    clock = Clock(START)
    desk = open_shop(sqlite_url, clock, sink)
    number = enrol(desk, "Léa Petit", "lea@example.org")
    consent(desk, number)
    clock.now = START + timedelta(days=20)
    shown = desk.message_preview("win_back", number)
    assert shown.subject == "Café Bleu : vous nous manquez"
    assert "Un cadeau pour votre retour : « Café offert »" in shown.text
    assert shown.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<html" in shown.html
    assert outbox(desk) == [] and sink.received == []
    with pytest.raises(Refused) as refused:
        desk.message_preview("coupon_expiry", number)
    assert refused.value.code == "message_not_due"
    desk.close()


# ----------------------------------------------------------------------
# Consent, checked again; one click unsubscribes


def test_one_click_unsubscribe_withdraws_consent_and_no_further_email_goes(
    db_url: str, sink: MailSink
) -> None:
    from web_app import make_app

    clock = Clock(START)
    desk = open_shop(db_url, clock, sink, holdout=0.0)
    number = enrol(desk, "Hugo Bernard", "hugo@example.org")
    consent(desk, number)
    clock.now = START + timedelta(days=5, hours=1)
    assert desk.messages_run().sent == 1
    (mail,) = sink.to("hugo@example.org")
    link = str(mail["List-Unsubscribe"]).strip()[1:-1]
    path = link.removeprefix("https://cafe.example")
    with TestClient(make_app(desk), base_url="https://cafe.example", follow_redirects=False) as client:
        forged = client.post(path[:-4] + "AAAA", content=b"List-Unsubscribe=One-Click")
        assert forged.status_code == 404 and "rien n&#39;a changé" in forged.text
        asked = client.get(path)
        assert asked.status_code == 200 and '<form method="post">' in asked.text
        with desk.store.engine.connect() as conn:
            assert conn.execute(select(customers.c.marketing)).scalar() == 1  # a GET changes nothing
        done = client.post(
            path,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert done.status_code == 200
    with desk.store.engine.connect() as conn:
        row = conn.execute(
            select(customers.c.marketing, customers.c.marketing_source, customers.c.marketing_at)
        ).one()
    assert (row.marketing, row.marketing_source) == (0, "unsubscribe")
    assert row.marketing_at == clock.now
    for day in range(6, 40):
        clock.now = START + timedelta(days=day, hours=1)
        desk.messages_run()
    assert len(sink.to("hugo@example.org")) == 1
    desk.close()


def test_consent_withdrawn_after_an_email_was_decided_stops_it(sqlite_url: str, sink: MailSink) -> None:
    clock = Clock(START)
    desk = open_shop(sqlite_url, clock, sink, holdout=0.0)
    number = enrol(desk, "Nina Roux", "nina@example.org")
    consent(desk, number)
    sink.stop()  # decided and queued, but the server is away
    clock.now = START + timedelta(days=5, hours=1)
    first = desk.messages_run()
    assert (first.decided, first.sent, first.waiting) == (1, 0, 1) and first.server_down
    consent(desk, number, on=False)
    sink.start()
    clock.now += timedelta(hours=1)
    second = desk.messages_run()
    assert (second.sent, second.withdrawn) == (0, 1)
    assert [r.state for r in outbox(desk)] == ["withdrawn"] and sink.received == []
    desk.close()


# ----------------------------------------------------------------------
# The mail server down, an address refused


def test_a_server_down_loses_nothing_the_next_run_sends(db_url: str, sink: MailSink) -> None:
    clock = Clock(START)
    desk = open_shop(db_url, clock, sink, holdout=0.0)
    for i in range(3):
        consent(desk, enrol(desk, f"Client{i}", f"c{i}@example.org"))
    sink.stop()
    clock.now = START + timedelta(days=5, hours=1)
    down = desk.messages_run()
    assert (down.decided, down.sent, down.waiting) == (3, 0, 3)
    assert down.server_down is not None
    assert {r.state for r in outbox(desk)} == {"queued"}
    sink.start()
    clock.now += timedelta(minutes=10)
    up = desk.messages_run()
    assert (up.decided, up.sent, up.waiting) == (0, 3, 0)
    assert sorted(a for r in sink.received for a in r.recipients) == [
        "c0@example.org",
        "c1@example.org",
        "c2@example.org",
    ]
    desk.close()


def test_a_refused_address_is_recorded_failed_the_others_are_sent(db_url: str, sink: MailSink) -> None:
    clock = Clock(START)
    desk = open_shop(db_url, clock, sink, holdout=0.0)
    for i in range(3):
        consent(desk, enrol(desk, f"Client{i}", f"c{i}@example.org"))
    sink.handler.refuse["c1@example.org"] = "550 5.1.1 no such mailbox"
    sink.handler.refuse["c2@example.org"] = "451 4.3.0 try again later"
    clock.now = START + timedelta(days=15, hours=1)  # near_reward and win_back are due, one a week
    result = desk.messages_run()
    # c0: one sent (the other waits for the cap); c1: both refused for good; c2: both wait.
    assert (result.sent, result.failed) == (1, 2)
    failed = [r for r in outbox(desk) if r.state == "failed"]
    assert {r.kind for r in failed} == {"near_reward", "win_back"}
    assert all(r.last_error.startswith("RCPT TO: 550") for r in failed)
    # The owner's Today tab: one sent, three waiting (the cap, the 4xx), two refused.
    today = desk.overview()
    assert (today.mails_sent, today.mails_waiting, today.mails_failed) == (1, 3, 2)
    owner_text = OwnerText("en_GB")
    assert owner_text("overview.mails", sent=1, waiting=3, failed=2) in overview_lines(today, owner_text)
    with desk.store.engine.connect() as conn:
        # The win-back coupon the refused e-mail would have told of is withdrawn;
        # the one of the e-mail still to go is kept for its next try.
        voided = conn.execute(select(coupons.c.voided_at).where(coupons.c.origin == "win_back")).scalars()
        assert sorted(v is not None for v in voided) == [False, True]
    del sink.handler.refuse["c2@example.org"]
    clock.now += timedelta(hours=1)
    again = desk.messages_run()
    assert again.sent == 1 and again.failed == 0  # the 4xx one goes; the 5xx one is never tried again
    assert [len(sink.to(f"c{i}@example.org")) for i in range(3)] == [1, 0, 1]
    desk.close()


def test_without_a_mail_server_set_the_run_says_so(sqlite_url: str) -> None:
    desk = make_desk(sqlite_url, Clock(START))
    desk.load_program_text(programme())
    with pytest.raises(Refused) as refused:
        desk.messages_run()
    assert refused.value.code == "mail_not_configured"
    owner_text = OwnerText("fr_FR")
    assert owner_text("overview.mails_off") in overview_lines(desk.overview(), owner_text)
    assert "[mail]" in refused.value.message
    assert desk.messages_run(dry_run=True).decided == 0  # a dry run needs no server
    desk.close()


@pytest.mark.parametrize(
    ("public_url", "phrase"),
    [
        (None, "mail_links_unset"),  # the default: this computer
        ("http://cafe.example/", "mail_links_not_https"),
        ("https://192.168.1.20:8421/", "mail_links_private"),
    ],
)
def test_e_mails_never_carry_links_a_customer_cannot_open(
    sqlite_url: str, sink: MailSink, public_url: str | None, phrase: str
) -> None:
    clock = Clock(START)
    desk = open_shop(sqlite_url, clock, sink, holdout=0.0)
    # The same shop, its pages' address set another way.
    shop = make_desk(sqlite_url, clock, mail=desk.settings.mail, public_url=public_url or DEFAULT_PUBLIC_URL)
    consent(desk, enrol(desk, "Ivo Petit", "ivo@example.org"))
    clock.now = START + timedelta(days=5, hours=1)
    with pytest.raises(Refused) as refused:
        shop.messages_run()
    assert (refused.value.code, refused.value.phrase) == ("mail_links_unusable", phrase)
    said = Book("fr_FR").error(refused.value)
    assert "public_url" in said and "https://…" in said
    assert outbox(shop) == [] and sink.received == []  # nothing decided, nothing sent
    assert shop.messages_run(dry_run=True).decided == 1  # what would go can still be seen
    shop.close()
    assert desk.messages_run().sent == 1  # with the shop's https address, it goes
    desk.close()


def test_a_dry_run_decides_and_shows_but_writes_nothing(sqlite_url: str, sink: MailSink) -> None:
    clock = Clock(START)
    desk = open_shop(sqlite_url, clock, sink, holdout=0.0)
    number = enrol(desk, "Paul Blanc", "paul@example.org")
    consent(desk, number)
    clock.now = START + timedelta(days=15)
    plan = desk.messages_run(dry_run=True)
    assert {(p.kind, p.card) for p in plan.planned} == {("near_reward", number), ("win_back", number)}
    assert outbox(desk) == [] and sink.received == []
    desk.close()


def test_messages_settings_in_the_config_file(tmp_path: Path) -> None:
    from stampdesk.config import load_settings
    from stampdesk.domain.errors import InvalidInput

    config = tmp_path / "config.toml"
    config.write_text('[mail]\nhost = "smtp.example.org"\nfrom = "Café <c@example.org>"\n', encoding="utf-8")
    mail = load_settings(config=config, env={}).mail
    assert mail == MailSettings(host="smtp.example.org", sender="Café <c@example.org>", port=587)
    config.write_text('[mail]\nhost = "smtp.example.org"\nfrom = "c@example.org"\nsecurity = "ssl"\n')
    with pytest.raises(InvalidInput) as bad:
        load_settings(config=config, env={})
    assert "mail.security must be one of starttls, tls, none" in bad.value.message


def test_the_unsubscribe_page_speaks_the_language_of_the_email(sqlite_url: str, sink: MailSink) -> None:
    from web_app import make_app

    clock = Clock(START)
    desk = open_shop(sqlite_url, clock, sink, holdout=0.0)  # a French shop
    number = enrol(desk, "Grace Hill", "grace@example.org")
    consent(desk, number)
    desk.set_language(number, "en")  # chosen on her card's page
    clock.now = START + timedelta(days=5, hours=1)
    assert desk.messages_run().sent == 1
    (mail,) = sink.to("grace@example.org")
    assert mail["Content-Language"] == "en"
    path = str(mail["List-Unsubscribe"]).strip()[1:-1].removeprefix("https://cafe.example")
    with TestClient(make_app(desk), base_url="https://cafe.example", follow_redirects=False) as client:
        # Opened in a browser that never chose a language, and asks for French.
        french = {"accept-language": "fr-FR,fr;q=0.9"}
        asked = client.get(path, headers=french)
        assert asked.status_code == 200 and '<html lang="en"' in asked.text
        done = client.post(path, content=b"List-Unsubscribe=One-Click", headers=french)
        assert done.status_code == 200 and '<html lang="en"' in done.text
        # A browser's own choice still wins.
        assert '<html lang="fr"' in client.get(path + "?lang=fr").text
    desk.close()
