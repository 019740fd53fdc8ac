"""The programme: load a new version from TOML, show the current one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from ..domain.errors import InvalidInput, NotFound
from ..domain.program import parse_program_toml
from ..models import program_versions, versions_for
from ..results import ProgramInfo
from ..store import Store
from .shops import shop_id_of, shop_name


def load_program(store: Store, source: str, *, shop: object = None) -> ProgramInfo:
    """Store ``source`` (TOML text) as the new programme version, for the
    whole chain or, with ``shop``, for that shop only.

    Loading the rules already in force creates no new version. A new version
    never touches stamps or coupons already earned. A chain-wide version
    replaces every shop's own.
    """
    program = parse_program_toml(source)
    rules = program.to_dict()
    now = store.now()
    with store.write() as conn:
        shop_id = shop_id_of(conn, shop) if shop is not None else None
        latest_query = select(program_versions).order_by(program_versions.c.id.desc()).limit(1)
        if shop_id is not None:
            latest_query = latest_query.where(versions_for(shop_id))
        latest = conn.execute(latest_query).first()
        if latest is not None and json.loads(latest.rules) == rules and (shop_id or latest.shop_id is None):
            return _info(store, conn, latest)
        version = conn.execute(
            insert(program_versions).values(
                created_at=now,
                name=program.name,
                rules=json.dumps(rules, sort_keys=True),
                source=source,
                shop_id=shop_id,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        name = shop_name(conn, shop_id) if shop_id is not None else None
    return ProgramInfo(version, now, rules, source, name, program=program)


def _info(store: Store, conn: Connection, row: Any) -> ProgramInfo:
    name = shop_name(conn, row.shop_id) if row.shop_id is not None else None
    program = store.program(conn, row.id)  # parsed once per version and process
    return ProgramInfo(row.id, row.created_at, json.loads(row.rules), row.source, name, program=program)


def load_program_file(store: Store, path: str | Path, *, shop: object = None) -> ProgramInfo:
    file = Path(path)
    try:
        source = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(code="invalid_program", phrase="program_file_missing", file=str(file)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            code="invalid_program", phrase="program_file_unreadable", file=str(file), reason=str(exc)
        ) from None
    return load_program(store, source, shop=shop)


def show_program(store: Store, *, shop: object = None) -> ProgramInfo:
    """The programme in force for ``shop`` (default: this till's shop)."""
    with store.read() as conn:
        shop_id = shop_id_of(conn, shop) if shop is not None else store.shop_id(conn)
        latest = conn.execute(
            select(program_versions)
            .where(versions_for(shop_id))
            .order_by(program_versions.c.id.desc())
            .limit(1)
        ).first()
        if latest is None:
            raise NotFound(code="no_program", phrase="program_not_loaded")
        return _info(store, conn, latest)
