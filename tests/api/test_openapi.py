"""The OpenAPI schema documents every endpoint of the contract, with
examples, string amounts and the error shape."""

from __future__ import annotations

from typing import Any

from .conftest import Api

CONTRACT = [
    ("get", "/api/v1/health"),
    ("post", "/api/v1/checkouts"),
    ("get", "/api/v1/cards/{number}"),
    ("post", "/api/v1/cards"),
    ("get", "/api/v1/cards"),
    ("post", "/api/v1/coupons/{code}/redeem"),
    ("post", "/api/v1/checkouts/{checkout_id}/refund"),
    ("post", "/api/v1/checkouts/{checkout_id}/print"),
    ("get", "/api/v1/program"),
    ("put", "/api/v1/program"),
]


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_every_endpoint_is_documented_with_its_errors(sqlite_api: Api) -> None:
    schema = sqlite_api.client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A till's API key: `stampdesk apikey create NAME` prints it once.",
    }
    for method, path in CONTRACT:
        operation = schema["paths"][path][method]
        assert operation.get("summary"), (method, path)
        errors = {code: r for code, r in operation["responses"].items() if code.startswith("4")}
        if path != "/api/v1/health":
            assert "401" in errors and operation["security"] == [{"ApiKey": []}], (method, path)
        for response in errors.values():
            body = response["content"]["application/json"]
            assert body["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
            assert set(body["example"]["error"]) == {"code", "message"}
        assert "HTTPValidationError" not in str(operation)


def test_bodies_have_examples_and_amounts_are_strings(sqlite_api: Api) -> None:
    schema = sqlite_api.client.get("/openapi.json").json()
    checkout = resolve(
        schema,
        schema["paths"]["/api/v1/checkouts"]["post"]["requestBody"]["content"]["application/json"]["schema"],
    )
    assert checkout["properties"]["amount"]["type"] == "string"
    assert checkout["examples"][0]["amount"] == "12.50"
    item = resolve(schema, checkout["properties"]["items"]["items"])
    assert item["properties"]["price"]["type"] == "string"
    idem = [p for p in schema["paths"]["/api/v1/checkouts"]["post"]["parameters"] if p["in"] == "header"]
    assert [p["name"] for p in idem] == ["Idempotency-Key"]
    for path in ("/api/v1/checkouts/{checkout_id}/refund", "/api/v1/coupons/{code}/redeem"):
        names = [p["name"] for p in schema["paths"][path]["post"]["parameters"]]
        assert "Idempotency-Key" in names
    answer = resolve(
        schema,
        schema["paths"]["/api/v1/checkouts"]["post"]["responses"]["201"]["content"]["application/json"][
            "schema"
        ],
    )
    assert answer["properties"]["amount"]["type"] == "string"
    assert answer["examples"][0]["amount"] == "12.50"
    program = schema["paths"]["/api/v1/program"]["put"]["requestBody"]["content"]
    assert set(program) == {"application/toml", "application/json"}
    assert "[program]" in program["application/toml"]["example"]
