"""schemathesis against the OpenAPI schema, with every check it has: valid
requests are accepted (never a 422 for what the schema allows), malformed
ones refused (never a 2xx for what it forbids), no 5xx, every answer, its
status, content type and headers as documented, a 405 that names the
allowed methods, no operation that ignores its key.

What the schema's patterns cannot say (a check digit, a time in the past,
a signed receipt token, a programme) it names by a ``format``; here each
format draws values of that kind, some of them this shop's own.

Bounded and derandomized (a few examples per operation and mode) so the run
is short and the same every time.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import schemathesis.checks
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.formats import unregister_string_format

from helpers import EXAMPLE_PROGRAM, Clock
from stampdesk.desk import Desk
from stampdesk.domain.card_numbers import check_digit
from stampdesk.domain.coupon_codes import ALPHABET, _check_char
from stampdesk.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

EXAMPLES = int(os.environ.get("STAMPDESK_EXAMPLES", "12"))

schemathesis.checks.load_all_checks()
ALL_CHECKS = schemathesis.checks.CHECKS.get_all()


def card_numbers(known: list[str]) -> st.SearchStrategy[str]:
    drawn = st.text(alphabet="0123456789", min_size=11, max_size=11).map(lambda d: "2" + d)
    return st.one_of(st.sampled_from(known), drawn.map(lambda body: body + check_digit(body)))


def coupon_codes(known: list[str]) -> st.SearchStrategy[str]:
    drawn = st.text(alphabet=ALPHABET, min_size=7, max_size=7).map(lambda body: body + _check_char(body))
    return st.one_of(st.sampled_from(known), drawn)


# The schema says an amount's shape; the most a sale may be is the shop's
# own rule (``earning.max_amount``, 10000.00 unless set), which no schema
# can know: this shop takes every amount the shape allows.
PROGRAMME = EXAMPLE_PROGRAM.read_text(encoding="utf-8").replace(
    '# max_amount = "10000.00"', 'max_amount = "999999999.99"'
)


@pytest.fixture
def shop(sqlite_desk: Desk, clock: Clock, tmp_path: Path) -> Iterator[Desk]:
    """A shop with a card, its coupons, walk-in receipts; the formats of its
    schema drawn from it while the test runs."""
    desk = sqlite_desk
    assert "999999999.99" in PROGRAMME
    (tmp_path / "program.toml").write_text(PROGRAMME, encoding="utf-8")
    desk.load_program(tmp_path / "program.toml")
    number = desk.enrol(name="Ana Martin", email="ana@example.org").number
    desk.checkout(card=number, amount="12.50")
    coupons = [c.code for c in desk.card(number).coupons]
    assert coupons
    tokens = [t for t in (desk.checkout(amount="4.20").claim_token for _ in range(3)) if t]
    opened = desk.now()  # the card, its coupons and the receipts are of this moment
    clock.advance(days=2)
    now = desk.now()
    formats = {
        "card-number": card_numbers([number]),
        "coupon-code": coupon_codes(coupons),
        # A time in the past that the shop's records allow: after the card and
        # its coupons were made (a sale or a use before them is refused, as the
        # schema cannot say), before now.
        "past-date-time": st.datetimes(
            opened.replace(tzinfo=None) + timedelta(minutes=1),
            now.replace(tzinfo=None) - timedelta(minutes=1),
            timezones=st.just(UTC),
        ).map(datetime.isoformat),
        "birthday": st.dates(date(1900, 1, 1), now.date() - timedelta(days=1)).map(date.isoformat),
        "person-name": st.text(st.characters(categories=["L"]), min_size=1, max_size=60),
        "email-address": st.from_regex(r"[a-z0-9.]{0,20}[a-z0-9]@[a-z]{1,10}\.(org|fr)", fullmatch=True),
        "claim-token": st.sampled_from(tokens),
        "programme-toml": st.just(PROGRAMME),
    }
    for name, strategy in formats.items():
        schemathesis.openapi.format(name, strategy)
    try:
        yield desk
    finally:
        for name in formats:
            unregister_string_format(name)


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "malformed"]
)
def test_every_check_of_schemathesis_passes(shop: Desk, mode: GenerationMode) -> None:
    key = shop.create_api_key("owner", "admin").key
    app = create_app(shop, print_outbox=False)
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(app):  # runs the lifespan, as the server does
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 10
        skipped: list[str] = []
        for operation in operations:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=ALL_CHECKS)

            try:
                check()
            except Unsatisfiable:
                # Nothing to make malformed (GET /health takes no input, a
                # token in a page's path is any text).
                assert mode is GenerationMode.NEGATIVE
                skipped.append(operation.label)
        # Only operations whose input is free text (a page's token) or none.
        assert set(skipped) <= {"GET /api/v1/health", "GET /join/{token}", "POST /join/{token}"}, skipped
