"""One shape for every error the API answers, and the handlers that produce it.

Why here: a client (a ward system, a script, the web pages) must be able to show
a nurse exactly what was wrong with what they sent, whoever refused it — FastAPI's
request validation or a service's `InputError` (which is also how the clinical
core's `StateError` reaches an adapter: `owm.service.errors.input_error_from_state`).
Both become HTTP 422 with:

    {"detail": [{"loc": ["body", "items", "sweating"], "field": "items.sweating",
                 "value": 7, "message": "...", "allowed": "0, 1, 2, 3, 4"}]}

and nothing stored has changed (services validate before they write, and a
transaction that raises is rolled back). The other answers:

- 401 `{"detail": "..."}` with `WWW-Authenticate: Bearer`: no or bad credentials;
- 403 `{"detail": "...", "permission": "give-dose", "role": "pharmacist"}` (the
  permission matrix), or `{"detail": "..."}` for a missing or wrong CSRF token;
- 404 `{"detail": "episode 7 not found", "record_type": "episode", "record_id": "7"}`;
- 409 `{"detail": "...", "findings": [...], ...}`: a refused dose carries the
  findings that refused it, the action and the recommendation;
- 429 `{"detail": "..."}` with `Retry-After`: too many failed logins.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from owm.service.errors import (
    AuthenticationFailed,
    Conflict,
    DoseRefused,
    InputError,
    NotFound,
    PermissionDenied,
)

__all__ = [
    "CsrfFailed",
    "ErrorItem",
    "TooManyAttempts",
    "Unauthorized",
    "install_error_handlers",
    "problem_items",
    "validation_items",
]

ErrorItem = dict[str, Any]


class Unauthorized(Exception):
    """No credentials, or credentials that do not name an active user: HTTP 401."""

    def __init__(self, message: str = "sign in, or send Authorization: Bearer <token>") -> None:
        super().__init__(message)


class CsrfFailed(Exception):
    """A cookie-authenticated change without the session's CSRF token: HTTP 403."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class TooManyAttempts(Exception):
    """Too many failed logins for a username or an address: HTTP 429 with Retry-After."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = math.ceil(retry_after / 60)
        super().__init__(
            f"too many failed logins; try again in {minutes} minute{'s' if minutes != 1 else ''}"
        )


_ALLOWED_BY_TYPE = {
    "missing": "a value (this field is required)",
    "extra_forbidden": "no such field",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "decimal_parsing": "a decimal number",
    "decimal_type": 'an exact decimal as text (e.g. "0.5") or a whole number',
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "dict_type": "an object",
    "list_type": "a list",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "datetime_parsing": "a date and time with a time zone (ISO 8601)",
    "datetime_type": "a date and time with a time zone (ISO 8601)",
    "datetime_from_date_parsing": "a date and time with a time zone (ISO 8601)",
    "timezone_aware": "a time with a time zone (e.g. ...Z or +01:00)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "json_invalid": "a valid JSON document",
    "url_parsing": "a URL",
}


def _allowed_from(item: dict[str, Any]) -> str:
    """What is allowed, in words, from one pydantic error (its type and context)."""
    kind = str(item.get("type", ""))
    ctx = item.get("ctx") or {}
    if kind in ("literal_error", "enum"):
        return str(ctx.get("expected", item.get("msg", ""))).replace("'", "")
    bounds = {
        "greater_than": "a value greater than {gt}",
        "greater_than_equal": "a value of at least {ge}",
        "less_than": "a value less than {lt}",
        "less_than_equal": "a value of at most {le}",
        "string_too_short": "text of at least {min_length} characters",
        "string_too_long": "text of at most {max_length} characters",
        "too_short": "at least {min_length} items",
        "too_long": "at most {max_length} items",
        "string_pattern_mismatch": "text matching {pattern}",
        "decimal_max_places": "at most {decimal_places} decimal places",
        "decimal_max_digits": "at most {max_digits} digits",
        "multiple_of": "a multiple of {multiple_of}",
    }
    if kind in bounds:
        try:
            return bounds[kind].format(**ctx)
        except (KeyError, IndexError):
            pass
    if kind in _ALLOWED_BY_TYPE:
        return _ALLOWED_BY_TYPE[kind]
    message = str(item.get("msg", "")).removeprefix("Value error, ")
    _, sep, rest = message.partition("allowed: ")
    return rest if sep else message


def _plain(value: Any) -> Any:
    """A value that JSON can carry (bytes and other objects as text), shortened if long."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= 200 else value[:197] + "..."
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value[:50]]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in list(value.items())[:50]}
    return _plain(str(value))


def _field(loc: Sequence[Any]) -> str:
    """The dotted field path a person reads: without "body"/"query"/"path", lists as [i]."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif isinstance(part, str) and part.startswith("function-"):
            continue
        else:
            text += ("." if text else "") + str(part)
    return text or "(body)"


def validation_items(errors: Sequence[Any]) -> list[ErrorItem]:
    """FastAPI/pydantic validation errors in the API's shape."""
    items = []
    for error in errors:
        loc = [p for p in error.get("loc", ()) if not str(p).startswith("function-")]
        kind = str(error.get("type", ""))
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        value = None if kind == "missing" else _plain(error.get("input"))
        items.append(
            {
                "loc": loc,
                "field": _field(loc),
                "value": value,
                "message": message,
                "allowed": _allowed_from(error),
            }
        )
    return items


def _leaf(value: Any, path: list[Any]) -> Any:
    """The value at the end of `path` when `value` is the whole document that was checked."""
    if not isinstance(value, dict):
        return value
    for start in range(len(path)):
        current: Any = value
        for part in path[start:]:
            if (isinstance(current, dict) and part in current) or (
                isinstance(current, list) and isinstance(part, int) and part < len(current)
            ):
                current = current[part]
            else:
                break
        else:
            return current
    return value


def problem_items(error: InputError, location: str = "body") -> list[ErrorItem]:
    """A service's InputError in the API's shape (one item per problem).

    When a problem's value is the whole document that was checked, the value at the
    field's path is reported; when "allowed" nests a message ("... ; allowed: X"),
    the message keeps it and "allowed" is X.
    """
    items = []
    for problem in error.problems:
        data = problem.to_json()
        path = _split(data["field"])
        value = _plain(_leaf(data["value"], path))
        described = str(data["allowed"])
        _, sep, allowed = described.rpartition("allowed: ")
        message = described if sep else f"{data['field']}: {value!r} is not allowed"
        items.append(
            {
                "loc": [location, *path],
                "field": data["field"],
                "value": value,
                "message": message,
                "allowed": allowed if sep else described,
            }
        )
    return items


def _split(field: str) -> list[Any]:
    parts: list[Any] = []
    for chunk in field.replace("]", "").replace("[", ".").split("."):
        if chunk:
            parts.append(int(chunk) if chunk.isdigit() else chunk)
    return parts


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=body, headers=headers)


async def _request_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _json(422, {"detail": validation_items(exc.errors())})


async def _input_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InputError)
    return _json(422, {"detail": problem_items(exc)})


async def _not_found(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotFound)
    return _json(
        404,
        {"detail": str(exc), "record_type": exc.record_type, "record_id": str(exc.record_id)},
    )


async def _conflict(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Conflict)
    if isinstance(exc, DoseRefused):
        body = exc.to_json()
        body["detail"] = body.pop("message")
        return _json(409, body)
    return _json(409, {"detail": str(exc)})


async def _permission_denied(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PermissionDenied)
    return _json(403, {"detail": str(exc), "permission": exc.permission, "role": exc.role})


async def _unauthorized(_request: Request, exc: Exception) -> JSONResponse:
    return _json(401, {"detail": str(exc)}, {"WWW-Authenticate": "Bearer"})


async def _csrf_failed(_request: Request, exc: Exception) -> JSONResponse:
    return _json(403, {"detail": str(exc)})


async def _too_many(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TooManyAttempts)
    return _json(429, {"detail": str(exc)}, {"Retry-After": str(exc.retry_after)})


async def _http_exception(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    return _json(exc.status_code, {"detail": exc.detail}, headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers above on `app`."""
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(PermissionDenied, _permission_denied)
    app.add_exception_handler(AuthenticationFailed, _unauthorized)
    app.add_exception_handler(Unauthorized, _unauthorized)
    app.add_exception_handler(CsrfFailed, _csrf_failed)
    app.add_exception_handler(TooManyAttempts, _too_many)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
