"""The rules of staff PINs, pure: which PINs are too easy to guess for an
owner, and how wrong PINs in a row lock a till.

An owner's PIN opens the programme, the staff list and the printer's
settings; a guesser at the counter tries the PINs everybody tries first
(1234, 0000, a year), so an owner may not choose one. A cashier's PIN only
opens the till's selling screens (the owner's screens ask for an owner's
PIN again), and must differ from every other member's: any 4 to 8 digits
will do, so a shop's staff keep the PINs they know.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_WRONG_PINS = 5
LOCKOUT = timedelta(seconds=30)

# PINs people choose that no simple pattern below catches: keypad columns
# and diagonals (2580, 1470, 0852, 159753…), doubled or mirrored digits,
# every other digit, and the few words spelt on a phone's keypad.
COMMON_PINS = frozenset(
    {
        "0852",
        "0963",
        "1004",
        "1122",
        "1221",
        "1357",
        "1470",
        "2468",
        "2580",
        "3690",
        "5683",
        "7410",
        "112233",
        "123321",
        "147258",
        "159753",
        "11223344",
    }
)


def pin_weakness(pin: str) -> str | None:
    """Why the PIN ``pin`` (ASCII digits) is too easy to guess, or None.

    - ``one_digit``: one digit throughout (0000, 77777);
    - ``sequence``: each digit one more than the last (0123, 1234, 7890, 0
      following 9), or each one less (4321, 9876, 3210);
    - ``repeated``: a shorter block said again (1212, 2121, 123123, 12341234);
    - ``year``: four digits from 1900 to 2099 (a birth year, this year);
    - ``common``: one of ``COMMON_PINS``.
    """
    digits = [int(d) for d in pin]
    if len(set(digits)) == 1:
        return "one_digit"
    steps = {(b - a) % 10 for a, b in zip(digits, digits[1:], strict=False)}
    if steps in ({1}, {9}):
        return "sequence"
    n = len(pin)
    if any(n % size == 0 and pin == pin[:size] * (n // size) for size in range(2, n // 2 + 1)):
        return "repeated"
    if n == 4 and pin[:2] in ("19", "20"):
        return "year"
    if pin in COMMON_PINS:
        return "common"
    return None


@dataclass(frozen=True)
class PinAttempts:
    """The PINs tried in a row at a till without a right one, and until
    when it refuses every PIN."""

    wrong: int = 0
    locked_until: datetime | None = None


def wait_left(attempts: PinAttempts, now: datetime) -> timedelta | None:
    """How long the till still refuses every PIN at ``now``; None when it
    takes one."""
    if attempts.locked_until is None or now >= attempts.locked_until:
        return None
    return attempts.locked_until - now


def try_pin(attempts: PinAttempts, now: datetime) -> PinAttempts:
    """The count once one more PIN is tried at ``now`` (the till taking
    PINs). The PIN counts as wrong until it proves right (``PinAttempts()``
    then): PINs checked at once, by one till's several processes, are all
    counted before any is known. The ``MAX_WRONG_PINS``-th in a row locks
    the till for ``LOCKOUT`` and starts a new count, so a lockout always
    ends, and the next one needs as many wrong PINs again."""
    wrong = 0 if attempts.locked_until is not None else attempts.wrong
    wrong += 1
    if wrong >= MAX_WRONG_PINS:
        return PinAttempts(0, now + LOCKOUT)
    return PinAttempts(wrong, None)
