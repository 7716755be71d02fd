"""Downtime: what to print so the ward can keep working when the system is down.

GET /downtime                    the pack: links to the blank forms and to each
                                 patient's medication record, to print now
GET /downtime/forms/{code}       a blank COWS, SOWS, POSS (or OOWS, RASS) form with
                                 every value's anchor text, room for four assessments
GET /downtime/mar                the current medication administration record of
                                 every patient on the ward (one per printed page)
GET /downtime/mar/{episode_id}   the record of one patient

`?ward=<id>` picks the ward (default: the one the person looks at, see
`owm.web.pages`). Blank forms carry no patient data
and anyone signed in may print them; the records need the right to read records.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from owm.http.deps import UowDep
from owm.service.errors import NotFound, ServiceError
from owm.service.medication_record import medication_records
from owm.service.permissions import Permission, allowed
from owm.service.protocols import protocol_for
from owm.web.docs.blank_forms import FORM_CODES, blank_form
from owm.web.docs.common import ward_context, ward_of
from owm.web.errors import error_page
from owm.web.pages import PageUserDep, page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PACK: tuple[str, ...] = ("COWS", "SOWS", "POSS")


@router.get("/downtime", response_class=HTMLResponse)
def downtime_pack(request: Request, user: PageUserDep, uow: UowDep) -> Response:
    try:
        ward_view = ward_of(user)
        records = (
            medication_records(uow, user.actor, ward_id=ward_view.id)
            if allowed(user.role, Permission.READ_RECORD)
            else ()
        )
    except ServiceError as error:
        return error_page(request, user, error)
    return page(
        request,
        "docs/downtime.html",
        user=user,
        active="downtime",
        pack=PACK,
        others=tuple(code for code in FORM_CODES if code not in PACK),
        records=records,
        can_read=allowed(user.role, Permission.READ_RECORD),
        **ward_context(ward_view),
    )


@router.get("/downtime/forms/{code}", response_class=HTMLResponse)
def downtime_form(request: Request, code: str, user: PageUserDep) -> Response:
    try:
        ward_view = ward_of(user)
        form = blank_form(code, protocol_for(ward_view.protocol_id))
    except KeyError:
        return error_page(
            request,
            user,
            NotFound("form", f"{code} (forms: {', '.join(FORM_CODES)})"),
        )
    except ServiceError as error:
        return error_page(request, user, error)
    return page(
        request,
        "docs/blank_form.html",
        user=user,
        active="downtime",
        form=form,
        **ward_context(ward_view),
    )


@router.get("/downtime/mar", response_class=HTMLResponse)
def ward_medication_records(request: Request, user: PageUserDep, uow: UowDep) -> Response:
    try:
        ward_view = ward_of(user)
        records = medication_records(uow, user.actor, ward_id=ward_view.id)
    except ServiceError as error:
        return error_page(request, user, error)
    return page(
        request,
        "docs/mar.html",
        user=user,
        active="downtime",
        records=records,
        blank_rows=8,
        **ward_context(ward_view),
    )


@router.get("/downtime/mar/{episode_id}", response_class=HTMLResponse)
def episode_medication_record(
    request: Request, episode_id: int, user: PageUserDep, uow: UowDep
) -> Response:
    try:
        records = medication_records(uow, user.actor, episode_id=episode_id)
    except ServiceError as error:
        return error_page(request, user, error)
    return page(
        request,
        "docs/mar.html",
        user=user,
        active="downtime",
        records=records,
        blank_rows=12,
        **ward_context(records[0].ward),
    )
