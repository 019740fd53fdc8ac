"""Staff and their PINs, and the owner's overview of the day, on SQLite and
PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from helpers import Clock, content, make_desk
from stampdesk.desk import Desk
from stampdesk.domain.errors import InvalidInput, NotFound, Refused
from stampdesk.models import staff
from stampdesk.services.staff import LOCKOUT, MAX_WRONG_PINS, hash_pin, pin_matches


def hashes(desk: Desk) -> dict[str, str]:
    with desk.store.engine.connect() as conn:
        return {row.name: row.pin_hash for row in conn.execute(select(staff.c.name, staff.c.pin_hash))}


def test_staff_sign_in_with_their_pin(desk: Desk) -> None:
    assert not desk.has_staff()
    owner = desk.add_staff("Marc Dubois", "owner", "4826")
    cashier = desk.add_staff("Léa", "cashier", "123456")
    assert desk.has_staff()
    assert (owner.role, owner.active, owner.is_owner) == ("owner", True, True)
    assert desk.verify_pin("4826") == owner
    assert desk.verify_pin(" 123456 ") == cashier
    assert desk.verify_pin("4826", owner=True) == owner
    assert [m.name for m in desk.staff()] == ["Marc Dubois", "Léa"]  # owners first
    assert cashier.to_dict()["role"] == "cashier" and "pin" not in str(cashier.to_dict())


def test_pins_are_kept_only_as_salted_hashes(desk: Desk) -> None:
    desk.add_staff("Marc", "owner", "4826")
    desk.add_staff("Léa", "cashier", "12345678")
    stored = hashes(desk)
    for name, pin in (("Marc", "4826"), ("Léa", "12345678")):
        assert pin not in stored[name]
        assert stored[name].startswith("scrypt$")
        assert pin_matches(pin, stored[name]) and not pin_matches("0000", stored[name])
    # A random salt each time: the same PIN never gives the same hash.
    assert hash_pin("4321") != hash_pin("4321")
    assert not pin_matches("4321", "md5$nonsense")


def test_a_wrong_pin_is_refused(desk: Desk) -> None:
    desk.add_staff("Marc", "owner", "4826")
    desk.add_staff("Léa", "cashier", "1234")
    for pin in ("9999", "12345", "abcd", "12"):
        with pytest.raises(Refused) as refused:
            desk.verify_pin(pin)
        assert refused.value.code == "wrong_pin"
        desk.verify_pin("1234")  # a right PIN resets the count of wrong ones
    with pytest.raises(Refused) as refused:
        desk.verify_pin("1234", owner=True)
    assert refused.value.code == "not_owner" and "Léa" in refused.value.message
    with pytest.raises(InvalidInput):
        desk.verify_pin("  ")


def test_five_wrong_pins_in_a_row_lock_the_till_for_30_seconds(desk: Desk, clock: Clock) -> None:
    desk.add_staff("Marc", "owner", "4826")
    for _ in range(MAX_WRONG_PINS - 1):
        with pytest.raises(Refused, match="wrong PIN"):
            desk.verify_pin("0000")
    with pytest.raises(Refused) as refused:
        desk.verify_pin("0000")
    assert refused.value.code == "pin_locked"
    # Even the right PIN waits now.
    clock.advance(seconds=LOCKOUT.total_seconds() - 1)
    with pytest.raises(Refused) as refused:
        desk.verify_pin("4826")
    assert refused.value.code == "pin_locked" and "1 s" in refused.value.message
    clock.advance(seconds=1)
    assert desk.verify_pin("4826").name == "Marc"


def lock_the_till(desk: Desk) -> None:
    for _ in range(MAX_WRONG_PINS):
        with pytest.raises(Refused):
            desk.verify_pin("0000")


def test_a_lockout_survives_quitting_and_restarting_the_till(desk: Desk, clock: Clock) -> None:
    desk.add_staff("Marc", "owner", "4826")
    for _ in range(MAX_WRONG_PINS - 1):
        with pytest.raises(Refused):
            desk.verify_pin("0000")
    desk.close()
    # The till restarts: the count goes on, and the next wrong PIN locks it.
    restarted = make_desk(desk.settings.database, clock)
    with pytest.raises(Refused) as refused:
        restarted.verify_pin("0001")
    assert refused.value.code == "pin_locked"
    restarted.close()
    again = make_desk(desk.settings.database, clock)
    with pytest.raises(Refused) as refused:
        again.verify_pin("4826")
    assert refused.value.code == "pin_locked"
    clock.advance(seconds=LOCKOUT.total_seconds())
    assert again.verify_pin("4826").name == "Marc"
    again.close()


# Another process of the same till: it tries each PIN given and prints
# what the engine answered.
SECOND_PROCESS = """
import sys, stampdesk
from stampdesk.config import Settings
from stampdesk.domain.errors import StampdeskError

desk = stampdesk.connect(settings=Settings(database=sys.argv[1], timezone="Europe/Paris"))
answers = []
for pin in sys.argv[2:]:
    try:
        answers.append(desk.verify_pin(pin).name)
    except StampdeskError as error:
        answers.append(error.code)
desk.close()
print(" ".join(answers))
"""


def second_process(url: str, *pins: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS, url, *pins], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_second_process_of_the_till_cannot_get_past_a_lockout(db_url: str) -> None:
    # This till runs on the machine's clock, as the second process does.
    desk = make_desk(db_url, Clock(datetime.now(UTC)))
    try:
        desk.add_staff("Marc", "owner", "4826")
        for _ in range(MAX_WRONG_PINS - 1):
            with pytest.raises(Refused):
                desk.verify_pin("0000")
        # The second process's wrong PIN is the fifth in a row: it locks
        # both, and the right PIN waits in either.
        assert second_process(db_url, "0001", "4826") == ["pin_locked", "pin_locked"]
        with pytest.raises(Refused) as refused:
            desk.verify_pin("4826")
        assert refused.value.code == "pin_locked"
    finally:
        desk.close()


def test_tills_checking_pins_at_once_check_no_more_than_the_count_allows(db_url: str, clock: Clock) -> None:
    """Eight connections of one till (as many processes would have) each
    try a wrong PIN at the same moment: only the first ``MAX_WRONG_PINS``
    are checked, the others are refused unchecked."""
    tills = [make_desk(db_url, clock) for _ in range(8)]
    try:
        tills[0].add_staff("Marc", "owner", "4826")
        start = threading.Barrier(len(tills))

        def guess(till: Desk, pin: str) -> str:
            start.wait()
            try:
                return till.verify_pin(pin).name
            except Refused as refused:
                return refused.code

        with ThreadPoolExecutor(len(tills)) as pool:
            answers = Counter(pool.map(guess, tills, [f"000{n}" for n in range(len(tills))]))
        assert answers == {"wrong_pin": MAX_WRONG_PINS - 1, "pin_locked": len(tills) - MAX_WRONG_PINS + 1}
        with pytest.raises(Refused) as refused:
            tills[3].verify_pin("4826")
        assert refused.value.code == "pin_locked"
    finally:
        for till in tills:
            till.close()


def test_each_till_keeps_its_own_count(desk: Desk, clock: Clock) -> None:
    """A prankster locks the till they stand at, not the shop's other tills."""
    desk.add_staff("Marc", "owner", "4826")
    lock_the_till(desk)
    back = make_desk(desk.settings.database, clock, till="back")
    try:
        assert back.verify_pin("4826").name == "Marc"
    finally:
        back.close()
    with pytest.raises(Refused) as refused:
        desk.verify_pin("4826")
    assert refused.value.code == "pin_locked"


WEAK_OWNER_PINS = ("0000", "77777", "1234", "0123", "7890", "12345678", "4321", "9876", "1212", "123123")
WEAK_OWNER_PINS += ("12341234", "1984", "2026", "2580", "1004")


def test_an_owner_pin_easy_to_guess_is_refused_with_nothing_written(desk: Desk) -> None:
    before = content(desk)
    for pin in WEAK_OWNER_PINS:
        with pytest.raises(InvalidInput) as invalid:
            desk.add_staff("Marc", "owner", pin)
        assert invalid.value.code == "weak_pin", pin
        assert "\n" not in invalid.value.message
    assert content(desk) == before
    desk.add_staff("Marc", "owner", "4826")
    # A cashier's PIN only opens the till for selling: any will do.
    assert desk.add_staff("Léa", "cashier", "1234").role == "cashier"
    desk.set_pin("Léa", "0000")
    before = content(desk)
    with pytest.raises(InvalidInput) as invalid:
        desk.set_pin("Marc", "2222")
    assert invalid.value.code == "weak_pin"
    assert content(desk) == before
    assert desk.set_pin("Marc", "31415926").name == "Marc"


def test_deactivated_staff_can_no_longer_sign_in(desk: Desk) -> None:
    desk.add_staff("Marc", "owner", "4826")
    desk.add_staff("Léa", "cashier", "1234")
    gone = desk.deactivate_staff("LÉA")
    assert (gone.name, gone.active) == ("Léa", False)
    with pytest.raises(Refused):
        desk.verify_pin("1234")
    assert [m.name for m in desk.staff()] == ["Marc"]
    assert [(m.name, m.active) for m in desk.staff(include_inactive=True)] == [("Marc", True), ("Léa", False)]
    with pytest.raises(NotFound):
        desk.deactivate_staff("Léa")
    # The name and the PIN are free again.
    assert desk.add_staff("Léa", "cashier", "1234").active
    with pytest.raises(Refused) as refused:
        desk.deactivate_staff("Marc")
    assert refused.value.code == "last_owner"
    desk.add_staff("Zoé", "owner", "7391")
    desk.deactivate_staff("Marc")
    assert desk.verify_pin("7391", owner=True).name == "Zoé"


def test_a_new_pin_replaces_the_old_one(desk: Desk) -> None:
    desk.add_staff("Marc", "owner", "4826")
    desk.add_staff("Léa", "cashier", "1234")
    desk.set_pin("léa", "5678")
    assert desk.verify_pin("5678").name == "Léa"
    with pytest.raises(Refused):
        desk.verify_pin("1234")
    with pytest.raises(InvalidInput) as invalid:
        desk.set_pin("Léa", "4826")  # Marc's
    assert invalid.value.code == "pin_taken"
    desk.set_pin("Léa", "5678")  # the same PIN again is no clash with herself


@pytest.mark.parametrize(
    ("name", "role", "pin", "code"),
    [
        ("", "cashier", "1234", "invalid_name"),
        ("x" * 61, "cashier", "1234", "invalid_name"),
        ("Tom\x07", "cashier", "1234", "invalid_name"),
        ("Tom", "boss", "1234", "invalid_role"),
        ("Tom", "cashier", "12a4", "invalid_pin"),
        ("Tom", "cashier", "123", "invalid_pin"),
        ("Tom", "cashier", "123456789", "invalid_pin"),
        ("Tom", "cashier", "١٢٣٤", "invalid_pin"),  # Arabic-Indic digits
        ("Tom", "cashier", 1234, "invalid_pin"),
        ("MARC", "cashier", "1234", "duplicate_name"),
        ("Tom", "cashier", "4826", "pin_taken"),  # Marc's PIN: the till would not know who
    ],
)
def test_bad_staff_is_refused_with_nothing_written(
    desk: Desk, name: object, role: object, pin: object, code: str
) -> None:
    desk.add_staff("Marc", "owner", "4826")
    before = content(desk)
    with pytest.raises(InvalidInput) as invalid:
        desk.add_staff(name, role, pin)
    assert invalid.value.code == code
    assert "\n" not in invalid.value.message
    assert content(desk) == before


def test_the_first_member_of_staff_is_an_owner(desk: Desk) -> None:
    before = content(desk)
    with pytest.raises(Refused) as refused:
        desk.add_staff("Léa", "cashier", "1234")
    assert refused.value.code == "no_owner"
    assert content(desk) == before and not desk.has_staff()
    with pytest.raises(Refused) as refused:
        desk.verify_pin("1234")
    assert refused.value.code == "no_staff"


def test_overview_counts_the_shop_local_day(desk: Desk, clock: Clock) -> None:
    # The evening before (Sunday, 22:30 in Paris): not today.
    clock.now = clock.now.replace(day=1, hour=21, minute=30)
    desk.checkout(amount="9.00")
    clock.advance(hours=11)  # Monday 09:30 in Paris

    ana = desk.enrol(name="Ana Martin")  # 2 starter stamps
    first = desk.checkout(card=ana.number, amount="4.50")  # +1 → 3: a coupon
    desk.checkout(amount="25.00")  # a walk-in: 1 + 2 stamps
    refunded = desk.checkout(card=ana.number, amount="3.00")
    desk.refund(refunded.checkout)
    desk.redeem(first.coupons[0].code)
    desk.checkout(amount="2.00", at=clock.now.replace(day=1).isoformat())  # yesterday's, typed late

    today = desk.overview()
    assert str(today.day) == "2026-03-02"
    assert (today.sales, today.amount, today.refunded) == (2, Decimal("29.50"), 1)
    assert today.stamps_given == 2 + 1 + 3
    assert (today.enrolments, today.coupons_issued, today.coupons_redeemed) == (1, 1, 1)
    assert today.printer_url is None
    yesterday = desk.overview(today.day.replace(day=1))
    assert (yesterday.sales, yesterday.amount, yesterday.enrolments) == (2, Decimal("11.00"), 0)
