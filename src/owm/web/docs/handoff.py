"""The shift handoff page (printable) and its PDF download.

GET /handoff       every patient on the ward: status now, clonazepam, alerts and the
                   outstanding tasks, and the nurse looking after each, with print CSS (A4 landscape, headings repeated
                   on every page, one patient never split across pages).
GET /handoff.pdf   the same handoff as a PDF file, made in-process (`owm.web.docs.pdf`).

Both take `?ward=<id>` (default: the ward the person looks at). Each recommendation printed is
logged as shown (purpose "handoff"), like any recommendation a person sees.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from owm.http.deps import UowDep
from owm.service.assignments import current_assignments
from owm.service.errors import ServiceError
from owm.service.handoff import handoff_report
from owm.web.docs.common import ward_context, ward_of
from owm.web.docs.pdf import handoff_pdf
from owm.web.errors import error_page
from owm.web.pages import NavItem, PageUser, PageUserDep, add_nav, page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

add_nav(
    NavItem(
        key="handoff",
        label="Handoff",
        href="/handoff",
        order=40,
        roles=frozenset({"nurse", "physician", "pharmacist"}),
    )
)
add_nav(NavItem(key="downtime", label="Downtime forms", href="/downtime", order=45))


def _nurses(uow: UowDep, user: PageUser, ward_id: int) -> dict[int, str]:
    """The nurse looking after each episode on the ward, by episode id."""
    current = current_assignments(uow, user.actor, ward_id=ward_id)
    return {episode_id: a.nurse_name for episode_id, a in current.items()}


@router.get("/handoff", response_class=HTMLResponse)
def handoff_page(request: Request, user: PageUserDep, uow: UowDep) -> Response:
    try:
        ward_view = ward_of(user)
        report = handoff_report(uow, user.actor, ward_id=ward_view.id)
        nurses = _nurses(uow, user, ward_view.id)
    except ServiceError as error:
        return error_page(request, user, error)
    return page(
        request,
        "docs/handoff.html",
        user=user,
        active="handoff",
        report=report,
        nurses=nurses,
        **ward_context(ward_view),
    )


def _file_name(ward_name: str, stamp: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ward_name).strip("-").lower() or "ward"
    return f"handoff-{slug}-{stamp}.pdf"


@router.get("/handoff.pdf")
def handoff_pdf_download(request: Request, user: PageUserDep, uow: UowDep) -> Response:
    try:
        ward_view = ward_of(user)
        report = handoff_report(uow, user.actor, ward_id=ward_view.id)
        nurses = _nurses(uow, user, ward_view.id)
    except ServiceError as error:
        return error_page(request, user, error)
    stamp = report.at.strftime("%Y%m%dT%H%MZ")
    return Response(
        handoff_pdf(report, nurses),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{_file_name(ward_view.name, stamp)}"',
            "Cache-Control": "no-store",
        },
    )
