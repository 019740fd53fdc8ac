"""The HTTP API's own refusals: the JSON body keeps its English message,
the words book says the same refusal in French."""

from __future__ import annotations

from starlette.requests import Request

from helpers import EXAMPLE_PROGRAM
from stampdesk.web.api import ApiRefusal, authorize
from stampdesk.words import Book

from .conftest import Api


def test_the_api_refuses_a_key_in_english_and_the_book_says_it_in_french(sqlite_api: Api) -> None:
    answer = sqlite_api.client.get("/api/v1/program")
    assert answer.status_code == 401
    assert answer.json() == {
        "error": {
            "code": "missing_api_key",
            "message": "send the till's API key as 'Authorization: Bearer <key>' "
            "(stampdesk apikey create NAME)",
        }
    }
    request = Request({"type": "http", "headers": [], "app": sqlite_api.client.app})
    try:
        authorize(request)
    except ApiRefusal as refusal:
        error = refusal
    else:
        raise AssertionError("a request without a key was let in")
    assert error.http_status == 401 and error.headers == {"WWW-Authenticate": "Bearer"}
    assert Book("fr_FR").error(error) == (
        "envoyez la clé d'API de la caisse en « Authorization: Bearer <clé> » (stampdesk apikey create NOM)"
    )
    answer = sqlite_api.client.put(
        "/api/v1/program", content=EXAMPLE_PROGRAM.read_bytes(), headers=sqlite_api.till
    )
    assert answer.status_code == 403
    assert (
        answer.json()["error"]["message"] == "the key of till-1 is a till key: only an admin key may do this"
    )


def test_a_programme_body_that_is_not_json_is_refused_with_the_parsers_words(sqlite_api: Api) -> None:
    answer = sqlite_api.client.put(
        "/api/v1/program",
        content=b"{not json",
        headers={**sqlite_api.admin, "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    body = answer.json()["error"]
    assert body["code"] == "invalid_json"
    assert body["message"].startswith("the body is not valid JSON: Expecting property name")
