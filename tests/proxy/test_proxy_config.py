"""The ``[proxy]`` table of the config file: read, and each mistake said in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from stampdesk.config import load_settings
from stampdesk.domain.errors import InvalidInput
from stampdesk.words import Book


def test_the_proxy_table_is_read(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[proxy]\nlisten = "127.0.0.1:9101"\nprinter = "tcp://10.0.0.9:9100"\n'
        "total_patterns = ['^DU (?P<total>\\S+)']\nbudget_ms = 80\njournal = \"~/journal\"\n",
        encoding="utf-8",
    )
    proxy = load_settings(config=config).proxy
    assert (proxy.listen, proxy.printer, proxy.total_patterns, proxy.budget_ms) == (
        "127.0.0.1:9101",
        "tcp://10.0.0.9:9100",
        ("^DU (?P<total>\\S+)",),
        80,
    )
    assert proxy.journal is not None and proxy.journal.name == "journal" and "~" not in str(proxy.journal)


@pytest.mark.parametrize(
    ("table", "phrase"),
    [
        ('lisen = "0.0.0.0:9100"', "config_proxy_unknown_key"),
        ('listen = "9100"', "config_proxy_listen"),
        ('printer = "192.168.1.50:9100"', "config_proxy_printer"),
        ('printer = "tcp://printer:99999"', "config_proxy_printer"),
        ("budget_ms = 0", "config_proxy_budget"),
        ("budget_ms = 1.5", "config_proxy_budget"),
        ("total_patterns = [1]", "config_proxy_patterns"),
        ("total_patterns = ['TOTAL (\\\\d+']", "config_proxy_pattern"),
        ("total_patterns = ['TOTAL']", "config_proxy_pattern_group"),
    ],
)
def test_a_mistake_in_the_proxy_table_is_said(tmp_path: Path, table: str, phrase: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[proxy]\n{table}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_settings(config=config)
    assert caught.value.phrase == phrase
    english, french = Book("en_GB").error(caught.value), Book("fr_FR").error(caught.value)
    assert "[proxy]" in english and "[proxy]" in french and english != french
