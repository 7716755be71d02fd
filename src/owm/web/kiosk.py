"""The rating kiosk pages: the patient rates the stay on the ward's device, and nothing else.

GET  /kiosk/{token}   the rating page of the one episode the link was opened for
                      (`owm.service.rating_kiosk`): 1-5 stars and an optional comment,
                      large and simple, with no navigation, no link and nothing about the
                      patient, any other patient or the staff
POST /kiosk/{token}   record the rating; the link is used up with it
GET  /kiosk/thanks    "thank you, please hand the device back" (nothing else)

No session is used or made here: the link's token is the only key, it opens only
these pages for its episode, and the nurse's session on the device was ended when
the link was opened (`POST /episodes/{id}/rating/kiosk`). A used, expired or
replaced link answers 410 with a page that says so; every answer is `no-store`
(never kept by the browser) and sends no referrer. Bad input comes back beside
its field (422) and leaves the link working.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from owm.http.deps import ClientAddress, RuntimeDep
from owm.service.errors import InputError
from owm.service.rating_kiosk import (
    KioskPage,
    RatingLinkClosed,
    rate_stay_at_kiosk,
    rating_kiosk_page,
)
from owm.web.docs.discharge import STAR_WORDS
from owm.web.errors import field_errors
from owm.web.forms import optional_text, text
from owm.web.pages import page

__all__ = ["KIOSK_HEADERS", "router"]

router = APIRouter(include_in_schema=False)

KIOSK_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}


def _kiosk(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    kiosk: KioskPage | None = None,
    **extra: Any,
) -> HTMLResponse:
    where = {"ward_tz": kiosk.ward_timezone, "ward_name": kiosk.ward_name} if kiosk else {}
    return page(
        request,
        template,
        user=None,
        status_code=status_code,
        headers=KIOSK_HEADERS,
        kiosk=kiosk,
        stars=STAR_WORDS,
        **where,
        **extra,
    )


def _closed(request: Request, error: RatingLinkClosed) -> HTMLResponse:
    return _kiosk(request, "kiosk_closed.html", status_code=410, message=str(error))


@router.get("/kiosk/thanks", response_class=HTMLResponse)
def thanks(request: Request) -> Response:
    return _kiosk(request, "kiosk_thanks.html")


@router.get("/kiosk/{token}", response_class=HTMLResponse)
def rating_form(request: Request, token: str, runtime: RuntimeDep) -> Response:
    try:
        kiosk = rating_kiosk_page(runtime.uow(), token=token)
    except RatingLinkClosed as closed:
        return _closed(request, closed)
    return _kiosk(
        request,
        "docs/rating.html",
        kiosk=kiosk,
        token=token,
        errors={},
        values={"stars": "", "comment": ""},
    )


@router.post("/kiosk/{token}", response_class=HTMLResponse)
async def rate(
    request: Request, token: str, runtime: RuntimeDep, address: ClientAddress
) -> Response:
    form = await request.form()
    values = {"stars": text(form, "stars"), "comment": text(form, "comment")}
    try:
        stars_text = values["stars"]
        if stars_text not in ("1", "2", "3", "4", "5"):
            raise InputError("stars", stars_text or None, "1, 2, 3, 4 or 5 stars: choose one")
        rate_stay_at_kiosk(
            runtime.uow(),
            token=token,
            stars=int(stars_text),
            comment=optional_text(form, "comment"),
            client_address=address,
        )
    except RatingLinkClosed as closed:
        return _closed(request, closed)
    except InputError as error:
        try:
            kiosk = rating_kiosk_page(runtime.uow(), token=token)
        except RatingLinkClosed as closed:
            return _closed(request, closed)
        return _kiosk(
            request,
            "docs/rating.html",
            status_code=422,
            kiosk=kiosk,
            token=token,
            errors=field_errors(error),
            values=values,
        )
    return RedirectResponse("/kiosk/thanks", status_code=303, headers=KIOSK_HEADERS)
