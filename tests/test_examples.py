"""The files in examples/ work as their comments say."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT
from stampdesk.config import ShopDetails, load_settings
from stampdesk.domain.errors import InvalidInput


def test_the_till_integration_example_runs(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "till.py"), f"sqlite:///{tmp_path / 'till.db'}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert "+2 stamps, 4/10" in out.stdout
    assert "Refused as expected" in out.stdout


def test_the_example_config_is_read() -> None:
    settings = load_settings(config=ROOT / "examples" / "config.toml", env={})
    assert settings.database == "sqlite:////var/lib/stampdesk/cafe.db"
    assert settings.locale == "fr_FR" and settings.timezone == "Europe/Paris"
    assert settings.printer.url == "tcp://192.168.1.50:9100" and settings.printer.profile == "TM-T88V"
    assert settings.idempotency_days == 30
    assert settings.printer.card_details == "masked"


@pytest.mark.parametrize(
    ("line", "days"),
    [("idempotency_days = 7", 7), ("", 30), ("idempotency_days = 0", None), ('idempotency_days = "7"', None)],
)
def test_the_window_of_idempotency_keys_is_read_from_the_config(
    tmp_path: Path, line: str, days: int | None
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(line + "\n", encoding="utf-8")
    if days is None:
        with pytest.raises(InvalidInput) as refused:
            load_settings(config=config, env={})
        assert refused.value.code == "invalid_config"
        assert "idempotency_days must be a whole number of days" in str(refused.value)
    else:
        assert load_settings(config=config, env={}).idempotency_days == days


@pytest.mark.parametrize(("line", "expected"), [("", "masked"), ('card_details = "full"', "full")])
def test_receipts_mask_the_card_unless_the_config_says_full(tmp_path: Path, line: str, expected: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[printer]\n{line}\n", encoding="utf-8")
    assert load_settings(config=config, env={}).printer.card_details == expected


@pytest.mark.parametrize("value", ['"all"', '"FULL"', "true", "1"])
def test_an_unknown_card_details_setting_is_refused_clearly(tmp_path: Path, value: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[printer]\ncard_details = {value}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_settings(config=config, env={})
    assert caught.value.code == "invalid_config" and "printer.card_details" in caught.value.message


def test_the_database_option_wins_over_environment_and_config(tmp_path: Path) -> None:
    config = ROOT / "examples" / "config.toml"
    env = {"STAMPDESK_DB": "sqlite:///env.db"}
    assert load_settings(db="sqlite:///opt.db", config=config, env=env).database == "sqlite:///opt.db"
    assert load_settings(config=config, env=env).database == "sqlite:///env.db"
    assert load_settings(env={"XDG_DATA_HOME": str(tmp_path)}).database.endswith("stampdesk.db")


def test_the_shop_table_says_what_printed_cards_say_and_keeps_the_chains_shop(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[shop]\nname = "Café Bleu"\naddress = "12 rue de l\'Église, Besançon"\nphone = "03 81 00 00 00"\n'
        'branch = "Gare"\n',
        encoding="utf-8",
    )
    settings = load_settings(config=config, env={})
    assert settings.shop_details == ShopDetails("Café Bleu", "12 rue de l'Église, Besançon", "03 81 00 00 00")
    assert settings.shop == "Gare"
    config.write_text('shop = "Gare"\n', encoding="utf-8")
    settings = load_settings(config=config, env={})
    assert (settings.shop, settings.shop_details) == ("Gare", ShopDetails())
    example = load_settings(config=ROOT / "examples" / "config.toml", env={})
    assert example.shop_details.name == "Café Bleu" and example.shop is None


@pytest.mark.parametrize(
    ("table", "said"),
    [('email = "x@example.org"', "unknown key shop.email"), ("phone = 3381", "shop.phone must be text")],
)
def test_a_wrong_shop_table_is_refused_clearly(tmp_path: Path, table: str, said: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[shop]\n{table}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_settings(config=config, env={})
    assert caught.value.code == "invalid_config" and said in caught.value.message
