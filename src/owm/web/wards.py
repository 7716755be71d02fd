"""The wards' settings for admins: each ward's phone contact.

GET  /wards                     every ward (name, time zone, protocol) with its contact
POST /wards/{ward_id}/contact   set or clear the contact (`owm.service.wards.set_ward_contact`)

The contact is what the patient sheet prints as "call the ward on ..." and what the
handoff prints in its heading, so a patient who goes home, or a service taking over,
knows how to reach the ward. Only admins manage wards (the permission matrix); other
roles get the 403 page. Bad input comes back beside its field (422), nothing stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from owm.http.deps import UowDep
from owm.service.errors import InputError, PermissionDenied, ServiceError
from owm.service.permissions import Permission, allowed
from owm.service.wards import MAX_CONTACT, list_wards, set_ward_contact
from owm.web.errors import error_page, field_errors
from owm.web.forms import text
from owm.web.pages import NavItem, PageUser, PageUserDep, add_nav, page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
add_nav(
    NavItem(key="wards", label="Ward settings", href="/wards", order=90, roles=frozenset({"admin"}))
)


def _settings_page(
    request: Request,
    user: PageUser,
    uow: UowDep,
    *,
    errors: dict[int, dict[str, Any]] | None = None,
    values: dict[int, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "wards.html",
        user=user,
        active="wards",
        status_code=status_code,
        wards=list_wards(uow, user.actor),
        errors=errors or {},
        values=values or {},
        saved=request.query_params.get("saved", ""),
        max_contact=MAX_CONTACT,
    )


def _admin_only(user: PageUser) -> None:
    if not allowed(user.role, Permission.MANAGE_WARDS):
        raise PermissionDenied(user.role, Permission.MANAGE_WARDS.value)


@router.get("/wards", response_class=HTMLResponse)
def ward_settings(request: Request, user: PageUserDep, uow: UowDep) -> Response:
    try:
        _admin_only(user)
        return _settings_page(request, user, uow)
    except ServiceError as error:
        return error_page(request, user, error)


@router.post("/wards/{ward_id}/contact", response_class=HTMLResponse)
async def save_contact(request: Request, ward_id: int, user: PageUserDep, uow: UowDep) -> Response:
    form = await request.form()
    contact = text(form, "contact")
    try:
        set_ward_contact(uow, user.actor, ward_id=ward_id, contact=contact or None)
    except InputError as error:
        try:
            return _settings_page(
                request,
                user,
                uow,
                errors={ward_id: dict(field_errors(error))},
                values={ward_id: contact},
                status_code=422,
            )
        except ServiceError as other:
            return error_page(request, user, other)
    except ServiceError as error:
        return error_page(request, user, error)
    return RedirectResponse(f"/wards?saved={ward_id}", status_code=303)
