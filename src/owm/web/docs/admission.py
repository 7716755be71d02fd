"""Admission: the patient, the episode, and the offer of methadone or buprenorphine.

GET  /admit                          the admission form (nurses and physicians)
POST /admit                          admit (`owm.service.admission.admit`); bad input
                                     comes back beside its field (422), nothing stored
GET  /episodes/{episode_id}/admission  what was recorded, the first-line offer included

First-line care for opioid withdrawal is methadone or buprenorphine (NICE CG52,
ASAM 2020); withdrawal management alone should not be the whole treatment (CRISM
2017). The form asks whether the offer was made and what the patient chose; when
it was not made, it asks why.

Sending the form twice admits once: the form carries an idempotency key made when
it was drawn, stored with the episode it opens (a unique index), so the same form
again is answered with that episode ("already recorded") on any server process.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from owm.clinical.state import ALLERGIES, CONDITIONS, HISTORY
from owm.http.deps import UowDep
from owm.service.admission import FIRST_LINE_CHOICES, SETTINGS, admit
from owm.service.errors import InputError, ServiceError
from owm.service.queries import get_episode, get_patient
from owm.web.docs.common import ward_context, ward_of
from owm.web.errors import error_page, field_errors
from owm.web.forms import FormProblems, new_key, optional_int, optional_text, text
from owm.web.pages import NavItem, PageUser, PageUserDep, add_nav, page

__all__ = ["FIRST_LINE_WORDS", "router"]

router = APIRouter(include_in_schema=False)
add_nav(
    NavItem(
        key="admit",
        label="Admit",
        href="/admit",
        order=30,
        roles=frozenset({"nurse", "physician"}),
    )
)

FIRST_LINE_WORDS: dict[str, tuple[str, str]] = {
    "methadone": ("Methadone", "The patient chose to start methadone."),
    "buprenorphine": ("Buprenorphine", "The patient chose to start buprenorphine."),
    "declined": ("Declined", "Offered; the patient chose withdrawal management without it."),
    "undecided": ("Not decided yet", "The patient will decide later; offer again."),
}
"""Each first-line choice as the form and the summary show it."""

SEX_CHOICES: tuple[tuple[str, str], ...] = (
    ("", "Not recorded"),
    ("female", "Female"),
    ("male", "Male"),
    ("other", "Other"),
    ("unknown", "Unknown"),
)


def _blank() -> dict[str, Any]:
    return {
        "name": "",
        "mrn": "",
        "bed": "",
        "date_of_birth": "",
        "age_years": "",
        "sex": "",
        "weight_kg": "",
        "pregnant": "",
        "conditions": [],
        "allergies": [],
        "history": [],
        "setting": "inpatient",
        "first_line_offered": "",
        "first_line_choice": "",
        "first_line_note": "",
        "idempotency_key": "",
    }


def _form_page(
    request: Request,
    user: PageUser,
    values: dict[str, Any],
    errors: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ward = ward_of(user)
    return page(
        request,
        "docs/admit.html",
        user=user,
        active="admit",
        status_code=status_code,
        values=values,
        errors=errors or {},
        conditions=CONDITIONS,
        allergies=ALLERGIES,
        history=HISTORY,
        settings=SETTINGS,
        sexes=SEX_CHOICES,
        first_line=[(code, *FIRST_LINE_WORDS[code]) for code in FIRST_LINE_CHOICES],
        **ward_context(ward),
    )


@router.get("/admit", response_class=HTMLResponse)
def admission_form(request: Request, user: PageUserDep) -> Response:
    try:
        return _form_page(request, user, {**_blank(), "idempotency_key": new_key()})
    except ServiceError as error:
        return error_page(request, user, error)


def _read(form: Any, problems: FormProblems) -> dict[str, Any]:
    """The submitted form as the values `admit` takes (text turned into types)."""
    born: date | None = None
    born_text = text(form, "date_of_birth")
    if born_text:
        try:
            born = date.fromisoformat(born_text)
        except ValueError:
            problems.add("date_of_birth", born_text, "a date (YYYY-MM-DD)")
    age = optional_int(form, "age_years", problems)
    if born is None and age is None and not problems.problems:
        problems.add("age_years", None, "an age in whole years, or a date of birth")
    offered_text = text(form, "first_line_offered")
    if offered_text not in ("yes", "no"):
        problems.add(
            "first_line_offered",
            offered_text or None,
            "yes (methadone or buprenorphine was offered) or no (say why below)",
        )
    pregnant_text = text(form, "pregnant")
    if pregnant_text not in ("", "yes", "no"):
        problems.add("pregnant", pregnant_text, "yes, no, or not recorded")
    choice = text(form, "first_line_choice") or ("undecided" if offered_text == "no" else "")
    if not choice:
        problems.add(
            "first_line_choice",
            None,
            "the patient's choice: " + ", ".join(FIRST_LINE_CHOICES),
        )
    return {
        "name": text(form, "name"),
        "mrn": text(form, "mrn"),
        "bed": optional_text(form, "bed"),
        "date_of_birth": born,
        "age_years": None if born is not None else age,
        "sex": optional_text(form, "sex"),
        "weight_kg": optional_text(form, "weight_kg"),
        "pregnant": {"yes": True, "no": False}.get(pregnant_text),
        "conditions": [v for v in form.getlist("conditions") if isinstance(v, str)],
        "allergies": [v for v in form.getlist("allergies") if isinstance(v, str)],
        "history": [v for v in form.getlist("history") if isinstance(v, str)],
        "setting": text(form, "setting") or "inpatient",
        "first_line_offered": offered_text == "yes",
        "first_line_choice": choice,
        "first_line_note": optional_text(form, "first_line_note"),
        "idempotency_key": optional_text(form, "idempotency_key"),
    }


def _echo(form: Any) -> dict[str, Any]:
    """The form as sent, to fill it in again beside its errors."""
    values = _blank()
    for key in values:
        if isinstance(values[key], list):
            values[key] = [v for v in form.getlist(key) if isinstance(v, str)]
        else:
            values[key] = text(form, key)
    return values


@router.post("/admit", response_class=HTMLResponse)
async def admit_patient(request: Request, user: PageUserDep, uow: UowDep) -> Response:
    form = await request.form()
    problems = FormProblems()
    try:
        ward = ward_of(user)
        fields = _read(form, problems)
        problems.raise_if_any()
        result = admit(uow, user.actor, ward_id=ward.id, **fields)
    except InputError as error:
        return _form_page(request, user, _echo(form), field_errors(error), status_code=422)
    except ServiceError as error:
        return error_page(request, user, error)
    again = "?again=1" if result.replayed else ""
    return RedirectResponse(f"/episodes/{result.episode.id}/admission{again}", status_code=303)


@router.get("/episodes/{episode_id}/admission", response_class=HTMLResponse)
def admission_summary(
    request: Request, episode_id: int, user: PageUserDep, uow: UowDep, again: int = 0
) -> Response:
    try:
        episode = get_episode(uow, user.actor, episode_id=episode_id)
        patient = get_patient(uow, user.actor, patient_id=episode.patient_id)
    except ServiceError as error:
        return error_page(request, user, error)
    ward = next((w for w in user.wards if w.id == patient.ward_id), user.ward)
    extra = ward_context(ward) if ward is not None else {}
    return page(
        request,
        "docs/admitted.html",
        user=user,
        active="admit",
        episode=episode,
        patient=patient,
        again=bool(again),
        choice=FIRST_LINE_WORDS.get(episode.first_line_choice, (episode.first_line_choice, "")),
        **extra,
    )
