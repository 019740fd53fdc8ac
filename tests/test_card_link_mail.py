"""A customer who lost their card's link asks for it on the shop's page
(``/card-link``) and gets it by e-mail through a real SMTP server on
127.0.0.1: without marketing consent (it is not marketing, and the e-mail
says so), one an hour per card, the same page whoever asks, nothing for an
erased card, kept for the next run when the server is down, outside the
weekly cap and the report's campaigns. On a SQLite file and on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from helpers import Clock, make_desk
from mail_sink import MailSink
from stampdesk.config import MailSettings
from stampdesk.desk import Desk
from stampdesk.domain import messages as rules
from test_messages import START, consent, enrol, open_shop, outbox, programme
from web_app import make_app

ORIGIN = "https://cafe.example"
WHY_FR = (
    "Vous recevez cet e-mail car le lien de la carte a été demandé sur la page de Café Bleu ; ce n'est "
    "pas un e-mail publicitaire et il ne demande aucun accord pour recevoir des e-mails."
)
WHY_EN = (
    "You get this e-mail because the card's link was asked for on Café Bleu's page; it is not an "
    "advertising e-mail and needs no consent to e-mails."
)


@pytest.fixture
def sink() -> Iterator[MailSink]:
    server = MailSink().start()
    yield server
    server.stop()


def client_of(desk: Desk) -> TestClient:
    return TestClient(make_app(desk), base_url=ORIGIN, follow_redirects=False)


def ask(client: TestClient, email: str, **headers: str) -> Response:
    """Open the page and send its form, as a browser would."""
    page = client.get("/card-link", headers=headers)
    assert page.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return client.post(
        "/card-link", data={"csrf": found.group(1), "email": email}, headers={"Origin": ORIGIN, **headers}
    )


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrf" value="[^"]+"', 'name="csrf" value=""', html)


def parts(message: EmailMessage) -> tuple[str, str]:
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def test_a_customer_without_consent_gets_their_cards_link_once_an_hour_saying_why(
    db_url: str, sink: MailSink
) -> None:
    clock = Clock(START)
    desk = open_shop(db_url, clock, sink)
    lea = enrol(desk, "Léa Petit", "lea@example.org")
    ann = enrol(desk, "Ann Smith", "ann@example.org")
    desk.set_language(ann, "en")
    desk.set_marketing(ann, True)
    desk.set_marketing(ann, False, source="unsubscribe")  # a link she asks for still goes
    assert not desk.card(lea).marketing and not desk.card(ann).marketing
    with client_of(desk) as client:
        for _ in range(3):  # a burst of requests in the hour
            assert ask(client, "Lea@Example.org").status_code == 200
            clock.advance(minutes=5)
        assert ask(client, "ann@example.org").status_code == 200
        assert [len(sink.to("lea@example.org")), len(sink.to("ann@example.org"))] == [1, 1]
        (fr,) = sink.to("lea@example.org")
        (en,) = sink.to("ann@example.org")
        assert fr["Subject"] == "Café Bleu : le lien de votre carte" and fr["Content-Language"] == "fr"
        assert en["Subject"] == "Café Bleu: the link to your card" and en["Content-Language"] == "en"
        for message, why, name, number in ((fr, WHY_FR, "Léa", lea), (en, WHY_EN, "Ann", ann)):
            # Not marketing: no list to leave, and it says why it came.
            assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
            plain, html = parts(message)
            assert "/unsubscribe/" not in plain + html
            assert why in plain and why.replace("'", "&#x27;") in html
            assert "12 rue des Lilas, Lyon" in plain and "Café Bleu" in html
            [link] = set(re.findall(r"https://cafe\.example/card/[\w=-]+", plain))
            assert f'href="{link}"' in html
            # The link opens the customer's own card.
            card = client.get(link.removeprefix(ORIGIN))
            assert card.status_code == 200 and name in card.text
            assert link == desk.card_link(number)
        assert "Voici le lien de votre carte de fidélité Café Bleu" in parts(fr)[0]
        assert "Here is the link to your Café Bleu loyalty card" in parts(en)[0]
        # The next hour, a new request makes a new e-mail.
        clock.now = START + timedelta(hours=1, minutes=1)
        ask(client, "lea@example.org")
    assert len(sink.to("lea@example.org")) == 2
    assert [(r.kind, r.state) for r in outbox(desk)] == [("card_link", "sent")] * 3
    desk.close()


def test_a_known_an_unknown_and_an_erased_address_get_the_same_page_and_only_the_card_gets_mail(
    db_url: str, sink: MailSink
) -> None:
    clock = Clock(START)
    desk = open_shop(db_url, clock, sink)
    enrol(desk, "Léa Petit", "lea@example.org")
    gone = enrol(desk, "Marc Vidal", "marc@example.org")
    desk.erase(gone)
    with client_of(desk) as client:
        pages = [ask(client, e) for e in ("lea@example.org", "nobody@example.org", "marc@example.org")]
        english = [ask(client, e, **{"Accept-Language": "en"}) for e in ("lea@example.org", "x@example.org")]
    for answers in (pages, english):
        assert {a.status_code for a in answers} == {200}
        assert len({a.content for a in answers}) == 1  # byte for byte
        assert len({tuple(sorted(a.headers.items())) for a in answers}) == 1
    assert "Si une carte a cette adresse e-mail, son lien est en route" in pages[0].text
    assert "If a card has this e-mail address, its link is on its way" in english[0].text
    assert [a for r in sink.received for a in r.recipients] == ["lea@example.org"]
    assert len(outbox(desk)) == 1
    desk.close()


def test_an_erased_card_never_gets_a_link_already_queued(sqlite_url: str, sink: MailSink) -> None:
    clock = Clock(START)
    desk = open_shop(sqlite_url, clock, sink)
    number = enrol(desk, "Marc Vidal", "marc@example.org")
    asked = desk.ask_card_link("marc@example.org", send=False)
    assert asked.queued == 1
    desk.erase(number)
    assert desk.send_card_links(asked).sent == 0
    assert desk.messages_run().sent == 0
    assert [r.state for r in outbox(desk)] == ["withdrawn"] and sink.received == []
    desk.close()


def test_with_the_mail_server_down_the_page_answers_the_same_and_the_next_run_sends(
    db_url: str, sink: MailSink
) -> None:
    clock = Clock(START)
    desk = open_shop(db_url, clock, sink)
    enrol(desk, "Léa Petit", "lea@example.org")
    with client_of(desk) as client:
        up = ask(client, "nobody@example.org")
        sink.stop()
        down = ask(client, "lea@example.org")
    assert down.status_code == 200 and without_tokens(down.text) == without_tokens(up.text)
    assert [(r.kind, r.state) for r in outbox(desk)] == [("card_link", "queued")]
    sink.start()
    clock.advance(minutes=3)
    run = desk.messages_run()
    assert (run.sent, run.waiting) == (1, 0)
    (message,) = sink.to("lea@example.org")
    assert "https://cafe.example/card/" in parts(message)[0]
    assert desk.messages_run().sent == 0  # at most once
    desk.close()


def test_a_cards_link_uses_none_of_the_weekly_cap_and_is_no_campaign_in_the_report(
    db_url: str, sink: MailSink
) -> None:
    clock = Clock(START)
    desk = open_shop(db_url, clock, sink, holdout=0.0)  # one marketing e-mail a week
    number = enrol(desk, "Hugo Bernard", "hugo@example.org")
    consent(desk, number)
    clock.now = START + timedelta(days=5, hours=1)  # near_reward is due
    assert desk.ask_card_link("hugo@example.org").sent == 1
    run = desk.messages_run()
    assert (run.decided, run.sent) == (1, 1)  # the cap still had room
    clock.advance(hours=2)
    assert desk.ask_card_link("hugo@example.org").sent == 1  # and the cap, now full, does not stop it
    kinds = [m["Subject"] for m in sink.to("hugo@example.org")]
    assert kinds == [
        "Café Bleu : le lien de votre carte",
        "Café Bleu : plus que 1 tampon pour « Croissant offert »",
        "Café Bleu : le lien de votre carte",
    ]
    figures = desk.report("2026-03-01", "2026-03-31").messages
    assert set(figures) == {"near_reward"} and figures["near_reward"].sent == 1
    desk.close()


@pytest.mark.parametrize("setup", ["no mail server", "links a customer cannot open"])
def test_where_no_e_mail_can_go_the_page_answers_the_same_and_queues_nothing(
    sqlite_url: str, sink: MailSink, setup: str
) -> None:
    if setup == "no mail server":
        desk = make_desk(sqlite_url, Clock(START))
    else:  # the shop's own network: no e-mail may carry it
        mail = MailSettings(host="127.0.0.1", port=sink.port, security="none", sender="cafe@example.org")
        desk = make_desk(sqlite_url, Clock(START), mail=mail, public_url="http://192.168.1.20:8421/")
    desk.load_program_text(programme())
    enrol(desk, "Léa Petit", "lea@example.org")
    with client_of(desk) as client:
        known, unknown = ask(client, "lea@example.org"), ask(client, "nobody@example.org")
        # "Lost it?" says to ask at the till where no e-mail can go.
        lost = client.get("/card/", headers={"Accept-Language": "en"})
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert "son lien est en route" in known.text and outbox(desk) == [] and sink.received == []
    assert "Lost it? Ask at the till." in lost.text and "card-link" not in lost.text
    desk.close()


def may(
    kind: str, *, consent: bool, erased: bool = False, email: str | None = "a@b.org", active: bool = True
) -> bool:
    return rules.may_receive(kind, consent=consent, erased=erased, email=email, active=active)


def test_which_kinds_are_marketing_and_who_may_receive_them() -> None:
    assert all(rules.is_marketing(kind) for kind in rules.KINDS)
    assert not rules.is_marketing("card_link")
    assert rules.is_marketing("a_kind_not_known_yet")  # never sent without consent
    assert may("card_link", consent=False) and may("win_back", consent=True)
    assert not may("win_back", consent=False)
    assert not may("card_link", consent=True, erased=True)
    assert not may("card_link", consent=True, email=None)
    assert not may("card_link", consent=True, active=False)
    at = datetime(2026, 3, 29, 1, 59, tzinfo=UTC)  # the night Paris moves its clocks
    assert rules.card_link_occasion(at) == "card_link:2026-03-29T01"
    assert rules.card_link_occasion(at.astimezone(ZoneInfo("Europe/Paris"))) == "card_link:2026-03-29T01"
    assert rules.card_link_occasion(at + timedelta(minutes=1)) == "card_link:2026-03-29T02"
    assert len(rules.card_link_occasion(at)) <= 64  # the outbox's occasion column
