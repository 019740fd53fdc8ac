"""Receipt QR codes a customer's phone cannot open: the rule (which
``public_url`` a phone reaches), and ``stampdesk check`` and ``stampdesk
serve`` saying so in the shop's language, with how to set it."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import EXAMPLE_PROGRAM
from stampdesk.config import default_config_file
from stampdesk.domain.public_url import mail_links_problem, reachable_by_phones, unreachable_reason
from stampdesk.words import Book
from test_cli import ok_json, stampdesk

# --- The rule (pure) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (None, "unset"),
        ("", "unset"),
        ("http://127.0.0.1:8421/", "loopback"),
        ("http://127.4.5.6/", "loopback"),  # all of 127.0.0.0/8
        ("http://127.1:8421/", "loopback"),  # the short form browsers read
        ("http://2130706433/", "loopback"),  # 127.0.0.1 as one number
        ("http://localhost:8421/", "loopback"),
        ("http://LocalHost./", "loopback"),
        ("https://till.localhost/", "loopback"),  # RFC 6761: *.localhost is this machine
        ("http://[::1]:8421/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://0.0.0.0:8421/", "any_address"),  # where a server listens, not an address to open
        ("http://[::]:8421/", "any_address"),
        ("http:///join/", "no_host"),
        ("http://[::1/", "no_host"),
        ("https://cafe.example/", None),
        ("https://cafe.example:8443/stamps/", None),
        ("http://192.168.1.20:8421/", None),  # a shop on its own Wi-Fi: plain http on a LAN address
        ("http://10.0.0.7/", None),
        ("http://cafe.local:8421/", None),  # mDNS on the shop's Wi-Fi: accepted
        ("http://[fe80::1%25eth0]:8421/", None),
        ("http://127.0.0.1.nip.io/", None),  # a name, even one that looks like an address
        ("http://1270.0.0.1/", None),
    ],
)
def test_which_public_urls_a_customers_phone_can_open(url: str | None, reason: str | None) -> None:
    assert unreachable_reason(url) == reason
    assert reachable_by_phones(url) is (reason is None)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://cafe.example/", None),
        ("https://cafe.example:8443/stamps/", None),
        ("HTTPS://Cafe.Example/", None),
        ("http://cafe.example/", "not_https"),  # RFC 8058: the one-click unsubscribe is https
        ("https://192.168.1.20:8421/", "private"),  # the shop's Wi-Fi: not from a customer's home
        ("https://10.0.0.7/", "private"),
        ("https://cafe.local/", "private"),
        ("https://[fe80::1%25eth0]/", "private"),
        ("https://127.0.0.1:8421/", "loopback"),  # what a phone cannot open, an e-mail cannot either
        ("https://0.0.0.0/", "any_address"),
        (None, "unset"),
    ],
)
def test_which_public_urls_an_e_mail_may_carry(url: str | None, reason: str | None) -> None:
    assert mail_links_problem(url) == reason


# --- stampdesk check ------------------------------------------------------------


def write_config(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "shop.toml"
    config.write_text(text, encoding="utf-8")
    return config


def test_check_warns_in_french_without_a_public_url_and_still_passes(sqlite_url: str) -> None:
    run = stampdesk("check", "--db", sqlite_url)
    assert run.status == 0 and run.out.startswith("OK"), run
    path = default_config_file()  # no config file yet: the one stampdesk reads
    assert run.err_lines == [
        "stampdesk : attention : Les codes QR des tickets ne s'ouvriront pas sur le téléphone d'un client :"
        " public_url n'est pas réglé, ils mènent donc à http://127.0.0.1:8421/, cet ordinateur lui-même."
        f" Réglez public_url = \"https://…\" (l'adresse où l'on joint les pages de la boutique) dans {path}."
    ]


def test_check_json_gives_the_warning_as_codes_and_the_config_file(sqlite_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, 'locale = "en_GB"\npublic_url = "http://0.0.0.0:8421"\n')
    report = ok_json("check", "--db", sqlite_url, "--config", str(config))  # nothing on stderr
    assert report["ok"] is True and report["mismatches"] == [] and report["missing_rewards"] == []
    assert report["warnings"] == [
        {
            "code": "public_url_unreachable",
            "reason": "any_address",
            "public_url": "http://0.0.0.0:8421/",
            "config_file": str(config),
            "message": "Receipt QR codes will not open on a customer's phone: public_url"
            " (http://0.0.0.0:8421/) is an address to listen on, not one a phone can open."
            f' Set public_url = "https://…" (the address the shop\'s pages are reached at) in {config}.',
        }
    ]
    text = stampdesk("check", "--db", sqlite_url, "--config", str(config))
    assert text.status == 0 and text.err_lines == [f"stampdesk: warning: {report['warnings'][0]['message']}"]


@pytest.mark.parametrize("url", ["https://cafe.example/", "http://192.168.1.20:8421/"])
def test_check_says_nothing_of_a_public_url_phones_reach(sqlite_url: str, tmp_path: Path, url: str) -> None:
    config = write_config(tmp_path, f'public_url = "{url}"\n')
    assert ok_json("check", "--db", sqlite_url, "--config", str(config))["warnings"] == []
    run = stampdesk("check", "--db", sqlite_url, "--config", str(config))
    assert run.status == 0 and run.err == "", run


def with_emails(sqlite_url: str, tmp_path: Path) -> None:
    """The example programme, plus a win-back e-mail after 30 days."""
    programme = tmp_path / "programme.toml"
    text = (
        EXAMPLE_PROGRAM.read_text(encoding="utf-8") + '\n[[program.messages]]\nkind = "win_back"\ndays = 30\n'
    )
    programme.write_text(text, encoding="utf-8")
    assert stampdesk("program", "load", str(programme), "--db", sqlite_url).status == 0


def test_check_says_when_the_programmes_e_mails_cannot_go(sqlite_url: str, tmp_path: Path) -> None:
    public = 'public_url = "https://cafe.example/"\n'
    config = write_config(tmp_path, public)
    assert ok_json("check", "--db", sqlite_url, "--config", str(config))["warnings"] == []  # no e-mails yet
    with_emails(sqlite_url, tmp_path)
    run = stampdesk("check", "--db", sqlite_url, "--config", str(config))
    assert run.status == 0 and run.out.startswith("OK"), run  # a warning, not a failure
    assert run.err_lines == [
        "stampdesk : attention : Le programme envoie des e-mails aux clients, mais aucun serveur de"
        " messagerie n'est réglé : aucun ne partira. Ajoutez une table [mail] (host, port, security, user,"
        f" password_env, from) à {config}."
    ]
    mail = '[mail]\nhost = "smtp.example.org"\nfrom = "Café Bleu <cafe@example.org>"\n'
    # A shop's own Wi-Fi address: fine for a receipt read in the shop, not for an e-mail read at home.
    config = write_config(tmp_path, 'locale = "en_GB"\npublic_url = "http://192.168.1.20:8421/"\n' + mail)
    (warning,) = ok_json("check", "--db", sqlite_url, "--config", str(config))["warnings"]
    assert (warning["code"], warning["reason"]) == ("mail_cannot_go", "not_https")
    assert warning["message"] == (
        "The programme sends e-mails to customers, but none will go: their links must be https, and"
        ' public_url is http://192.168.1.20:8421/. Set public_url = "https://…" (the shop\'s pages on the'
        f" internet) in {config}."
    )
    config = write_config(tmp_path, public + mail)
    assert ok_json("check", "--db", sqlite_url, "--config", str(config))["warnings"] == []


# --- stampdesk serve's start line (in this process: the server itself does not run) ---


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """``uvicorn.Server.run`` returns at once; what it was asked to run."""
    import uvicorn

    ran: list[object] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda server, sockets=None: ran.append(server.config))
    return ran


def test_serve_warns_on_its_start_lines_in_the_shops_language(
    sqlite_url: str, tmp_path: Path, no_server: list[object]
) -> None:
    config = write_config(tmp_path, 'locale = "en_GB"\npublic_url = "http://localhost:8421/"\n')
    run = stampdesk("serve", "--db", sqlite_url, "--config", str(config), "--port", "8499")
    assert run.status == 0 and len(no_server) == 1, run
    assert run.err_lines[0].startswith("stampdesk: POS API on http://127.0.0.1:8499/api/v1")
    assert run.err_lines[1] == (
        "stampdesk: warning: Receipt QR codes will not open on a customer's phone: public_url"
        " (http://localhost:8421/) is this computer's own address."
        f' Set public_url = "https://…" (the address the shop\'s pages are reached at) in {config}.'
    )
    assert len(run.err_lines) == 2


def test_serve_with_a_public_url_starts_without_a_warning(
    sqlite_url: str, tmp_path: Path, no_server: list[object]
) -> None:
    config = write_config(tmp_path, 'public_url = "https://cafe.example/"\n')
    run = stampdesk("serve", "--db", sqlite_url, "--config", str(config))
    assert run.status == 0 and len(no_server) == 1, run
    assert run.err_lines == [Book("fr_FR")("cli.serve", host="127.0.0.1", port=8421)]
