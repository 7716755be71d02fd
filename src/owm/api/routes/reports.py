"""Governance reports: how often each escalation is overridden, and by whom."""

from __future__ import annotations

from fastapi import APIRouter

from owm.api.deps import CurrentUser, UowDep, requires
from owm.api.schemas.governance import OverrideCountOut
from owm.service import queries
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/reports", tags=["reports"])


@router.get(
    "/overrides",
    response_model=list[OverrideCountOut],
    dependencies=[requires(Permission.GOVERNANCE_REPORT)],
)
def overrides(uow: UowDep, actor: CurrentUser) -> list[OverrideCountOut]:
    """Acknowledgements (not voided) per finding and physician, most frequent first."""
    return [OverrideCountOut.model_validate(r) for r in queries.override_report(uow, actor)]
