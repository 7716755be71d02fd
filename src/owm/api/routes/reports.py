"""Governance reports: how often each escalation is overridden, and by whom."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from owm.api.schemas.governance import OverridesReportOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service.overrides_report import MAX_DAYS, overrides_report
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/reports", tags=["reports"])


@router.get(
    "/overrides",
    response_model=OverridesReportOut,
    dependencies=[requires(Permission.GOVERNANCE_REPORT)],
)
def overrides(
    uow: UowDep,
    actor: CurrentUser,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS, description="The period, ending now.")] = 30,
    protocol_id: Annotated[
        str, Query(min_length=1, max_length=60, description="Whose acknowledgeable findings.")
    ] = "clonazepam-adjunct",
) -> OverridesReportOut:
    """Acknowledgements per rule and per prescriber, and holds when a dose was allowed."""
    report = overrides_report(uow, actor, days=days, protocol_id=protocol_id)
    return OverridesReportOut.model_validate(report)
