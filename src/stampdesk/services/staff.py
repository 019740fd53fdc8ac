"""Staff and their PINs: who may use the till, and who may change the programme.

A PIN is 4 to 8 digits, kept only as a salted scrypt hash. The till signs a
cashier in by the PIN alone (no name to pick: fast at a busy counter), so two
active members never share a PIN. An owner's PIN may not be one a guesser
tries first (``domain.pins.pin_weakness``: ``weak_pin``).

After ``MAX_WRONG_PINS`` wrong PINs in a row at a till, the till refuses
every PIN for ``LOCKOUT``: a brake on fumbling and guessing at the counter.
The count is the till's (its shop and its name in the config), since the
PIN screen does not know whose PIN is typed; it is kept in the database, so
that neither restarting the till nor opening it in a second process starts
a new count, and each PIN is counted before it is checked, so that several
processes checking PINs at once cannot check more than the count allows.
Someone who can start stampdesk with settings of their own can read the
database itself: this guards the counter, not the machine.

The shop always keeps an active owner once it has staff: the first member is
an owner, and the last owner cannot be deactivated, so the owner's screens
can never be locked away from everybody.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from ..domain.errors import InvalidInput, NotFound, Refused
from ..domain.pins import LOCKOUT, MAX_WRONG_PINS, PinAttempts, pin_weakness, try_pin, wait_left
from ..domain.validate import clean_name, name_key
from ..models import pin_attempts, staff
from ..results import Result
from ..store import Store

ROLES = ("cashier", "owner")
PIN_DIGITS = (4, 8)
MAX_NAME = 60
# scrypt's cost: ~13 ms a hash. The till checks a PIN against every active
# member, so this stays small; a 4-digit PIN is no secret worth more.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**13, 8, 1
_HASH_BYTES = 32
_LOCK_KEY = 84218422  # PostgreSQL advisory lock serialising staff changes


@dataclass(frozen=True)
class StaffMember(Result):
    """A member of staff as the till shows them (never their PIN or hash)."""

    id: int
    name: str
    role: str
    active: bool
    created_at: datetime

    @property
    def is_owner(self) -> bool:
        """Whether this member may open the owner's screens."""
        return self.role == "owner"


# --- PINs --------------------------------------------------------------------


def clean_pin(value: object) -> str:
    """A new PIN: 4 to 8 ASCII digits, or a one-line ``InvalidInput``."""
    if not isinstance(value, str):
        raise InvalidInput(code="invalid_pin", phrase="pin_not_text")
    pin = value.strip()
    if not (pin.isascii() and pin.isdigit()):
        raise InvalidInput(code="invalid_pin", phrase="pin_not_digits")
    low, high = PIN_DIGITS
    if not low <= len(pin) <= high:
        raise InvalidInput(code="invalid_pin", phrase="pin_length", low=low, high=high, count=len(pin))
    return pin


def check_pin_strength(pin: str, role: str) -> None:
    """Refuse (``weak_pin``) an owner's PIN that is too easy to guess; a
    cashier's may be any (see ``domain.pins``)."""
    if role != "owner":
        return
    weakness = pin_weakness(pin)
    if weakness is not None:
        # One phrase per weakness (``one_digit``, ``sequence``, ``repeated``,
        # ``year``, ``common``): the refusal names it.
        raise InvalidInput(code="weak_pin", phrase=f"weak_pin_{weakness}")


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (hex): the parameters travel with the hash,
    so raising the cost later keeps the old hashes readable."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=_HASH_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Whether ``pin`` is the one ``stored`` was made from (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(digest)
        actual = hashlib.scrypt(
            pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def clean_role(value: object) -> str:
    if value not in ROLES:
        raise InvalidInput(code="invalid_role", value=str(value)[:20])  # names ROLES
    return str(value)


def clean_staff_name(value: object) -> str:
    name = clean_name(value)
    if len(name) > MAX_NAME:
        raise InvalidInput(code="invalid_name", phrase="staff_name_too_long", longest=MAX_NAME)
    return name


# --- Wrong PINs in a row, per till, in the database ---------------------


def _till_key(conn: Connection, store: Store) -> dict[str, Any]:
    # The till this process is: its shop, and its name ('' for none).
    return {"shop_id": store.shop_id(conn), "till": store.settings.till or ""}


def _count_attempt(store: Store, now: datetime) -> PinAttempts:
    """Count one more PIN at this till before it is checked (``try_pin``),
    or refuse it (``pin_locked``) while the till is locked. One short
    write transaction, the till's row locked: processes of one till take
    their turn."""

    def count(conn: Connection) -> PinAttempts:
        key = _till_key(conn, store)
        conn.execute(
            text("INSERT INTO pin_attempts (shop_id, till) VALUES (:shop_id, :till) ON CONFLICT DO NOTHING"),
            key,
        )
        query = select(pin_attempts.c.wrong, pin_attempts.c.locked_until).where(
            pin_attempts.c.shop_id == key["shop_id"], pin_attempts.c.till == key["till"]
        )
        row = conn.execute(query.with_for_update() if store.postgres else query).one()
        attempts = PinAttempts(row.wrong, row.locked_until)
        left = wait_left(attempts, now)
        if left is not None:
            wait = math.ceil(left.total_seconds())
            raise Refused(code="pin_locked", phrase="pin_wait", seconds=wait)
        after = try_pin(attempts, now)
        conn.execute(
            update(pin_attempts)
            .where(pin_attempts.c.shop_id == key["shop_id"], pin_attempts.c.till == key["till"])
            .values(wrong=after.wrong, locked_until=after.locked_until)
        )
        return after

    return store.transact(count)


def _right_pin(store: Store) -> None:
    """A right PIN: the till's count starts again."""

    def clear(conn: Connection) -> None:
        key = _till_key(conn, store)
        conn.execute(
            update(pin_attempts)
            .where(pin_attempts.c.shop_id == key["shop_id"], pin_attempts.c.till == key["till"])
            .values(wrong=0, locked_until=None)
        )

    store.transact(clear)


# --- Use cases ----------------------------------------------------------------


def _member(row: Any) -> StaffMember:
    return StaffMember(row.id, row.name, row.role, row.deactivated_at is None, row.created_at)


def _active(conn: Connection) -> list[Any]:
    return list(conn.execute(select(staff).where(staff.c.deactivated_at.is_(None)).order_by(staff.c.id)))


def _pin_owner(pin: str, rows: list[Any]) -> Any | None:
    """The row whose hash ``pin`` matches. Every row is hashed, match or not,
    so the time taken does not say whose PIN it was."""
    found = None
    for row in rows:
        if pin_matches(pin, row.pin_hash) and found is None:
            found = row
    return found


def _lock_staff(conn: Connection, store: Store) -> None:
    # SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs a
    # lock, since a new member's PIN must differ from rows being inserted.
    if store.postgres:
        conn.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})"))


def _check_pin_free(
    pin: str, rows: list[Any], checked: set[tuple[int, str]], keep: int | None = None
) -> None:
    """Refuse ``pin`` when an active member (other than ``keep``) has it;
    rows already in ``checked`` were hashed before the write began."""
    unchecked = [r for r in rows if (r.id, r.pin_hash) not in checked and r.id != keep]
    if _pin_owner(pin, unchecked) is not None:
        raise InvalidInput(code="pin_taken")


def _pre_check(store: Store, pin: str, keep: int | None = None) -> set[tuple[int, str]]:
    """Hash ``pin`` against the active members *before* the write, so the
    write lock is not held while scrypt runs; returns what was checked."""
    with store.read() as conn:
        rows = _active(conn)
    _check_pin_free(pin, rows, set(), keep)
    return {(r.id, r.pin_hash) for r in rows}


def add_staff(store: Store, name: object, role: object, pin: object) -> StaffMember:
    """Add a member of staff. The first one must be an owner; names are
    unique among active members (case and accents ignored); PINs too."""
    clean = clean_staff_name(name)
    key = name_key(clean)
    kind = clean_role(role)
    code = clean_pin(pin)
    check_pin_strength(code, kind)
    checked = _pre_check(store, code)
    pin_hash = hash_pin(code)
    now = store.now()
    try:
        with store.write() as conn:
            _lock_staff(conn, store)
            rows = _active(conn)
            if any(r.name_key == key for r in rows):
                raise InvalidInput(code="duplicate_name", name=clean)
            if kind != "owner" and not any(r.role == "owner" for r in rows):
                raise Refused(code="no_owner")
            _check_pin_free(code, rows, checked)
            new_id = conn.execute(
                insert(staff).values(name=clean, name_key=key, role=kind, pin_hash=pin_hash, created_at=now)
            ).inserted_primary_key[0]  # type: ignore[index]
    except IntegrityError:
        # Another till added the same name between our check and our insert.
        raise InvalidInput(code="duplicate_name", name=clean) from None
    return StaffMember(int(new_id), clean, kind, True, now)


def list_staff(store: Store, *, include_inactive: bool = False) -> tuple[StaffMember, ...]:
    """The members of staff, owners first, then by name."""
    query = select(staff)
    if not include_inactive:
        query = query.where(staff.c.deactivated_at.is_(None))
    with store.read() as conn:
        rows = list(conn.execute(query))
    rows.sort(key=lambda r: (r.deactivated_at is not None, r.role != "owner", r.name_key, r.id))
    return tuple(_member(r) for r in rows)


def has_staff(store: Store) -> bool:
    """Whether any active member exists (then the till asks for a PIN)."""
    with store.read() as conn:
        return (
            conn.execute(select(staff.c.id).where(staff.c.deactivated_at.is_(None)).limit(1)).first()
            is not None
        )


def _find(conn: Connection, name: object) -> Any:
    key = name_key(clean_staff_name(name))
    row = conn.execute(select(staff).where(staff.c.name_key == key, staff.c.deactivated_at.is_(None))).first()
    if row is None:
        raise NotFound(code="unknown_staff", name=str(name).strip()[:MAX_NAME])
    return row


def set_pin(store: Store, name: object, pin: object) -> StaffMember:
    """Give an active member a new PIN (an owner's not easy to guess)."""
    clean_staff_name(name)
    code = clean_pin(pin)
    with store.read() as conn:
        member = _find(conn, name)
    check_pin_strength(code, member.role)
    checked = _pre_check(store, code, keep=member.id)
    pin_hash = hash_pin(code)
    with store.write() as conn:
        _lock_staff(conn, store)
        row = _find(conn, name)
        check_pin_strength(code, row.role)
        _check_pin_free(code, _active(conn), checked, keep=row.id)
        conn.execute(update(staff).where(staff.c.id == row.id).values(pin_hash=pin_hash))
    return _member(row)


def deactivate(store: Store, name: object) -> StaffMember:
    """Take a member's access away (their name stays in the history). The
    last active owner cannot be deactivated."""
    now = store.now()
    with store.write() as conn:
        _lock_staff(conn, store)
        row = _find(conn, name)
        if row.role == "owner" and not any(r.role == "owner" and r.id != row.id for r in _active(conn)):
            raise Refused(code="last_owner", name=row.name)
        conn.execute(update(staff).where(staff.c.id == row.id).values(deactivated_at=now))
    return StaffMember(row.id, row.name, row.role, False, row.created_at)


def verify_pin(store: Store, pin: object, *, owner: bool = False) -> StaffMember:
    """The active member whose PIN this is, or a ``Refused``: ``wrong_pin``,
    ``pin_locked`` (too many wrong PINs in a row at this till, this one
    included), ``not_owner`` (with ``owner``, a cashier's PIN), ``no_staff``.
    An empty PIN is an ``InvalidInput`` and does not count as a wrong one."""
    if not isinstance(pin, str) or not pin.strip():
        raise InvalidInput(code="invalid_pin", phrase="pin_empty")
    code = pin.strip()
    with store.read() as conn:
        rows = _active(conn)
    if not rows:
        raise Refused(code="no_staff")
    counted = _count_attempt(store, store.now())
    well_formed = code.isascii() and code.isdigit() and PIN_DIGITS[0] <= len(code) <= PIN_DIGITS[1]
    row = _pin_owner(code, rows) if well_formed else None
    if row is None:
        if counted.locked_until is not None:
            seconds = int(LOCKOUT.total_seconds())
            raise Refused(code="pin_locked", times=MAX_WRONG_PINS, seconds=seconds)
        raise Refused(code="wrong_pin")
    _right_pin(store)
    member = _member(row)
    if owner and not member.is_owner:
        raise Refused(code="not_owner", name=member.name)
    return member
