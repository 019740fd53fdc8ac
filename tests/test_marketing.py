"""A customer's consent to marketing e-mails, on a SQLite file and on
PostgreSQL: off unless they say yes, given and withdrawn with its time and
place, needing an e-mail to be given, in their data's export, gone when the
card is erased. And the pure rule it follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from helpers import Clock, content
from stampdesk.desk import Desk
from stampdesk.domain import marketing
from stampdesk.domain.errors import InvalidInput, NotFound, Refused
from stampdesk.domain.marketing import Consent
from stampdesk.models import cards, customers
from stampdesk.services.importer import InvalidImport, import_customers

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def record(desk: Desk, number: str) -> tuple[Any, ...]:
    """What the customer's row holds: consent, when, where, and their language."""
    query = (
        select(
            customers.c.marketing,
            customers.c.marketing_at,
            customers.c.marketing_source,
            customers.c.language,
        )
        .select_from(cards.join(customers, customers.c.id == cards.c.customer_id))
        .where(cards.c.number == number)
    )
    with desk.store.read() as conn:
        return tuple(conn.execute(query).one())


# --- the rule --------------------------------------------------------------


def test_consent_is_off_until_given_and_a_change_says_when_and_where() -> None:
    assert marketing.at_enrolment(False, source="till", email="ana@example.org", at=T0) == marketing.NONE
    given = marketing.at_enrolment(True, source="till", email="ana@example.org", at=T0)
    assert given == Consent(True, T0, "till")
    later = T0 + timedelta(days=3)
    # The same answer again keeps the moment of the real change.
    assert marketing.change(given, True, source="card_page", email="ana@example.org", at=later) == given
    withdrawn = marketing.change(given, False, source="unsubscribe", email="ana@example.org", at=later)
    assert withdrawn == Consent(False, later, "unsubscribe")
    assert withdrawn.columns() == {"marketing": 0, "marketing_at": later, "marketing_source": "unsubscribe"}
    assert marketing.after_erasure().columns() == {
        "marketing": 0,
        "marketing_at": None,
        "marketing_source": None,
    }


def test_consent_needs_an_e_mail_a_yes_or_no_and_a_known_source() -> None:
    with pytest.raises(Refused) as refused:
        marketing.change(marketing.NONE, True, source="till", email=None, at=T0)
    assert refused.value.code == "marketing_needs_email"
    # Withdrawing never needs anything.
    given = Consent(True, T0, "till")
    assert not marketing.change(given, False, source="till", email=None, at=T0).given
    for value in (1, "yes", None):
        with pytest.raises(InvalidInput) as wrong:
            marketing.change(marketing.NONE, value, source="till", email="a@example.org", at=T0)
        assert wrong.value.code == "invalid_marketing"
    with pytest.raises(InvalidInput) as unknown:
        marketing.change(marketing.NONE, True, source="newsletter", email="a@example.org", at=T0)
    assert unknown.value.code == "invalid_marketing_source"
    # An unsubscribe link takes consent back; it never gives it.
    with pytest.raises(InvalidInput) as only_withdraws:
        marketing.change(marketing.NONE, True, source="unsubscribe", email="a@example.org", at=T0)
    assert only_withdraws.value.phrase == "marketing_withdraw_only"


# --- the shop, on both engines ----------------------------------------------


def test_enrolling_leaves_consent_off_whatever_else_the_customer_agreed_to(desk: Desk) -> None:
    # A card, an e-mail given, a place on the board: none of them is consent.
    ana = desk.enrol(name="Ana Martin", email="ana@example.org", leaderboard=True)
    assert ana.card.marketing is False and ana.to_dict()["marketing"] is False
    assert record(desk, ana.number) == (0, None, None, None)
    assert desk.export(ana.number)["customer"]["marketing"] is False


def test_enrolling_with_consent_records_when_and_where(desk: Desk, clock: Clock) -> None:
    ana = desk.enrol(name="Ana Martin", email="ana@example.org", marketing=True, marketing_source="till")
    assert ana.card.marketing is True and desk.card(ana.number).marketing is True
    assert record(desk, ana.number) == (1, clock.now, "till", None)
    # Moving a card in from the past: the consent is of the enrolment's time.
    then = clock.now - timedelta(days=40)
    leo = desk.enrol(
        name="Léo Dupont", email="leo@example.org", marketing=True, marketing_source="cli", at=then
    )
    assert record(desk, leo.number) == (1, then, "cli", None)


def test_consent_without_an_e_mail_is_refused_and_nothing_is_written(desk: Desk) -> None:
    with pytest.raises(Refused) as refused:
        desk.enrol(name="Ana Martin", marketing=True)
    assert refused.value.code == "marketing_needs_email"
    assert desk.search("Ana") == ()
    ana = desk.enrol(name="Ana Martin").number
    with pytest.raises(Refused) as again:
        desk.set_marketing(ana, True, source="till")
    assert again.value.code == "marketing_needs_email"
    assert record(desk, ana) == (0, None, None, None)


def test_giving_then_withdrawing_consent(desk: Desk, clock: Clock) -> None:
    ana = desk.enrol(name="Ana Martin", email="ana@example.org").number
    given_at = clock.now
    card = desk.set_marketing(ana, True, source="card_page")
    assert card.marketing is True and card.to_dict()["marketing"] is True
    assert record(desk, ana) == (1, given_at, "card_page", None)

    # Said again later: nothing changes, the record keeps when it was given.
    clock.now += timedelta(days=2)
    assert desk.set_marketing(ana, True, source="till").marketing is True
    assert record(desk, ana) == (1, given_at, "card_page", None)

    # Withdrawn by the unsubscribe link, then followed again: the first time stays.
    clock.now += timedelta(days=5)
    withdrawn_at = clock.now
    assert desk.set_marketing(ana, False, source="unsubscribe").marketing is False
    clock.now += timedelta(hours=1)
    desk.set_marketing(ana, False, source="unsubscribe")
    assert record(desk, ana) == (0, withdrawn_at, "unsubscribe", None)
    customer = desk.export(ana)["customer"]
    assert customer["marketing"] is False
    assert customer["marketing_source"] == "unsubscribe"
    assert datetime.fromisoformat(customer["marketing_at"]) == withdrawn_at


def test_a_card_without_a_customer_has_no_consent_to_give(desk: Desk) -> None:
    [blank] = desk.issue_cards(1)
    for change in (
        lambda: desk.set_marketing(blank, True, source="till"),
        lambda: desk.set_language(blank, "en"),
    ):
        with pytest.raises(Refused) as refused:
            change()
        assert refused.value.code == "card_not_enrolled"
    with pytest.raises(NotFound):
        desk.set_marketing("2900000000001", False, source="till")


def test_the_export_says_consent_when_where_and_the_language(desk: Desk, clock: Clock) -> None:
    ana = desk.enrol(
        name="Ana Martin", email="ana@example.org", marketing=True, marketing_source="api"
    ).number
    desk.set_language(ana, "en")
    customer = desk.export(ana)["customer"]
    assert customer["marketing"] is True
    assert customer["marketing_source"] == "api"
    assert datetime.fromisoformat(customer["marketing_at"]) == clock.now
    assert customer["language"] == "en"
    desk.set_language(ana, "fr")
    assert desk.export(ana)["customer"]["language"] == "fr"
    with pytest.raises(InvalidInput) as wrong:
        desk.set_language(ana, "de")
    assert wrong.value.code == "invalid_language"


def test_erasing_a_card_erases_its_consent_and_language(desk: Desk) -> None:
    ana = desk.enrol(
        name="Ana Martin", email="ana@example.org", marketing=True, marketing_source="till"
    ).number
    desk.set_language(ana, "en")
    desk.erase(ana)
    assert record(desk, ana) == (0, None, None, None)
    with pytest.raises(NotFound) as erased:
        desk.set_marketing(ana, True, source="card_page")
    assert erased.value.code == "card_erased"


# --- importing paper cards ----------------------------------------------------


def test_an_import_never_assumes_consent(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    path.write_text("name,email,stamps\nAna Martin,ana@example.org,3\n", encoding="utf-8")
    [ana] = import_customers(desk.store, path).cards
    assert record(desk, ana) == (0, None, None, None)


def test_an_import_records_consent_only_with_the_day_it_was_given(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    path.write_text(
        "name;email;marketing;marketing_at\n"
        "Ana Martin;ana@example.org;oui;2025-11-20\n"
        "Léo Dupont;leo@example.org;no;\n"
        "Zoé Bernard;zoe@example.org;;\n",
        encoding="utf-8",
    )
    ana, leo, zoe = import_customers(desk.store, path).cards
    # The start of that day in the shop's time zone (Paris: 23:00 UTC the day before).
    assert record(desk, ana) == (1, datetime(2025, 11, 19, 23, 0, tzinfo=UTC), "import", None)
    assert record(desk, leo) == record(desk, zoe) == (0, None, None, None)


def test_an_imported_yes_without_its_day_or_an_e_mail_is_refused(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    path.write_text(
        "name,email,marketing,marketing_at\n"
        "Ana Martin,ana@example.org,yes,\n"
        "Léo Dupont,,yes,2025-11-20\n"
        "Zoé Bernard,zoe@example.org,maybe,2025-11-20\n"
        "Eve Petit,eve@example.org,yes,2099-01-01\n"
        "Bob Roux,bob@example.org,yes,2025-11-20\n",
        encoding="utf-8",
    )
    before = content(desk)
    with pytest.raises(InvalidImport) as refused:
        import_customers(desk.store, path)
    assert content(desk) == before
    assert [(line, problem.phrase) for line, problem in refused.value.problems] == [
        (2, "import_marketing_needs_date"),
        (3, "import_marketing_needs_email"),
        (4, "import_marketing"),
        (5, "import_marketing_date"),
    ]
