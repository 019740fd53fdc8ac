"""The contract's error body, for the errors that do not come from the
domain (a request of the wrong shape, no key, an unknown address)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from ..words import book


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The contract's error body."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def validation_response(errors: Any) -> JSONResponse:
    """A request that does not have the documented shape: the first problem,
    as one line naming the field (``amount: …``)."""
    first = errors[0] if errors else {"type": "invalid_input", "loc": (), "msg": "invalid request"}
    kind = str(first.get("type", ""))
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header"))
    if kind == "json_invalid":
        return error_response(400, "invalid_json", book()("api.invalid_json", detail=first.get("msg", "")))
    if kind == "invalid_amount":
        return error_response(422, "invalid_amount", str(first["msg"]))
    if kind == "missing":
        what = where or "body"
        return error_response(422, "missing_field", book()("api.missing_field", field=what))
    if kind == "extra_forbidden":
        return error_response(422, "unknown_field", book()("api.unknown_field", field=where))
    message = str(first.get("msg", "invalid request"))
    return error_response(422, "invalid_input", f"{where}: {message}" if where else message)
