"""Every JSON request body read by the guarded reader before any route sees it.

Why a middleware: the REST API and the CDS Hooks service take JSON from outside,
and FastAPI's own parsing keeps the last of two equal keys, follows any depth and
turns a 5,000-digit number into a crash. Clinical spec section 8 asks every entrance
to read documents the same way; this middleware runs `owm.clinical.document`
(size, depth, number length, duplicate keys, NUL and lone surrogates) on each JSON
body and answers, before any route runs and before anything is stored:

- 413 when the body is larger than the reader's limit (it is not read past it);
- 422 in the API's one error shape when the document breaks any other limit:
  `{"detail": [{"loc": ["body"], "field": "(body)", "value": null,
                "message": "...", "allowed": "..."}]}`.

A body that passes is handed on unchanged (the route parses it again; what it
parses is exactly what was checked).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from owm.service.documents import MAX_BYTES, DocumentError, read_document

__all__ = ["GuardedJsonBodies", "is_json"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_json(content_type: str) -> bool:
    """application/json, or any application/*+json type (parameters ignored)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


def _error_body(error: DocumentError) -> bytes:
    message, _, allowed = error.message.partition("; allowed: ")
    item = {
        "loc": ["body"],
        "field": "(body)",
        "value": None,
        "message": message,
        "allowed": allowed or "a JSON document within the reader's limits",
    }
    return json.dumps({"detail": [item]}).encode("utf-8")


class GuardedJsonBodies:
    """ASGI middleware: JSON bodies through the guarded reader (see the module docstring)."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") not in _WITH_BODY
            or not is_json(_header(scope, b"content-type"))
        ):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > MAX_BYTES:
            await self._answer(send, 413, DocumentError(_too_large(), too_large=True))
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BYTES:
                await self._answer(send, 413, DocumentError(_too_large(), too_large=True))
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        if body.strip():
            try:
                read_document(body, name="the request body")
            except DocumentError as error:
                await self._answer(send, 413 if error.too_large else 422, error)
                return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _answer(send: Send, status: int, error: DocumentError) -> None:
        payload = _error_body(error)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _too_large() -> str:
    return (
        f"the request body is larger than {MAX_BYTES // (1024 * 1024)} MB; allowed: at most "
        f"{MAX_BYTES} bytes"
    )
