"""The programme: load a new version from TOML, show the current one."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import insert, select

from ..domain.errors import InvalidInput, NotFound
from ..domain.program import parse_program_toml
from ..models import program_versions
from ..results import ProgramInfo
from ..store import Store


def load_program(store: Store, source: str) -> ProgramInfo:
    """Store ``source`` (TOML text) as the new programme version.

    Loading the same rules again creates no new version. A new version never
    touches stamps or coupons already earned.
    """
    program = parse_program_toml(source)
    rules = program.to_dict()
    now = store.now()
    with store.write() as conn:
        latest = conn.execute(
            select(program_versions).order_by(program_versions.c.id.desc()).limit(1)
        ).first()
        if latest is not None and json.loads(latest.rules) == rules:
            return ProgramInfo(latest.id, latest.created_at, rules, latest.source)
        version = conn.execute(
            insert(program_versions).values(
                created_at=now, name=program.name, rules=json.dumps(rules, sort_keys=True), source=source
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    return ProgramInfo(version, now, rules, source)


def load_program_file(store: Store, path: str | Path) -> ProgramInfo:
    file = Path(path)
    try:
        source = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"programme file {file} does not exist", "invalid_program") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read programme file {file}: {exc}", "invalid_program") from None
    return load_program(store, source)


def show_program(store: Store) -> ProgramInfo:
    with store.read() as conn:
        latest = conn.execute(
            select(program_versions).order_by(program_versions.c.id.desc()).limit(1)
        ).first()
    if latest is None:
        raise NotFound("no programme is loaded yet: run `stampdesk program load FILE`", "no_program")
    return ProgramInfo(latest.id, latest.created_at, json.loads(latest.rules), latest.source)
