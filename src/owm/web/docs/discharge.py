"""Discharge: referrals, the taper plan, the patient sheet, and the patient's own rating.

GET  /episodes/{id}/discharge       the discharge form (taper plan shown when one is
                                    needed), or, once discharged, what was recorded
POST /episodes/{id}/discharge       discharge (`owm.service.discharge.discharge`)
GET  /episodes/{id}/patient-sheet   the plain-language sheet the patient takes home
                                    (printable): what clonazepam does, side effects to
                                    report, no alcohol, no driving, do not stop
                                    suddenly, where to get help, the taper plan
GET  /episodes/{id}/rating          for the nurse: hand the ward's device to the patient
POST /episodes/{id}/rating/kiosk    open a rating-only link for this episode, sign the
                                    nurse out on this browser and go to the link: the
                                    patient rates the stay on the kiosk page
                                    (`owm.web.kiosk`), which opens nothing else

At discharge owm offers again what first-line care offers (NICE CG52; ASAM 2020;
CRISM 2017): methadone or buprenorphine, take-home naloxone and psychotherapy.

Sending a form twice records it once: a second discharge finds the first one and
shows it; a rating link is used up by the rating it records.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from owm.http.deps import CurrentSession, RuntimeDep, UowDep
from owm.http.signin import end_session
from owm.service.discharge import MOUD_REFERRALS, discharge
from owm.service.errors import Conflict, InputError, ServiceError
from owm.service.queries import episode_record
from owm.service.rating_kiosk import KIOSK_LIFETIME, open_rating_kiosk
from owm.service.recommendation import get_recommendation
from owm.service.results import EpisodeRecord, WardView
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


@router.get("/episodes/{episode_id}/rating", response_class=HTMLResponse)
def rating_handover(request: Request, episode_id: int, user: PageUserDep, uow: UowDep) -> Response:
    """The nurse's page before handing the device over: what will happen, and the button."""
    try:
        record = episode_record(uow, user.actor, episode_id=episode_id)
    except ServiceError as error:
        return error_page(request, user, error)
    return page(
        request,
        "docs/rating_handover.html",
        user=user,
        record=record,
        stars=STAR_WORDS,
        minutes=int(KIOSK_LIFETIME.total_seconds() // 60),
        **_context(user, record),
    )


@router.post("/episodes/{episode_id}/rating/kiosk")
def open_kiosk(
    request: Request,
    episode_id: int,
    user: PageUserDep,
    runtime: RuntimeDep,
    session: CurrentSession,
) -> Response:
    """Open the rating link, end this browser's session, and show the kiosk page."""
    try:
        link = open_rating_kiosk(runtime.uow(), user.actor, episode_id=episode_id)
    except ServiceError as error:
        return error_page(request, user, error)
    response = RedirectResponse(f"/kiosk/{link.token}", status_code=303)
    end_session(runtime, user.actor, session, response)
    response.headers["Cache-Control"] = "no-store"
    return response
