"""Small helpers the resource routers share."""

from __future__ import annotations

from typing import Any

from fastapi import Response, status

__all__ = ["CREATED", "created_or_replayed"]

CREATED: dict[int | str, dict[str, Any]] = {
    200: {"description": "The entry already recorded under this idempotency key (a replay)."},
}


def created_or_replayed(response: Response, replayed: bool) -> None:
    """201 for a new entry; 200 when the idempotency key returned the entry already recorded."""
    response.status_code = status.HTTP_200_OK if replayed else status.HTTP_201_CREATED
