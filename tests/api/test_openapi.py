"""The OpenAPI schema documents every endpoint of the contract, with
examples, string amounts and the error shape."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from stampdesk.domain import shapes

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


def test_values_carry_their_exact_shape_and_the_key_is_the_default(sqlite_api: Api) -> None:
    schema = sqlite_api.client.get("/openapi.json").json()
    assert schema["security"] == [{"ApiKey": []}]
    assert schema["paths"]["/api/v1/health"]["get"]["security"] == []
    for method in ("get", "post"):
        assert schema["paths"]["/join/{token}"][method]["security"] == []

    def parameter(path: str, method: str, name: str) -> dict[str, Any]:
        found = [p for p in schema["paths"][path][method]["parameters"] if p["name"] == name]
        assert len(found) == 1, (path, name)
        return found[0]

    number = parameter("/api/v1/cards/{number}", "get", "number")["schema"]
    assert number["pattern"] == shapes.CARD_NUMBER and number["format"] == "card-number"
    code = parameter("/api/v1/coupons/{code}/redeem", "post", "code")["schema"]
    assert code["pattern"] == shapes.COUPON_CODE and code["format"] == "coupon-code"
    for path, method in [
        ("/api/v1/checkouts/{checkout_id}", "get"),
        ("/api/v1/checkouts/{checkout_id}/refund", "post"),
        ("/api/v1/checkouts/{checkout_id}/print", "post"),
    ]:
        checkout_id = parameter(path, method, "checkout_id")
        assert checkout_id["in"] == "path" and checkout_id["required"] is True
        assert checkout_id["schema"]["type"] == "integer" and checkout_id["schema"]["minimum"] == 1
    q = parameter("/api/v1/cards", "get", "q")
    assert q["required"] is True
    assert (q["schema"]["minLength"], q["schema"]["maxLength"]) == (1, 100)
    assert q["schema"]["pattern"] == shapes.NOT_BLANK

    checkout = resolve(
        schema,
        schema["paths"]["/api/v1/checkouts"]["post"]["requestBody"]["content"]["application/json"]["schema"],
    )
    amount = checkout["properties"]["amount"]
    assert amount["type"] == "string" and amount["pattern"] == shapes.POSITIVE_AMOUNT
    card = [c for c in checkout["properties"]["card"]["anyOf"] if c["type"] == "string"][0]
    assert card["pattern"] == shapes.CARD_NUMBER
    item = resolve(schema, checkout["properties"]["items"]["items"])
    assert item["properties"]["quantity"]["type"] == "integer"
    assert (item["properties"]["quantity"]["minimum"], item["properties"]["quantity"]["maximum"]) == (
        1,
        10000,
    )
    assert item["properties"]["price"]["pattern"] == shapes.PRICE
    assert checkout["properties"]["items"]["maxItems"] == 500
    # Every JSON body may be refused before its route reads it.
    for path, method in [
        ("/api/v1/checkouts", "post"),
        ("/api/v1/cards", "post"),
        ("/api/v1/program", "put"),
    ]:
        responses = schema["paths"][path][method]["responses"]
        assert {"400", "415"} <= set(responses), (path, responses.keys())
        assert responses["415"]["content"]["application/json"]["example"]["error"]["code"] == (
            "unsupported_media_type"
        )


@pytest.mark.parametrize(
    ("pattern", "good", "bad"),
    [
        (
            shapes.POSITIVE_AMOUNT,
            ["12.50", "12,5", "0.01", " 7 "],
            ["0", "0.00", "-1", "1.234", "1e3", "12.50€"],
        ),
        (
            shapes.CARD_NUMBER,
            ["2000000000015", "2000 0000 0001 5"],
            ["200000000001", "3000000000015", "2x00000000015"],
        ),
        (shapes.COUPON_CODE, ["K7QH2M9P", "k7qh-2m9p"], ["K7QH2M9", "K7QH2M9PP", "UUUUUUUU"]),
    ],
)
def test_the_patterns_read_as_a_till_developer_expects(pattern: str, good: list[str], bad: list[str]) -> None:
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    assert [g for g in good if not validator.is_valid(g)] == []
    assert [b for b in bad if validator.is_valid(b)] == []
