"""`stampdesk apikey`: create (shown once), list (never the key), revoke;
bad input is refused with the CLI's exit statuses and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import ERROR_LINE, EXAMPLE_PROGRAM, content
from stampdesk import connect
from stampdesk.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_create_list_and_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'shop.db'}"
    assert run(capsys, "--db", db, "program", "load", str(EXAMPLE_PROGRAM))[0] == 0
    status, out, _ = run(capsys, "--db", db, "apikey", "create", "till-1")
    assert status == 0
    key = out.splitlines()[1]
    assert key.startswith("sdk_") and "Affichée une seule fois" in out
    status, out, _ = run(capsys, "--db", db, "apikey", "create", "owner", "--role", "admin", "--json")
    made = json.loads(out)
    assert status == 0 and made["name"] == "owner" and made["role"] == "admin"
    status, out, _ = run(capsys, "--db", db, "apikey", "list")
    assert status == 0 and key not in out and made["key"] not in out
    assert [line.split()[:2] for line in out.splitlines()] == [["owner", "admin"], ["till-1", "till"]]
    assert key[:12] in out
    assert run(capsys, "--db", db, "apikey", "revoke", "till-1")[0] == 0
    status, out, _ = run(capsys, "--db", db, "apikey", "list", "--all", "--json")
    keys = {k["name"]: k for k in json.loads(out)["keys"]}
    assert keys["till-1"]["revoked_at"] is not None and keys["owner"]["revoked_at"] is None
    with connect(db) as desk:
        assert desk.verify_api_key(key) is None
        assert desk.verify_api_key(made["key"]) is not None


@pytest.mark.parametrize(
    ("args", "status", "code"),
    [
        (["apikey", "create", "till 1"], 1, "invalid_api_key_name"),
        (["apikey", "create", "till-1", "--role", "root"], 2, "usage"),
        (["apikey", "revoke", "nobody"], 1, "unknown_api_key"),
        (["apikey", "create", "till-1"], 1, "api_key_exists"),
    ],
    ids=["bad name", "bad role", "unknown", "twice"],
)
def test_bad_input_is_refused_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], status: int, code: str
) -> None:
    db = f"sqlite:///{tmp_path / 'shop.db'}"
    assert run(capsys, "--db", db, "apikey", "create", "till-1")[0] == 0
    with connect(db) as desk:
        before = content(desk)
    got, out, err = run(capsys, "--db", db, "--json", *args)
    assert got == status
    assert json.loads(out)["error"]["code"] == code
    assert len(err.strip().splitlines()) == 1 and err.startswith(ERROR_LINE)
    with connect(db) as desk:
        assert content(desk) == before
