"""The patient page: what the protocol allows now and why, the bedside forms, charts, timeline.

`GET /patients/{patient_id}` shows the patient's open episode (or the latest one,
read-only, after discharge): the recommendation now (logged as shown to the
person reading it), the emergency checklist across the page when the action is
emergency, what is due, the forms (COWS, SOWS, OOWS with every anchor, vital
signs, sedation, symptoms, side effects, medicines), the charts and the timeline.

Every form posts to its own path under the patient, calls one service function and
answers with a redirect back to the page (post/redirect/get), so a reload never
sends it again; each form carries an idempotency key made when the page was
drawn, so a double click records once. Bad input comes back as the page with
status 422 and each problem beside its field. Give and Hold go through a
confirmation step (`confirmed=yes`); a dose the protocol refuses comes back with
status 409 and the findings that refused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from owm.clinical import Protocol, Recommendation, vocab
from owm.clinical.explain import alcohol_window_hours, what_would_change
from owm.clinical.instruments import COWS, OOWS, POSS, RASS, SOWS
from owm.clinical.pk import Model
from owm.clinical.readings import news2_of, spo2_scale_for
from owm.clinical.state import MEDICATION_CLASSES, SIDE_EFFECTS, SYMPTOMS
from owm.http.deps import RuntimeDep
from owm.http.runtime import Runtime
from owm.service.acknowledgements import acknowledge_finding
from owm.service.alcohol import record_alcohol
from owm.service.assessments import record_assessment
from owm.service.assignments import assign_nurse, assignment_history
from owm.service.dosing import give_dose, hold_dose
from owm.service.errors import Conflict, DoseRefused, InputError, NotFound, ServiceError
from owm.service.medications import record_medication, stop_medication
from owm.service.observations import record_sedation, record_vitals
from owm.service.permissions import Permission, allowed
from owm.service.protocols import protocol_for
from owm.service.queries import episode_record, get_patient, list_episodes
from owm.service.recommendation import get_recommendation
from owm.service.results import EpisodeRecord, EpisodeView, PatientView, WardView
from owm.service.staff import active_nurses, staff_names
from owm.service.symptoms import record_side_effect, record_symptom
from owm.service.wards import get_ward
from owm.web import charts
from owm.web.due import counted_doses, due_items, time_since_last_dose, untreated_withdrawal
from owm.web.errors import error_page, field_errors
from owm.web.forms import (
    FormProblems,
    new_key,
    optional_int,
    optional_local_time,
    optional_text,
    text,
)
from owm.web.pages import PageUser, PageUserDep, page
from owm.web.templating import ward_datetime
from owm.web.timeline import people_in, timeline

__all__ = ["FORMS", "PatientView", "router"]

router = APIRouter(include_in_schema=False)

FORMS = (
    "COWS",
    "SOWS",
    "OOWS",
    "unable",
    "vitals",
    "POSS",
    "RASS",
    "symptoms",
    "side-effects",
    "alcohol",
    "medication",
    "give",
    "hold",
    "acknowledge",
    "assign",
)
_DONE = {
    "alcohol": "Alcohol recorded.",
    "COWS": "COWS recorded.",
    "SOWS": "SOWS recorded.",
    "OOWS": "OOWS recorded.",
    "unable": "Recorded as unable to assess, with the reason.",
    "vitals": "Vital signs recorded.",
    "POSS": "Sedation (POSS) recorded.",
    "RASS": "Sedation (RASS) recorded.",
    "symptoms": "Symptoms recorded.",
    "side-effects": "Side effects recorded.",
    "medication": "Medicine recorded.",
    "medication-stopped": "Medicine stopped.",
    "assigned": "Nurse assignment recorded.",
    "give": "Dose recorded.",
    "hold": "Dose held, with the reason.",
    "acknowledge": "Acknowledgement recorded.",
}
CHART_HOURS_BACK = 72
CHART_HOURS_AHEAD = 12


@dataclass
class Loaded:
    """What the page is drawn from, read through the service functions."""

    patient: PatientView
    episode: EpisodeView | None
    ward: WardView
    protocol: Protocol
    record: EpisodeRecord | None
    rec: Recommendation | None
    log_id: int | None
    unavailable: str | None = None


@dataclass
class FormState:
    """A form sent back to the nurse: which one, what was entered, what was wrong."""

    name: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)
    refusal: DoseRefused | None = None
    conflict: str | None = None


def _load(runtime: Runtime, user: PageUser, patient_id: int, *, shown: bool = True) -> Loaded:
    patient = get_patient(runtime.uow(), user.actor, patient_id=patient_id)
    ward = get_ward(runtime.uow(), user.actor, ward_id=patient.ward_id)
    protocol = protocol_for(ward.protocol_id)
    episodes = list_episodes(runtime.uow(), user.actor, patient_id=patient_id)
    episode = next((e for e in episodes if e.discharged_at is None), None) or (
        episodes[0] if episodes else None
    )
    if episode is None:
        return Loaded(patient, None, ward, protocol, None, None, None)
    record = episode_record(runtime.uow(), user.actor, episode_id=episode.id)
    rec = log_id = unavailable = None
    if episode.discharged_at is None:
        try:
            result = get_recommendation(
                runtime.uow(), user.actor, episode_id=episode.id, record_shown=shown
            )
            rec, log_id = result.recommendation, result.log_id
        except Conflict as refused:
            unavailable = str(refused)
    return Loaded(patient, episode, ward, protocol, record, rec, log_id, unavailable)


def _open_episode(loaded: Loaded, form: Any) -> int:
    """The open episode the form was drawn for; Conflict when the page is out of date."""
    if loaded.episode is None or loaded.episode.discharged_at is not None:
        raise Conflict("this patient has no open episode (discharged); nothing was recorded")
    sent = text(form, "episode_id")
    if sent and sent != str(loaded.episode.id):
        raise Conflict("this page was drawn for an earlier episode of the patient; reload the page")
    return loaded.episode.id


def _charts(loaded: Loaded, now: datetime, tz: str) -> dict[str, Any]:
    record, rec = loaded.record, loaded.rec
    if record is None:
        return {}
    start = max(record.episode.admitted_at, now - timedelta(hours=CHART_HOURS_BACK))
    start = min(start, now - timedelta(hours=6))
    end = now + timedelta(hours=CHART_HOURS_AHEAD)
    doses = [(d.at, d.dose_mg) for d in counted_doses(record.administrations)]
    live = [a for a in record.assessments if a.voided_at is None and a.total is not None]
    cows = [
        charts.ScorePoint(a.at, a.total or 0, (a.band or "").replace("-", " "))
        for a in live
        if a.instrument == "COWS"
    ]
    scale = spo2_scale_for(loaded.patient.conditions)
    news = []
    for v in record.vitals:
        result = news2_of(v, scale) if v.voided_at is None else None
        if result is not None:
            news.append(charts.ScorePoint(v.at, result.score, result.response))
    planned: tuple[datetime, Decimal] | None = None
    if rec is not None and rec.action == "give" and rec.dose_mg is not None:
        planned = (now, rec.dose_mg)
    elif rec is not None and rec.shows_next_dose and rec.next_dose_not_before and doses:
        planned = (max(rec.next_dose_not_before, now), doses[-1][1])
    model = Model.from_protocol(loaded.protocol.pharmacokinetics)
    return {
        "withdrawal": charts.withdrawal_chart(cows, doses, start=start, end=end, now=now, tz=tz),
        "news2": charts.news2_chart(news, start=start, end=end, now=now, tz=tz),
        "level": charts.level_chart(
            doses, model, start=start, end=end, now=now, tz=tz, planned=planned
        ),
    }


def _context(
    request: Request, user: PageUser, loaded: Loaded, state: FormState | None = None
) -> dict[str, Any]:
    state = state or FormState()
    tz = loaded.ward.timezone
    now = request.app.state.owm.clock()
    rec, record = loaded.rec, loaded.record
    runtime: Runtime = request.app.state.owm
    episode_open = loaded.episode is not None and loaded.episode.discharged_at is None
    assignments = (
        assignment_history(runtime.uow(), user.actor, episode_id=loaded.episode.id)
        if loaded.episode is not None
        else []
    )
    can_assign = allowed(user.role, Permission.ASSIGN_NURSE) and episode_open
    people = people_in(record) if record else set()
    people |= {a.nurse_id for a in assignments} | {a.entered_by for a in assignments}
    keys = {name: new_key() for name in FORMS}
    if state.name and state.values.get("idempotency_key"):
        keys[state.name] = str(state.values["idempotency_key"])
    escalations = [
        f for f in (rec.findings if rec else ()) if f.group == "escalate" and not f.acknowledged
    ]
    medicines = [
        m
        for m in (record.medications if record else [])
        if m.voided_at is None and m.stopped_at is None
    ]
    done = request.query_params.get("done")
    notice = _DONE.get(done or "")
    if notice and request.query_params.get("replayed"):
        notice = notice.rstrip(".") + ": this form had already been sent, so it was recorded once."
    return {
        "ward_tz": tz,
        "ward_name": loaded.ward.name,
        "patient": loaded.patient,
        "episode": loaded.episode,
        "record": record,
        "rec": rec,
        "log_id": loaded.log_id,
        "unavailable": loaded.unavailable,
        "protocol": loaded.protocol,
        "alcohol_hours": alcohol_window_hours(loaded.protocol),
        "escalations": escalations,
        "change": what_would_change(loaded.protocol, rec, lambda m: ward_datetime(m, tz))
        if rec
        else [],
        "due": due_items(rec, now) if rec else [],
        "since_last_dose": time_since_last_dose(record.administrations, now) if record else None,
        "untreated": untreated_withdrawal(record.assessments, record.administrations, now)
        if record
        else None,
        "charts": _charts(loaded, now, tz),
        "timeline": timeline(record) if record else [],
        "staff": staff_names(runtime.uow(), user.actor, user_ids=people),
        "assignment": next((a for a in assignments if a.current), None),
        "assignments": assignments,
        "nurses": active_nurses(runtime.uow(), user.actor) if can_assign else [],
        "can_assign": can_assign,
        "medicines": medicines,
        "instruments": {"COWS": COWS, "SOWS": SOWS, "OOWS": OOWS},
        "sedation_scales": {"POSS": POSS, "RASS": RASS},
        "symptom_codes": SYMPTOMS,
        "side_effect_codes": SIDE_EFFECTS,
        "medication_classes": MEDICATION_CLASSES,
        "consciousness_levels": vocab.CONSCIOUSNESS,
        "outcomes": vocab.OUTCOMES,
        "keys": keys,
        "form": state,
        "notice": notice,
        "can_record": allowed(user.role, Permission.RECORD_OBSERVATION),
        "can_give": allowed(user.role, Permission.GIVE_DOSE),
        "can_hold": allowed(user.role, Permission.HOLD_DOSE),
        "can_ack": allowed(user.role, Permission.ACKNOWLEDGE),
        "can_medicate": allowed(user.role, Permission.MANAGE_MEDICATIONS),
    }


def _patient_page(
    request: Request,
    user: PageUser,
    loaded: Loaded,
    state: FormState | None = None,
    status: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "patient.html",
        user=user,
        active="board",
        status_code=status,
        **_context(request, user, loaded, state),
    )


def _back(patient_id: int, done: str, *, replayed: bool = False, anchor: str = "") -> Response:
    query = {"done": done}
    if replayed:
        query["replayed"] = "1"
    target = f"/patients/{patient_id}?{urlencode(query)}"
    if anchor:
        target += f"#{anchor}"
    return RedirectResponse(target, status_code=303)


async def _form(request: Request) -> dict[str, Any]:
    data = await request.form()
    values: dict[str, Any] = {}
    for key in data:
        found = data.getlist(key)
        values[key] = found if len(found) > 1 else found[0]
    return values


def _answer_error(
    request: Request,
    runtime: Runtime,
    user: PageUser,
    patient_id: int,
    name: str,
    values: dict[str, Any],
    error: ServiceError,
) -> Response:
    """The page again with the refused form open: 422 beside the fields, 409 with the reason."""
    if isinstance(error, NotFound) and error.record_type == "patient":
        return error_page(request, user, error)
    try:
        loaded = _load(runtime, user, patient_id, shown=False)
    except ServiceError as other:
        return error_page(request, user, other)
    state = FormState(name=name, values=values)
    if isinstance(error, InputError):
        state.errors = dict(field_errors(error))
        return _patient_page(request, user, loaded, state, 422)
    if isinstance(error, DoseRefused):
        state.refusal = error
        return _patient_page(request, user, loaded, state, 409)
    if isinstance(error, Conflict):
        state.conflict = str(error)
        return _patient_page(request, user, loaded, state, 409)
    return error_page(request, user, error)


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(
    request: Request, patient_id: int, runtime: RuntimeDep, user: PageUserDep
) -> Response:
    try:
        loaded = _load(runtime, user, patient_id)
    except ServiceError as error:
        return error_page(request, user, error)
    return _patient_page(request, user, loaded)


@router.post("/patients/{patient_id}/assessments")
async def post_assessment(
    request: Request, patient_id: int, runtime: RuntimeDep, user: PageUserDep
) -> Response:
    """A COWS, SOWS or OOWS with every item, or "unable to assess" with a reason."""
    values = await _form(request)
    instrument = text(values, "instrument")
    unable = text(values, "mode") == "unable"
    name = "unable" if unable else instrument if instrument in vocab.INSTRUMENT_CODES else "COWS"
    try:
        loaded = _load(runtime, user, patient_id, shown=False)
        episode_id = _open_episode(loaded, values)
        problems = FormProblems()
        at = optional_local_time(values, "at", loaded.ward.timezone, problems)
        items: dict[str, int] | None = None
        if not unable:
            scale = {"COWS": COWS, "SOWS": SOWS, "OOWS": OOWS}.get(instrument)
            if scale is None:
                raise InputError("instrument", instrument, "COWS, SOWS, OOWS")
            items = {}
            for item in scale.items:
                field_name = f"items.{item.key}"
                allowed_text = "one of " + ", ".join(f"{v} ({a})" for v, a in item.anchors)
                if not text(values, field_name):
                    problems.add(
                        field_name,
                        None,
                        allowed_text + "; if the assessment cannot be completed, "
                        "record “unable to assess” with the reason",
                    )
                    continue
                value = optional_int(values, field_name, problems)
                if value is not None and value not in item.allowed:
                    problems.add(field_name, value, allowed_text)
                elif value is not None:
                    items[item.key] = value
        problems.raise_if_any()
        result = record_assessment(
            runtime.uow(),
            user.actor,
            episode_id=episode_id,
            instrument=instrument,
            items=items,
            unable_reason=optional_text(values, "unable_reason") if unable else None,
            at=at,
            idempotency_key=optional_text(values, "idempotency_key"),
        )
    except ServiceError as error:
        return _answer_error(request, runtime, user, patient_id, name, values, error)
    return _back(patient_id, name, replayed=result.replayed, anchor="recommendation")


@router.post("/patients/{patient_id}/vitals")
async def post_vitals(
    request: Request, patient_id: int, runtime: RuntimeDep, user: PageUserDep
) -> Response:
    values = await _form(request)
    try:
        loaded = _load(runtime, user, patient_id, shown=False)
        episode_id = _open_episode(loaded, values)
        problems = FormProblems()
        numbers = {
            name: optional_int(values, name, problems)
            for name in ("respiratory_rate", "spo2", "systolic_bp", "pulse")
        }
        oxygen_text = text(values, "oxygen")
        oxygen = {"yes": True, "no": False}.get(oxygen_text)
        if oxygen_text and oxygen is None:
            problems.add("oxygen", oxygen_text, "yes or no")
        at = optional_local_time(values, "at", loaded.ward.timezone, problems)
        problems.raise_if_any()
        result = record_vitals(
            runtime.uow(),
            user.actor,
            episode_id=episode_id,
            oxygen=oxygen,
            consciousness=optional_text(values, "consciousness"),
            temperature_c=optional_text(values, "temperature_c"),
            at=at,
            idempotency_key=optional_text(values, "idempotency_key"),
            **numbers,
        )
    except ServiceError as error:
        return _answer_error(request, runtime, user, patient_id, "vitals", values, error)
    return _back(patient_id, "vitals", replayed=result.replayed, anchor="recommendation")


@router.post("/patients/{patient_id}/sedation")
async def post_sedation(
    request: Request, patient_id: int, runtime: RuntimeDep, user: PageUserDep
) -> Response:
    values = await _form(request)
    scale = text(values, "scale")
    name = scale if scale in ("POSS", "RASS") else "POSS"
    try:
        loaded = _load(runtime, user, patient_id, shown=False)
        episode_id = _open_episode(loaded, values)
        problems = FormProblems()
        at = optional_local_time(values, "at", loaded.ward.timezone, problems)
        level = text(values, "level")
        if not level:
            levels = POSS.levels if name == "POSS" else RASS.levels
            problems.add("level", None, "one of " + ", ".join(f"{v} ({a})" for v, a in levels))
        problems.raise_if_any()
        result = record_sedation(
            runtime.uow(),
            user.actor,
            episode_id=episode_id,
            scale=scale,
            level=level,
            at=at,
            idempotency_key=optional_text(values, "idempotency_key"),
        )
    except ServiceError as error:
        return _answer_error(request, runtime, user, patient_id, name, values, error)
    return _back(patient_id, name, replayed=result.replayed, anchor="recommendation")


@router.post("/patients/{patient_id}/alcohol")
async def post_alcohol(
    request: Request, patient_id: int, runtime: RuntimeDep, user: PageUserDep
) -> Response:
    """Alcohol: the last drink, a breath test, or the patient's report of no drink (without
    one of them a dose is held: alcohol unknown, clinical spec section 8)."""
    values = await _form(request)
    try:
        loaded = _load(runtime, user, patient_id, shown=False)
        episode_id = _open_episode(loaded, values)
        problems = FormProblems()
        tz = loaded.ward.timezone
        at = optional_local_time(values, "at", tz, problems)
        drink = optional_local_time(values, "last_drink_at", tz, problems)
        breath = optional_text(values, "breath_alcohol_mg_l")
        none = text(values, "none_reported") == "yes"
        if drink is None and breath is None and not none and not problems.problems:
            problems.add(
                "last_drink_at",
                None,
                "the time of the last drink, a breath alcohol reading, or 'no drink reported'",
            )
        problems.raise_if_any()
        result = record_alcohol(
            runtime.uow(),
            user.actor,
            episode_id=episode_id,
            last_drink_at=drink,
            breath_alcohol_mg_l=breath,
            none_reported=none,
            at=at,
            idempotency_key=optional_text(values, "idempotency_key"),
        )
    except ServiceError as error:
        return _answer_error(request, runtime, user, patient_id, "alcohol", values, error)
    return _back(patient_id, "alcohol", replayed=result.replayed, anchor="recommendation")


def _codes(values: dict[str, Any]) -> list[str]:
    found = values.get("code", [])
    return [found] if isinstance(found, str) else list(found)


async def _record_codes(
    request: Request, patient_id: int, runtime: Runtime, user: PageUser, kind: str
) -> Response:
    values = await _form(request)
    record = record_symptom if kind == "symptoms" else record_side_effect
    vocabulary = SYMPTOMS if kind == "symptoms" else SIDE_EFFECTS
    replayed = False
    try:
        loaded = _load(runtime, user, patient_id, shown=False)
        episode_id = _open_episode(loaded, values)
        problems = FormProblems()
        at = optional_local_time(values, "at", loaded.ward.timezone, problems)
        codes = _codes(values)
        if not codes:
            problems.add("code", None, "at least one of " + ", ".join(vocabulary))
        problems.raise_if_any()
        key = optional_text(values, "idempotency_key")
        for code in codes:
            result = record(
                runtime.uow(),
                user.actor,
                episode_id=episode_id,
                code=code,
                note=optional_text(values, "note"),
                at=at,
                idempotency_key=f"{key}:{code}" if key else None,
            )
            replayed = replayed or result.replayed
    except ServiceError as error:
        return _answer_error(request, runtime, user, patient_id, kind, values, error)
    return _back(patient_id, kind, replayed=replayed, anchor="recommendation")


@router.post("/patients/{patient_id}/symptoms")
async def post_symptoms(
    request: Request, patient_id: int, runtime: RuntimeDep, user: PageUserDep
) -> Response:
    return await _record_codes(request, patient_id, runtime, user, "symptoms")


@router.post("/patients/{patient_id}/side-effects")
async def post_side_effects(
    request: Request, patient_id: int, runtime: RuntimeDep, user: PageUserDep
) -> Response:
    return await _record_codes(request, patient_id, runtime, user, "side-effects")


@router.post("/patients/{patient_id}/medications")
async def post_medication(
    request: Request, patient_id: int, runtime: RuntimeDep, user: PageUserDep
) -> Response:
    values = await _form(request)
    try:
        loaded = _load(runtime, user, patient_id, shown=False)
        episode_id = _open_episode(loaded, values)
        problems = FormProblems()
        at = optional_local_time(values, "at", loaded.ward.timezone, problems)
        if not text(values, "name"):
            problems.add("name", None, "the medicine's name")
        problems.raise_if_any()
        result = record_medication(
            runtime.uow(),
            user.actor,
            episode_id=episode_id,
            name=text(values, "name"),
            med_class=text(values, "med_class"),
            dose_text=optional_text(values, "dose_text"),
            at=at,
            idempotency_key=optional_text(values, "idempotency_key"),
        )
    except ServiceError as error:
        return _answer_error(request, runtime, user, patient_id, "medication", values, error)
    return _back(patient_id, "medication", replayed=result.replayed, anchor="medicines")


@router.post("/patients/{patient_id}/medications/{medication_id}/stop")
async def post_stop_medication(
    request: Request, patient_id: int, medication_id: int, runtime: RuntimeDep, user: PageUserDep
) -> Response:
    values = await _form(request)
    try:
        loaded = _load(runtime, user, patient_id, shown=False)
        _open_episode(loaded, values)
        if loaded.record is None or medication_id not in {m.id for m in loaded.record.medications}:
            raise NotFound("medication", medication_id)
        stop_medication(runtime.uow(), user.actor, medication_id=medication_id)
    except ServiceError as error:
        return _answer_error(request, runtime, user, patient_id, "medication", values, error)
    return _back(patient_id, "medication-stopped", anchor="medicines")


def _confirm(
    request: Request,
    user: PageUser,
    loaded: Loaded,
    template: str,
    values: dict[str, Any],
    **details: Any,
) -> Response:
    """The confirmation step of Give or Hold: the patient, the recommendation now and
    what is about to be recorded (`details`), with the form's values to send again."""
    return page(
        request,
        template,
        user=user,
        active="board",
        ward_tz=loaded.ward.timezone,
        ward_name=loaded.ward.name,
        patient=loaded.patient,
        episode=loaded.episode,
        rec=loaded.rec,
        values=values,
        **details,
    )


@router.post("/patients/{patient_id}/give")
async def post_give(
    request: Request, patient_id: int, runtime: RuntimeDep, user: PageUserDep
) -> Response:
    """Give: first a confirmation page, then (confirmed=yes) the dose through the guard."""
    values = await _form(request)
    try:
        loaded = _load(runtime, user, patient_id, shown=False)
        episode_id = _open_episode(loaded, values)
        problems = FormProblems()
        given_at = optional_local_time(values, "given_at", loaded.ward.timezone, problems)
        dose = text(values, "dose_mg")
        if not dose:
            problems.add("dose_mg", None, "the dose in mg, e.g. 0.5")
        outcome = text(values, "outcome") or "given"
        problems.raise_if_any()
        if text(values, "confirmed") != "yes":
            return _confirm(
                request,
                user,
                loaded,
                "confirm_give.html",
                values,
                dose=dose,
                outcome=outcome,
                given_at=given_at,
            )
        result = give_dose(
            runtime.uow(),
            user.actor,
            episode_id=episode_id,
            dose_mg=dose,
            idempotency_key=text(values, "idempotency_key"),
            given_at=given_at,
            outcome=outcome,
            note=optional_text(values, "note"),
        )
    except ServiceError as error:
        return _answer_error(request, runtime, user, patient_id, "give", values, error)
    return _back(patient_id, "give", replayed=result.replayed, anchor="recommendation")


@router.post("/patients/{patient_id}/hold")
async def post_hold(
    request: Request, patient_id: int, runtime: RuntimeDep, user: PageUserDep
) -> Response:
    """Hold: a reason is required; a confirmation page, then (confirmed=yes) the hold."""
    values = await _form(request)
    try:
        loaded = _load(runtime, user, patient_id, shown=False)
        episode_id = _open_episode(loaded, values)
        reason = text(values, "reason")
        if not reason:
            raise InputError("reason", None, "the reason the dose is held (required)")
        if text(values, "confirmed") != "yes":
            return _confirm(request, user, loaded, "confirm_hold.html", values, reason=reason)
        hold_dose(
            runtime.uow(),
            user.actor,
            episode_id=episode_id,
            reason=reason,
            idempotency_key=optional_text(values, "idempotency_key"),
        )
    except ServiceError as error:
        return _answer_error(request, runtime, user, patient_id, "hold", values, error)
    return _back(patient_id, "hold", anchor="recommendation")


@router.post("/patients/{patient_id}/acknowledge")
async def post_acknowledge(
    request: Request, patient_id: int, runtime: RuntimeDep, user: PageUserDep
) -> Response:
    """A physician acknowledges an escalation finding, with a reason."""
    values = await _form(request)
    try:
        loaded = _load(runtime, user, patient_id, shown=False)
        episode_id = _open_episode(loaded, values)
        result = acknowledge_finding(
            runtime.uow(),
            user.actor,
            episode_id=episode_id,
            finding=text(values, "finding"),
            reason=text(values, "reason"),
            idempotency_key=optional_text(values, "idempotency_key"),
        )
    except ServiceError as error:
        return _answer_error(request, runtime, user, patient_id, "acknowledge", values, error)
    return _back(patient_id, "acknowledge", replayed=result.replayed, anchor="recommendation")


@router.post("/patients/{patient_id}/assign")
async def post_assign(
    request: Request, patient_id: int, runtime: RuntimeDep, user: PageUserDep
) -> Response:
    """Assign a nurse to the patient's open episode (nurses and physicians), or nobody."""
    values = await _form(request)
    try:
        loaded = _load(runtime, user, patient_id, shown=False)
        episode_id = _open_episode(loaded, values)
        problems = FormProblems()
        nurse_id = optional_int(values, "nurse_id", problems)
        problems.raise_if_any()
        assign_nurse(runtime.uow(), user.actor, episode_id=episode_id, nurse_id=nurse_id)
    except ServiceError as error:
        return _answer_error(request, runtime, user, patient_id, "assign", values, error)
    return _back(patient_id, "assigned", anchor="nurse")
