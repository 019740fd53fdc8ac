"""schemathesis against the OpenAPI schema: generated requests, valid ones
and malformed ones, never get a 5xx, and every answer matches the schema.

Bounded and derandomized (a few examples per operation and mode) so the run
is short and the same every time.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from stampdesk.desk import Desk
from stampdesk.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

EXAMPLES = 12


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "malformed"]
)
def test_no_5xx_and_every_answer_matches_the_schema(sqlite_desk: Desk, mode: GenerationMode) -> None:
    key = sqlite_desk.create_api_key("owner", "admin").key
    number = sqlite_desk.enrol(name="Ana Martin", email="ana@example.org").number
    sqlite_desk.checkout(card=number, amount="12.50")
    app = create_app(sqlite_desk, print_outbox=False)
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
                case.call_and_validate(
                    headers=headers, checks=[not_a_server_error, response_schema_conformance]
                )

            try:
                check()
            except Unsatisfiable:
                # Nothing to make malformed (GET /health takes no input, a
                # token in a page's path is any text).
                assert mode is GenerationMode.NEGATIVE
                skipped.append(operation.label)
        # Only operations whose input is free text (a page's token) or none.
        assert set(skipped) <= {"GET /api/v1/health", "GET /join/{token}", "POST /join/{token}"}, skipped
