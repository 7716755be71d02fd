"""Wards: their time zone and protocol; admins create them."""

from __future__ import annotations

from fastapi import APIRouter, status

from owm.api.schemas.common import RecordId
from owm.api.schemas.users import WardIn, WardOut
from owm.http.deps import CurrentUser, UowDep, requires
from owm.service import wards
from owm.service.permissions import Permission

__all__ = ["router"]

router = APIRouter(prefix="/api/wards", tags=["wards"])


@router.get("", response_model=list[WardOut])
def list_wards(uow: UowDep, actor: CurrentUser) -> list[WardOut]:
    """Every ward."""
    return [WardOut.model_validate(w) for w in wards.list_wards(uow, actor)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WardOut,
    dependencies=[requires(Permission.MANAGE_WARDS)],
)
def create_ward(body: WardIn, uow: UowDep, actor: CurrentUser) -> WardOut:
    """Create a ward (admins)."""
    return WardOut.model_validate(wards.create_ward(uow, actor, **body.model_dump()))


@router.get("/{ward_id}", response_model=WardOut)
def get_ward(ward_id: RecordId, uow: UowDep, actor: CurrentUser) -> WardOut:
    return WardOut.model_validate(wards.get_ward(uow, actor, ward_id=ward_id))
