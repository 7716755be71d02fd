"""Voids: an entry marked "entered in error" stays in the record and the audit trail, and
no decision uses it from then on. Only physicians void an acknowledgement."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from owm.api.schemas.governance import VoidIn, VoidOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service import voiding
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/voids", tags=["voids"])


@router.post("", response_model=VoidOut, dependencies=[requires(Permission.VOID_ENTRY)])
def void(body: VoidIn, uow: UowDep, actor: CurrentUser) -> VoidOut:
    """Void an entry with a reason (409 when it was already voided)."""
    result = voiding.void_entry(
        uow, actor, record_type=body.record_type, entry_id=body.entry_id, reason=body.reason
    )
    return VoidOut.model_validate(asdict(result))
