"""The audit trail (admins and pharmacists): entries in order, and a check of the chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from owm.api.schemas.common import MAX_ID
from owm.api.schemas.governance import AuditEntryOut, AuditVerifyOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service import queries
from owm.service.audit_check import verify_audit
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(
    prefix="/api/audit", tags=["audit"], dependencies=[requires(Permission.READ_AUDIT)]
)


@router.get("", response_model=list[AuditEntryOut])
def entries(
    uow: UowDep,
    actor: CurrentUser,
    after_seq: Annotated[int, Query(ge=0, le=MAX_ID, description="Entries after this one.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    record_type: Annotated[str | None, Query(max_length=60)] = None,
    record_id: Annotated[str | None, Query(max_length=60)] = None,
) -> list[AuditEntryOut]:
    """Audit entries in chain order, `limit` at a time after `after_seq`."""
    rows = queries.list_audit(
        uow,
        actor,
        after_seq=after_seq,
        limit=limit,
        record_type=record_type,
        record_id=record_id,
    )
    return [AuditEntryOut.model_validate(r) for r in rows]


@router.get("/verify", response_model=AuditVerifyOut)
def verify(uow: UowDep, actor: CurrentUser) -> AuditVerifyOut:
    """Walk the hash chain; names the first entry changed, removed or inserted."""
    result = verify_audit(uow, actor)
    return AuditVerifyOut(
        ok=result.ok,
        entries=result.entries,
        head_seq=result.head_seq,
        head_hash=result.head_hash,
        problem=result.problem.message if result.problem else None,
        problem_seq=result.problem.seq if result.problem else None,
    )
