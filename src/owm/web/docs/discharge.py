"""Discharge: referrals, the taper plan, the patient sheet, and the patient's own rating.

GET  /episodes/{id}/discharge       the discharge form (taper plan shown when one is
                                    needed), or, once discharged, what was recorded
POST /episodes/{id}/discharge       discharge (`owm.service.discharge.discharge`)
GET  /episodes/{id}/patient-sheet   the plain-language sheet the patient takes home
                                    (printable): what clonazepam does, side effects to
                                    report, no alcohol, no driving, do not stop
                                    suddenly, where to get help, the taper plan
GET  /episodes/{id}/rating          the rating page for the patient, on the ward's
POST /episodes/{id}/rating          device: 1-5 stars and an optional comment, large
                                    and simple, with nothing of any other patient and
                                    no way on to other pages

At discharge owm offers again what first-line care offers (NICE CG52; ASAM 2020;
CRISM 2017): methadone or buprenorphine, take-home naloxone and psychotherapy.

Sending a form twice records it once: a second discharge finds the first one and
shows it; the same rating again is the same rating (the service returns it).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from owm.api.deps import UowDep
from owm.service.discharge import discharge
from owm.service.errors import Conflict, InputError, ServiceError
from owm.service.feedback import rate_stay
from owm.service.queries import episode_record
from owm.service.recommendation import get_recommendation
from owm.service.results import EpisodeRecord, WardView
from owm.store.models import MOUD_REFERRALS
from owm.web.docs.common import ward_context
from owm.web.docs.patient_sheet import patient_sheet, taper_words
from owm.web.errors import error_page, field_errors
from owm.web.forms import FormProblems, optional_text, text
from owm.web.pages import PageUser, PageUserDep, page
from owm.web.templating import zone

__all__ = ["MOUD_WORDS", "router"]

router = APIRouter(include_in_schema=False)

MOUD_WORDS: dict[str, tuple[str, str]] = {
    "methadone": ("Methadone", "Referred to a methadone programme."),
    "buprenorphine": ("Buprenorphine", "Referred for buprenorphine."),
    "already-on-moud": ("Already on treatment", "Continues methadone or buprenorphine."),
    "declined": ("Declined", "Offered; the patient chose not to start now."),
}
"""Each MOUD referral choice as the form and the summary show it."""

STAR_WORDS: dict[int, str] = {
    1: "Very poor",
    2: "Poor",
    3: "All right",
    4: "Good",
    5: "Very good",
}


def _ward(user: PageUser, ward_id: int) -> WardView | None:
    return next((w for w in user.wards if w.id == ward_id), user.ward)


def _context(user: PageUser, record: EpisodeRecord) -> dict[str, Any]:
    ward = _ward(user, record.patient.ward_id)
    return ward_context(ward) if ward is not None else {}


def _yes_no(form: Any, name: str, problems: FormProblems, allowed: str) -> bool:
    value = text(form, name)
    if value not in ("yes", "no"):
        problems.add(name, value or None, allowed)
    return value == "yes"


def _discharge_page(
    request: Request,
    user: PageUser,
    uow: UowDep,
    record: EpisodeRecord,
    values: dict[str, str],
    errors: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    taper: tuple[Any, ...] = ()
    if record.discharge is not None:
        taper = taper_words(record.discharge.taper_plan or ())
    else:
        now = get_recommendation(uow, user.actor, episode_id=record.episode.id, record_shown=False)
        taper = taper_words(now.recommendation.to_json()["taper_plan"])
    return page(
        request,
        "docs/discharge.html",
        user=user,
        status_code=status_code,
        record=record,
        taper=taper,
        values=values,
        errors=errors or {},
        moud=[(code, *MOUD_WORDS[code]) for code in MOUD_REFERRALS],
        moud_words=MOUD_WORDS,
        stars=STAR_WORDS,
        **_context(user, record),
    )


_BLANK = {
    "moud_referral": "",
    "naloxone_supplied": "",
    "psychotherapy_referral": "",
    "psychotherapy_service": "",
    "notes": "",
}


@router.get("/episodes/{episode_id}/discharge", response_class=HTMLResponse)
def discharge_form(request: Request, episode_id: int, user: PageUserDep, uow: UowDep) -> Response:
    try:
        record = episode_record(uow, user.actor, episode_id=episode_id)
        return _discharge_page(request, user, uow, record, dict(_BLANK))
    except ServiceError as error:
        return error_page(request, user, error)


@router.post("/episodes/{episode_id}/discharge", response_class=HTMLResponse)
async def discharge_patient(
    request: Request, episode_id: int, user: PageUserDep, uow: UowDep
) -> Response:
    form = await request.form()
    problems = FormProblems()
    values = {key: text(form, key) for key in _BLANK}
    try:
        moud = text(form, "moud_referral")
        if moud not in MOUD_REFERRALS:
            problems.add("moud_referral", moud or None, ", ".join(MOUD_REFERRALS))
        naloxone = _yes_no(
            form, "naloxone_supplied", problems, "yes (naloxone given to take home) or no"
        )
        therapy = _yes_no(form, "psychotherapy_referral", problems, "yes (referred) or no")
        problems.raise_if_any()
        discharge(
            uow,
            user.actor,
            episode_id=episode_id,
            moud_referral=moud,
            naloxone_supplied=naloxone,
            psychotherapy_referral=therapy,
            psychotherapy_service=optional_text(form, "psychotherapy_service"),
            notes=optional_text(form, "notes"),
        )
    except InputError as error:
        try:
            record = episode_record(uow, user.actor, episode_id=episode_id)
            return _discharge_page(
                request, user, uow, record, values, field_errors(error), status_code=422
            )
        except ServiceError as other:
            return error_page(request, user, other)
    except Conflict as error:
        try:
            record = episode_record(uow, user.actor, episode_id=episode_id)
        except ServiceError:
            return error_page(request, user, error)
        if record.discharge is None:
            return error_page(request, user, error)
        # Already discharged (the form sent twice): show what was recorded.
    except ServiceError as error:
        return error_page(request, user, error)
    return RedirectResponse(f"/episodes/{episode_id}/discharge", status_code=303)


@router.get("/episodes/{episode_id}/patient-sheet", response_class=HTMLResponse)
def sheet(request: Request, episode_id: int, user: PageUserDep, uow: UowDep) -> Response:
    try:
        record = episode_record(uow, user.actor, episode_id=episode_id)
    except ServiceError as error:
        return error_page(request, user, error)
    ward = _ward(user, record.patient.ward_id)
    tz = ward.timezone if ward is not None else "UTC"
    ward_name = ward.name if ward is not None else "the ward"
    ward_contact = ward.contact if ward is not None else None
    done = record.discharge
    if done is None:
        # Before discharge: a draft with the general advice and the taper plan if one
        # is needed now; the referrals are added when the discharge is recorded.
        try:
            now = get_recommendation(uow, user.actor, episode_id=episode_id, record_shown=False)
        except ServiceError as error:
            return error_page(request, user, error)
        made = patient_sheet(
            ward_name=ward_name,
            discharged_on=None,
            moud_referral="",
            naloxone_supplied=False,
            psychotherapy_referral=False,
            psychotherapy_service=None,
            taper_plan=now.recommendation.to_json()["taper_plan"],
            ward_contact=ward_contact,
        )
    else:
        made = patient_sheet(
            ward_name=ward_name,
            discharged_on=done.at.astimezone(zone(tz)).date(),
            moud_referral=done.moud_referral,
            naloxone_supplied=done.naloxone_supplied,
            psychotherapy_referral=done.psychotherapy_referral,
            psychotherapy_service=done.psychotherapy_service,
            taper_plan=done.taper_plan,
            ward_contact=ward_contact,
        )
    return page(
        request,
        "docs/patient_sheet.html",
        user=user,
        record=record,
        sheet=made,
        **_context(user, record),
    )


def _rating_page(
    request: Request,
    user: PageUser,
    record: EpisodeRecord,
    *,
    errors: dict[str, Any] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "docs/rating.html",
        user=user,
        status_code=status_code,
        episode_id=record.episode.id,
        rating=record.rating,
        stars=STAR_WORDS,
        errors=errors or {},
        values=values or {"stars": "", "comment": ""},
        **_context(user, record),
    )


@router.get("/episodes/{episode_id}/rating", response_class=HTMLResponse)
def rating_form(request: Request, episode_id: int, user: PageUserDep, uow: UowDep) -> Response:
    try:
        record = episode_record(uow, user.actor, episode_id=episode_id)
    except ServiceError as error:
        return error_page(request, user, error)
    return _rating_page(request, user, record, values={"stars": "", "comment": ""})


@router.post("/episodes/{episode_id}/rating", response_class=HTMLResponse)
async def rate(request: Request, episode_id: int, user: PageUserDep, uow: UowDep) -> Response:
    form = await request.form()
    values = {"stars": text(form, "stars"), "comment": text(form, "comment")}
    try:
        stars_text = values["stars"]
        if stars_text not in ("1", "2", "3", "4", "5"):
            raise InputError("stars", stars_text or None, "1, 2, 3, 4 or 5 stars: choose one")
        rate_stay(
            uow,
            user.actor,
            episode_id=episode_id,
            stars=int(stars_text),
            comment=optional_text(form, "comment"),
        )
    except InputError as error:
        try:
            record = episode_record(uow, user.actor, episode_id=episode_id)
        except ServiceError as other:
            return error_page(request, user, other)
        return _rating_page(
            request, user, record, errors=field_errors(error), values=values, status_code=422
        )
    except Conflict:
        # Rated already (another rating): the thank-you page shows the one recorded.
        pass
    except ServiceError as error:
        return error_page(request, user, error)
    return RedirectResponse(f"/episodes/{episode_id}/rating", status_code=303)
