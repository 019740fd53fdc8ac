"""The OpenAPI schema, finished: what the routes' signatures cannot say.

Handlers take their path values as text and leave them to the domain's
checks (the same messages as the CLI's); the schema still documents their
exact shape, by the parameter's name, for every route that has it. The
bearer key is the default of every operation; the few public ones (health,
the customer pages) say ``security: []``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ..domain import shapes
from .schemas import CARD_NUMBER_SCHEMA, error_example

SECURITY: list[dict[str, list[str]]] = [{"ApiKey": []}]
# Operations anyone may call, without a key.
PUBLIC_PATHS = ("/api/v1/health", "/join/")

PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "checkout_id": dict(
        type="integer",
        minimum=1,
        maximum=2**62 - 1,
        description="The sale's id, as its checkout result gave it (`checkout`).",
        examples=[42],
    ),
    "number": CARD_NUMBER_SCHEMA,
    "code": dict(
        type="string",
        format="coupon-code",
        pattern=shapes.COUPON_CODE,
        description="8 characters of Crockford's base 32, the last a check character, as the "
        "receipt prints them (`K7QH-2M9P`): dashes and spaces are ignored, lower case reads as "
        "upper case, O as 0, I and L as 1.",
        examples=["K7QH2M9P"],
    ),
}


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` answer the finished schema (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            app.openapi_schema = finish(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def finish(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its global security and its path parameters' shapes."""
    schema["security"] = SECURITY
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            if path.startswith(PUBLIC_PATHS):
                operation["security"] = []
            else:
                operation.setdefault("security", SECURITY)
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                _body_errors(operation["responses"])
            for parameter in operation.get("parameters", ()):
                shape = PATH_PARAMETERS.get(parameter["name"])
                if parameter["in"] == "path" and shape is not None:
                    parameter["schema"] = dict(shape)
    return schema


# What any JSON body may be refused with, before its route reads it
# (``app.JsonBodies``): the status's text, and an example of its error.
BODY_ERRORS_DESCRIPTION = {
    "400": (
        "The body is not valid JSON, or names a key twice (`invalid_json`, `duplicate_key`).",
        "duplicate_key",
        "the JSON body names amount twice: send each field once",
    ),
    "415": (
        "The body is not sent as `Content-Type: application/json` (`unsupported_media_type`).",
        "unsupported_media_type",
        "send the body as JSON, with Content-Type: application/json (it came as text/plain)",
    ),
}


def _body_errors(responses: dict[str, Any]) -> None:
    for status, (text, code, message) in BODY_ERRORS_DESCRIPTION.items():
        responses.setdefault(
            status,
            {
                "description": text,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/ErrorBody"},
                        "example": error_example(code, message),
                    }
                },
            },
        )
