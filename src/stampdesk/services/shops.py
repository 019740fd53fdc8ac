"""The shops of a chain and their tills.

One database serves the whole chain: a card is one card in every shop, and
its stamps follow it. What belongs to a shop is its sales (each records its
shop and till), its tills (a till is in one shop; its API key is the till's),
and optionally a programme of its own.

Which programme a sale follows: the newest version loaded for its shop or
for the whole chain. A shop's own version applies to it until the chain
loads a newer one for every shop. A sale recorded later (``--at``, or
replayed from a till that was offline) follows the version in force at the
moment of the sale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..domain.errors import InvalidInput, NotFound, Refused
from ..domain.validate import clean_name, name_key
from ..models import program_versions, shops, tills, versions_for
from ..results import Result
from ..store import Store
from .apikeys import clean_name as clean_till_name


@dataclass(frozen=True)
class ShopInfo(Result):
    """A shop, its tills and, if it has one, its own programme version."""

    id: int
    name: str
    created_at: datetime
    tills: tuple[str, ...]
    own_program: int | None


@dataclass(frozen=True)
class TillInfo(Result):
    name: str
    shop: str
    shop_id: int


def current_version() -> Select[Any]:
    """The version in force for the shop bound as ``shop``: its newest."""
    return select(func.max(program_versions.c.id)).where(versions_for(bindparam("shop")))


def version_at() -> Select[Any]:
    """The version in force for the shop ``shop`` at the moment ``at``: the
    newest loaded by then (a sale older than every version: the first)."""
    loaded = (
        select(func.max(program_versions.c.id))
        .where(versions_for(bindparam("shop")), program_versions.c.created_at <= bindparam("at"))
        .scalar_subquery()
    )
    first = select(func.min(program_versions.c.id)).where(versions_for(bindparam("shop"))).scalar_subquery()
    return select(func.coalesce(loaded, first))


def add_shop(store: Store, name: object) -> ShopInfo:
    """A new shop of the chain; refused when one has that name already."""
    clean = clean_name(name)
    key = name_key(clean)
    now = store.now()
    refusal = Refused(code="shop_exists", name=clean)
    try:
        with store.write() as conn:
            if conn.execute(select(shops.c.id).where(shops.c.name_key == key)).first() is not None:
                raise refusal
            shop_id = conn.execute(
                insert(shops).values(name=clean, name_key=key, created_at=now)
            ).inserted_primary_key[0]  # type: ignore[index]
    except IntegrityError:
        raise refusal from None  # another process added it at the same moment
    return ShopInfo(int(shop_id), clean, now, (), None)


def rename_shop(store: Store, shop: object, name: object) -> ShopInfo:
    """Give a shop a new name (its sales and tills stay its own)."""
    clean = clean_name(name)
    try:
        with store.write() as conn:
            shop_id = shop_id_of(conn, shop)
            taken = conn.execute(
                select(shops.c.id).where(shops.c.name_key == name_key(clean), shops.c.id != shop_id)
            ).first()
            if taken is not None:
                raise Refused(code="shop_exists", name=clean)
            conn.execute(
                update(shops).where(shops.c.id == shop_id).values(name=clean, name_key=name_key(clean))
            )
    except IntegrityError:
        raise Refused(code="shop_exists", name=clean) from None
    store.forget_shops()
    return next(s for s in list_shops(store) if s.id == shop_id)


def list_shops(store: Store) -> tuple[ShopInfo, ...]:
    """Every shop, in the order they were added, with its tills."""
    with store.read() as conn:
        rows = conn.execute(select(shops).order_by(shops.c.id)).all()
        till_rows = conn.execute(select(tills.c.name, tills.c.shop_id).order_by(tills.c.name)).all()
        own = dict(
            conn.execute(
                select(program_versions.c.shop_id, func.max(program_versions.c.id)).group_by(
                    program_versions.c.shop_id
                )
            ).all()
        )
    chain = own.get(None)
    return tuple(
        ShopInfo(
            r.id,
            r.name,
            r.created_at,
            tuple(t.name for t in till_rows if t.shop_id == r.id),
            # A shop's own version rules it only while it is newer than the chain's.
            own[r.id] if r.id in own and (chain is None or own[r.id] > chain) else None,
        )
        for r in rows
    )


def assign_till(store: Store, till: object, shop: object) -> TillInfo:
    """Put the till ``till`` in the shop ``shop`` (registering the till, or
    moving it: its past sales stay with the shop they were made in)."""
    name = clean_till_name(till)
    now = store.now()
    for attempt in (1, 2):
        try:
            with store.write() as conn:
                shop_id = shop_id_of(conn, shop)
                shop_name = conn.execute(select(shops.c.name).where(shops.c.id == shop_id)).scalar_one()
                existing = conn.execute(select(tills.c.id).where(tills.c.name == name)).first()
                if existing is None:
                    conn.execute(insert(tills).values(name=name, shop_id=shop_id, created_at=now))
                else:
                    conn.execute(update(tills).where(tills.c.id == existing.id).values(shop_id=shop_id))
            break
        except IntegrityError:
            if attempt == 2:
                raise
            # Another process registered the till at the same moment: move it.
    store.forget_shops()
    return TillInfo(name, shop_name, shop_id)


def list_tills(store: Store) -> tuple[TillInfo, ...]:
    with store.read() as conn:
        rows = conn.execute(
            select(tills.c.name, shops.c.name.label("shop"), tills.c.shop_id)
            .join(shops, shops.c.id == tills.c.shop_id)
            .order_by(tills.c.name)
        ).all()
    return tuple(TillInfo(r.name, r.shop, r.shop_id) for r in rows)


def shop_id_of(conn: Connection, shop: object) -> int:
    """The id of the shop named ``shop`` (any case and accents), or of the
    shop with that number; a clear refusal when there is none."""
    if isinstance(shop, int) and not isinstance(shop, bool):
        found = conn.execute(select(shops.c.id).where(shops.c.id == shop)).scalar()
    elif isinstance(shop, str) and shop.strip():
        text = shop.strip()
        found = conn.execute(select(shops.c.id).where(shops.c.name_key == name_key(text))).scalar()
        if found is None and text.isdigit():
            found = conn.execute(select(shops.c.id).where(shops.c.id == int(text))).scalar()
    else:
        raise InvalidInput(code="invalid_shop")
    if found is None:
        known = ", ".join(conn.execute(select(shops.c.name).order_by(shops.c.id)).scalars())
        raise NotFound(code="unknown_shop", shop=shop, known=known)
    return int(found)


def shop_name(conn: Connection, shop_id: int) -> str:
    return str(conn.execute(select(shops.c.name).where(shops.c.id == shop_id)).scalar_one())
