"""The words book: every sentence in both languages, every engine error in
the book, one money and one date formatter."""

from __future__ import annotations

import ast
import re
import string
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from stampdesk.domain.errors import InvalidInput, NotFound
from stampdesk.words import Book, catalogue, formats

SRC = Path(__file__).resolve().parents[1] / "src" / "stampdesk"
# The engine's errors, and those said the same way: a printer's fault, an
# HTTP-level refusal, a usage mistake the command line finds itself.
ERRORS = {
    "StampdeskError",
    "InvalidInput",
    "NotFound",
    "Refused",
    "Unreachable",
    "PrinterError",
    "ApiRefusal",
    "UsageMistake",
}


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_hold_the_same_keys_and_values() -> None:
    book = catalogue()
    assert set(book["en"]) == set(book["fr"])
    for key, english in book["en"].items():
        assert fields(english) == fields(book["fr"][key]), key


def _raised_errors() -> list[tuple[Path, ast.Call]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ERRORS:
                    found.append((path, node))
    return found


def test_every_error_the_engine_raises_is_in_the_book_in_both_languages() -> None:
    book = catalogue()
    given, missing = [], []
    for path, call in _raised_errors():
        where = f"{path.relative_to(SRC)}:{call.lineno}"
        if call.args:
            given.append(where)
            continue
        words = {k.arg: k.value for k in call.keywords if k.arg}
        phrase = words.get("phrase") or words.get("code")
        if not isinstance(phrase, ast.Constant):
            continue  # a phrase chosen at run time: its callers' tests render it
        for lang in ("en", "fr"):
            template = book[lang].get(f"error.{phrase.value}")
            if template is None:
                missing.append(f"{where} error.{phrase.value} ({lang})")
            elif fields(template) - set(words) - {"phrase", "code"}:
                missing.append(f"{where} error.{phrase.value} needs {fields(template) - set(words)}")
    assert not given, f"errors raised with a sentence instead of a code: {given}"
    assert not missing, missing


def test_an_error_is_said_in_the_readers_language() -> None:
    error = NotFound(code="unknown_card", number="2900000000012")
    assert error.message == "no card 2900000000012"
    assert Book("fr_FR").error(error) == "carte 2900000000012 inconnue"
    assert error.to_dict() == {"error": {"code": "unknown_card", "message": error.message}}


def test_an_error_of_its_own_sentence_keeps_it() -> None:
    error = InvalidInput("a sentence of its own", "invalid_thing")
    assert (error.code, error.message, Book("fr_FR").error(error)) == (
        "invalid_thing",
        "a sentence of its own",
        "a sentence of its own",
    )


@pytest.mark.parametrize(
    ("locale", "amount", "day"),
    [
        ("fr_FR", "1 234,50 €", "14/12/2026"),
        ("en_GB", "€1,234.50", "14/12/2026"),
        ("de_DE", "€1,234.50", "14/12/2026"),
    ],
)
def test_one_money_and_one_date_formatter(locale: str, amount: str, day: str) -> None:
    book = Book(locale)
    assert book.money(Decimal("1234.50")) == amount
    assert book.day(date(2026, 12, 14)) == day


@pytest.mark.parametrize(("locale", "share"), [("fr_FR", "1,9 %"), ("en_GB", "1.9%")])
def test_a_share_keeps_the_locales_spacing(locale: str, share: str) -> None:
    assert Book(locale)("report.verdict.line_no_walkins", visits="…", share=0.01875).endswith(
        "1,9 % de leurs achats." if locale == "fr_FR" else "1.9% of their spending."
    )
    assert share in Book(locale)("report.walkin_claims", rate=formats.percent(0.01875, locale))


# What may hold words outside the book: code for developers and integrators
# (SQL, markup, the command line's --help and the HTTP API's documentation,
# which are in English like the code), data, and programming errors.
_NOT_SENTENCES = {
    "help",
    "description",
    "summary",
    "title",
    "openapi_tags",
    "json_schema_extra",
    "responses",
    "where",
    "classes",
    "style",
    "field",
}
_DEVELOPERS = {
    "ValueError",
    "RuntimeError",
    "TypeError",
    "AttributeError",
    "LookupError",
    "AssertionError",
    "DisconnectionError",
    "startswith",
    "endswith",
}
_DOCS = re.compile(r"^_?[A-Z_]*(_HELP|_RESPONSES|_ERROR_TEXT|DESCRIPTION)$")  # --help and OpenAPI texts
_LOGS = {"debug", "info", "warning", "error", "exception", "critical"}
_DATA = {"demo/cafe.py", "demo/simulation.py", "printer/decode.py"}  # sample customers; barcode names
_CODE = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|PRAGMA|SET|DO|BEGIN)\b"
    r"|^--|\bNOT IN\b|[<>{};=$#\\]|%[sd]|\b[A-Z][a-z]+-[A-Z][a-z]+\b"  # SQL, markup, HTTP headers
)
_WORDS = re.compile(r"[A-Za-zÀ-ÿ']{2,}")


def _sentences_outside_the_book() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if relative.parts[0] == "words" or str(relative) in _DATA:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
                skip.add(id(body[0].value))  # docstrings
            if isinstance(node, ast.keyword) and node.arg in _NOT_SENTENCES:
                skip.update(id(n) for n in ast.walk(node.value))
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in _DEVELOPERS or name in _LOGS or name in {"execute", "text", "exec_driver_sql"}:
                    skip.update(id(n) for n in ast.walk(node))
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and _DOCS.match(t.id) for t in targets) and node.value:
                    skip.update(id(n) for n in ast.walk(node.value))
            if isinstance(node, ast.Compare):
                skip.update(id(n) for n in ast.walk(node))  # a driver's message compared, not said
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                text = node.value
                if " " in text.strip() and len(_WORDS.findall(text)) >= 3 and not _CODE.search(text):
                    found.append(f"{relative}:{node.lineno}: {text[:60]!r}")
    return found


def test_no_sentence_lives_outside_the_book() -> None:
    assert _sentences_outside_the_book() == []
