"""The rules of staff PINs, pure: how wrong PINs in a row lock a till."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_WRONG_PINS = 5
LOCKOUT = timedelta(seconds=30)


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
