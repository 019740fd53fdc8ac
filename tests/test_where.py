"""One shop whatever the door: ``stampdesk where`` says which database,
config file, printer and public URL a command uses and where each came from;
a command that creates a database says where; the demo café of ``till
--demo`` lives in ./demo/ with its own config file, which the next commands
(and the till's printer screen) use."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import stampdesk as engine
from helpers import EXAMPLE_PROGRAM, ROOT
from stampdesk.cli.common import CliState, UsageMistake
from stampdesk.cli.till import prepare_demo
from stampdesk.config import PrinterSettings, load_settings
from test_cli import ok_json, stampdesk


def where(*args: str) -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = ok_json("where", *args)
    return found


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_where_says_the_defaults_and_creates_nothing(tmp_path: Path) -> None:
    run = stampdesk("where")
    assert run.status == 0 and run.err == "", run
    data_file = tmp_path / "xdg-data" / "stampdesk" / "stampdesk.db"
    config_file = tmp_path / "xdg-config" / "stampdesk" / "config.toml"
    assert run.out.splitlines() == [
        f"Base de données : sqlite:///{data_file} (pas encore créée) — par défaut",
        f"Fichier de configuration : {config_file} (absent : chaque réglage a sa valeur par défaut)"
        " — par défaut",
        "Imprimante : aucune (les tickets ne sont pas imprimés) — par défaut",
        "URL publique : http://127.0.0.1:8421/ — par défaut",
    ]
    assert where() == {
        "database": {"value": f"sqlite:///{data_file}", "exists": False, "source": "default", "via": None},
        "config": {"value": str(config_file), "exists": False, "source": "default", "via": None},
        "printer": {"value": None, "source": "default", "via": None},
        "public_url": {"value": "http://127.0.0.1:8421/", "source": "default", "via": None},
    }
    assert not data_file.exists() and not data_file.parent.exists()


def test_where_follows_the_order_flag_environment_config_file_default(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(
        tmp_path / "shop.toml",
        f'database = "{sqlite_url}"\npublic_url = "https://cafe.example/"\nlocale = "en_GB"\n'
        '[printer]\nurl = "tcp://192.168.1.50:9100"\n',
    )
    found = where("--config", str(config))
    assert found["config"] == {"value": str(config), "exists": True, "source": "flag", "via": "--config"}
    assert found["database"] == {"value": sqlite_url, "exists": True, "source": "config", "via": str(config)}
    assert found["printer"] == {"value": "tcp://192.168.1.50:9100", "source": "config", "via": str(config)}
    assert found["public_url"] == {"value": "https://cafe.example/", "source": "config", "via": str(config)}

    # The environment names the config file, and a database over the file's.
    other = f"sqlite:///{tmp_path / 'other.db'}"
    monkeypatch.setenv("STAMPDESK_CONFIG", str(config))
    monkeypatch.setenv("STAMPDESK_DB", other)
    found = where()
    assert found["config"]["source"] == "env" and found["config"]["via"] == "STAMPDESK_CONFIG"
    assert found["database"] == {"value": other, "exists": False, "source": "env", "via": "STAMPDESK_DB"}

    # Options beat both; said in the shop's language (the file's locale).
    run = stampdesk("--printer", "preview://receipts", "where", "--db", sqlite_url)
    assert run.status == 0 and run.err == "", run
    assert run.out.splitlines() == [
        f"Database: {sqlite_url} — from the command line (--db)",
        f"Config file: {config} — from the environment variable STAMPDESK_CONFIG",
        "Printer: preview://receipts — from the command line (--printer)",
        f"Public URL: https://cafe.example/ — from the config file {config}",
    ]


def test_where_hides_a_servers_password() -> None:
    found = where("--db", "postgresql+psycopg://shop:s3cret@db.example/shop")
    assert found["database"]["value"] == "postgresql+psycopg://shop:***@db.example/shop"
    assert found["database"]["exists"] is None  # not asked: `where` connects to nothing


def test_a_command_that_creates_a_database_says_where_once(tmp_path: Path) -> None:
    database = tmp_path / "new" / "shop.db"
    first = stampdesk("program", "load", str(EXAMPLE_PROGRAM), "--db", f"sqlite:///{database}")
    assert first.status == 0, first
    assert first.err_lines == [f"stampdesk : nouvelle base de données créée : {database}"]
    again = stampdesk("program", "show", "--db", f"sqlite:///{database}")
    assert again.status == 0 and again.err == "", again

    # The default database too: what a forgotten config file used to make in silence.
    english = write(tmp_path / "en.toml", 'locale = "en_GB"\n')
    default = tmp_path / "xdg-data" / "stampdesk" / "stampdesk.db"
    run = stampdesk("search", "mar", "--config", str(english))
    assert run.err_lines == [f"stampdesk: new database created: {default}"], run


def test_the_demo_cafe_is_its_own_folder_with_its_own_config(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A checkout whose demo/cafe.db an older scripts/till built: kept as it is,
    # and its config file written beside it.
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "cafe.db").write_bytes(Path(sqlite_url.removeprefix("sqlite:///")).read_bytes())
    with engine.connect(f"sqlite:///{folder / 'cafe.db'}") as desk:
        desk.load_program_file(EXAMPLE_PROGRAM)
    state = CliState()
    config = prepare_demo(state, folder)
    assert config == folder / "stampdesk.toml" and state.config == str(config)
    assert load_settings(config=config).database == f"sqlite:///{folder / 'cafe.db'}"
    text = config.read_text(encoding="utf-8")
    assert text.startswith("# Le café de démo de `stampdesk till --demo`")
    assert f"stampdesk --config {config}" in text

    # The README's next commands, from the folder above: the demo's shop.
    monkeypatch.chdir(tmp_path)
    found = where("--config", "demo/stampdesk.toml")
    assert found["database"] == {
        "value": f"sqlite:///{folder / 'cafe.db'}",
        "exists": True,
        "source": "config",
        "via": "demo/stampdesk.toml",
    }
    assert ok_json("program", "show", "--config", "demo/stampdesk.toml")["name"] == "Café Bleu"

    # The owner's printer screen keeps its settings in the demo's file,
    # never in the user's config directory.
    with engine.connect(settings=load_settings(config=config)) as desk:
        written = desk.set_printer(PrinterSettings(url="preview://receipts"))
    assert written == config
    assert load_settings(config=config).printer.url == "preview://receipts"
    assert not (tmp_path / "xdg-config").exists()

    # Made once: the owner's changes to it stay.
    prepare_demo(CliState(), folder)
    assert 'url = "preview://receipts"' in config.read_text(encoding="utf-8")


def test_the_demo_goes_with_no_other_database_or_config(tmp_path: Path) -> None:
    for option in ("--db", "--config"):
        with pytest.raises(UsageMistake, match=f"leave out {option}"):
            prepare_demo(CliState(**{option[2:]: "x"}), tmp_path / "demo")  # type: ignore[arg-type]
    run = stampdesk("till", "--demo", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert run.status == 2, run
    said = "--demo opens the demo café of the folder demo/: leave out --db (see: stampdesk till --help)"
    assert run.err_lines == [f"stampdesk: error: {said}"]
    assert not (tmp_path / "demo").exists() and not (tmp_path / "x.db").exists()


def test_git_ignores_what_the_demo_and_sqlite_leave_behind() -> None:
    leftovers = ["demo/stampdesk.toml", "demo/cafe.db", "demo/cafe.db-lock", "shop.db-wal", "shop.db-lock"]
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *leftovers],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.split() == leftovers, done
