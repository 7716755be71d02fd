"""`owm demo`: a demo ward with realistic patients whose histories cover every action.

Ward 7 (Europe/London) with one user per role and ten patients, each showing one
thing the ward system does: a dose to give now, a night dose given last night, a
dose held for the minimum interval, a methadone escalation (with the nurse's call
to the physician), a methadone escalation acknowledged, alcohol contraindicating,
an emergency (POSS 4), no withdrawal (not indicated), a course over its limit
that needs a taper, and a discharge with referrals and the patient's rating.
Histories are written through the same service functions the ward uses, with a
clock walked through the past, so every entry is validated, audited and charted
in order.

Running it again adds nothing twice: the ward, users and patients (by MRN) that
exist are left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from owm.service import (
    acknowledgements,
    admission,
    alcohol,
    assessments,
    assignments,
    discharge,
    dosing,
    feedback,
    medications,
    observations,
    queries,
    recommendation,
    symptoms,
    users,
    voiding,
    wards,
)

if TYPE_CHECKING:
    from owm.cli.database import Database
    from owm.service.actor import Actor

__all__ = ["DEMO_USERS", "DEMO_WARD", "DemoReport", "populate"]

DEMO_WARD = "Ward 7 — Withdrawal Unit"
DEMO_ZONE = "Europe/London"
DEMO_WARD_CONTACT = "020 7946 0321 (nurses' station, day and night)"

DEMO_USERS: tuple[tuple[str, str, str, str], ...] = (
    # username, role, password (demo only), full name
    ("nurse", "nurse", "nurse-demo-pass", "Nadia Okafor RN"),
    ("nurse2", "nurse", "nurse2-demo-pass", "Tom Price RN"),
    ("doctor", "physician", "doctor-demo-pass", "Dr Helen Shaw"),
    ("pharmacist", "pharmacist", "pharmacist-demo-pass", "Ravi Mehta"),
    ("admin", "admin", "admin-demo-pass", "Ward Administrator"),
)

# COWS item sets: total 18 (baseline), 15 (moderate), 3 (no withdrawal).
COWS_18 = {
    "resting_pulse": 1,
    "sweating": 2,
    "restlessness": 3,
    "pupil_size": 1,
    "bone_joint_aches": 2,
    "runny_nose_tearing": 1,
    "gi_upset": 2,
    "tremor": 2,
    "yawning": 2,
    "anxiety_irritability": 2,
    "gooseflesh": 0,
}
COWS_15 = {**COWS_18, "sweating": 1, "tremor": 1, "yawning": 1}
COWS_3 = {key: 0 for key in COWS_18} | {"resting_pulse": 1, "yawning": 1, "sweating": 1}
VITALS = {
    "respiratory_rate": 16,
    "spo2": 97,
    "oxygen": False,
    "systolic_bp": 122,
    "pulse": 84,
    "consciousness": "alert",
    "temperature_c": "36.9",
}


@dataclass(frozen=True, slots=True)
class DemoReport:
    ward: str
    patients_added: int
    patients_existing: int


Step = Callable[[Any, dict[str, Any]], None]


@dataclass
class _Event:
    at: datetime
    order: int
    mrn: str
    step: Step


class _Script:
    """Events of every demo patient, run in time order on one clock."""

    def __init__(self) -> None:
        self.events: list[_Event] = []

    def at(self, moment: datetime, mrn: str, step: Step) -> None:
        self.events.append(
            _Event(moment.replace(second=0, microsecond=0), len(self.events), mrn, step)
        )


def _night_before(now: datetime, zone: ZoneInfo) -> datetime:
    """The latest 22:45 ward time at least an hour before now."""
    local = (now - timedelta(hours=1)).astimezone(zone)
    candidate = datetime.combine(local.date(), time(22, 45), tzinfo=zone)
    if candidate > local:
        candidate -= timedelta(days=1)
    return candidate.astimezone(UTC)


def _patients(now: datetime) -> list[dict[str, Any]]:
    zone = ZoneInfo(DEMO_ZONE)
    return [
        {
            "mrn": "DEMO-001",
            "name": "Alex Morgan",
            "bed": "1",
            "age": 34,
            "sex": "male",
            "weight": "78",
            "choice": "buprenorphine",
            "admitted": now - timedelta(hours=6),
            "story": "give",
        },
        {
            "mrn": "DEMO-002",
            "name": "Jordan Lee",
            "bed": "2",
            "age": 29,
            "sex": "female",
            "weight": "61",
            "choice": "declined",
            "admitted": _night_before(now, zone) - timedelta(hours=5),
            "story": "night-dose",
        },
        {
            "mrn": "DEMO-003",
            "name": "Sam Patel",
            "bed": "3",
            "age": 41,
            "sex": "male",
            "weight": "83",
            "choice": "methadone",
            "admitted": now - timedelta(hours=9),
            "story": "hold-interval",
        },
        {
            "mrn": "DEMO-004",
            "name": "Chris Taylor",
            "bed": "4",
            "age": 52,
            "sex": "male",
            "weight": "90",
            "choice": "methadone",
            "admitted": now - timedelta(hours=20),
            "story": "methadone-escalate",
        },
        {
            "mrn": "DEMO-005",
            "name": "Robin Evans",
            "bed": "5",
            "age": 37,
            "sex": "female",
            "weight": "66",
            "choice": "methadone",
            "admitted": now - timedelta(hours=30),
            "story": "methadone-acknowledged",
        },
        {
            "mrn": "DEMO-006",
            "name": "Casey Brown",
            "bed": "6",
            "age": 45,
            "sex": "male",
            "weight": "74",
            "choice": "undecided",
            "admitted": now - timedelta(hours=3),
            "story": "alcohol",
            "history": ["alcohol-use-disorder"],
        },
        {
            "mrn": "DEMO-007",
            "name": "Drew Wilson",
            "bed": "7",
            "age": 31,
            "sex": "male",
            "weight": "70",
            "choice": "buprenorphine",
            "admitted": now - timedelta(hours=12),
            "story": "emergency",
        },
        {
            "mrn": "DEMO-008",
            "name": "Jamie Clark",
            "bed": "8",
            "age": 26,
            "sex": "female",
            "weight": "58",
            "choice": "buprenorphine",
            "admitted": now - timedelta(hours=4),
            "story": "not-indicated",
        },
        {
            "mrn": "DEMO-009",
            "name": "Taylor Green",
            "bed": "9",
            "age": 48,
            "sex": "female",
            "weight": "69",
            "choice": "declined",
            "admitted": now - timedelta(days=8, hours=3),
            "story": "long-course",
        },
        {
            "mrn": "DEMO-010",
            "name": "Morgan Hughes",
            "bed": "10",
            "age": 39,
            "sex": "male",
            "weight": "81",
            "choice": "buprenorphine",
            "admitted": now - timedelta(days=4),
            "story": "discharged",
        },
    ]


def _ready(
    script: _Script,
    mrn: str,
    moment: datetime,
    cows: dict[str, int] = COWS_15,
    poss: str = "1",
    vitals: dict[str, Any] | None = None,
) -> None:
    """COWS, vital signs and POSS at `moment` (what a nurse records before a dose)."""

    def record(world: Any, ctx: dict[str, Any]) -> None:
        episode = ctx["episode"]
        assessments.record_assessment(
            world.uow(), world.nurse, episode_id=episode, instrument="COWS", items=cows
        )
        observations.record_vitals(
            world.uow(), world.nurse, episode_id=episode, **(vitals or VITALS)
        )
        observations.record_sedation(
            world.uow(), world.nurse, episode_id=episode, scale="POSS", level=poss
        )

    script.at(moment, mrn, record)


def _give(
    script: _Script, mrn: str, moment: datetime, dose: str, key: str, nurse: str = "nurse"
) -> None:
    def give(world: Any, ctx: dict[str, Any]) -> None:
        dosing.give_dose(
            world.uow(),
            world.actors[nurse],
            episode_id=ctx["episode"],
            dose_mg=dose,
            idempotency_key=f"demo-{key}",
        )

    script.at(moment, mrn, give)


def _methadone(script: _Script, mrn: str, moment: datetime, dose_text: str) -> None:
    """Methadone (RxNorm 6813) recorded as a current medicine at `moment`."""

    def methadone(world: Any, ctx: dict[str, Any]) -> None:
        medications.record_medication(
            world.uow(),
            world.nurse,
            episode_id=ctx["episode"],
            name="methadone",
            med_class="opioid",
            rxnorm="6813",
            dose_text=dose_text,
        )

    script.at(moment, mrn, methadone)


def _acknowledge(script: _Script, mrn: str, moment: datetime, finding: str, reason: str) -> None:
    """The ward physician acknowledges `finding` at `moment`, with `reason`."""

    def acknowledge(world: Any, ctx: dict[str, Any]) -> None:
        acknowledgements.acknowledge_finding(
            world.uow(),
            world.actors["doctor"],
            episode_id=ctx["episode"],
            finding=finding,
            reason=reason,
        )

    script.at(moment, mrn, acknowledge)


def _story_give(script: _Script, p: dict[str, Any], now: datetime) -> None:
    """The give patient: the records of their stay, in time order."""
    mrn = p["mrn"]
    minutes = timedelta(minutes=1)

    _ready(script, mrn, now - 20 * minutes)

    def extras(world: Any, ctx: dict[str, Any]) -> None:
        e = ctx["episode"]
        symptoms.record_symptom(world.uow(), world.nurse, episode_id=e, code="restless-legs")
        wrong = observations.record_vitals(world.uow(), world.nurse, episode_id=e, pulse=180)
        voiding.void_entry(
            world.uow(),
            world.nurse,
            record_type="vital_signs",
            entry_id=wrong.id,
            reason="pulse typed as 180 instead of 80",
        )

    script.at(now - 18 * minutes, mrn, extras)


def _story_night_dose(script: _Script, p: dict[str, Any], now: datetime) -> None:
    """The night dose patient: the records of their stay, in time order."""
    mrn = p["mrn"]
    minutes = timedelta(minutes=1)

    night = _night_before(now, ZoneInfo(DEMO_ZONE))
    _ready(script, mrn, night - 15 * minutes)
    _give(script, mrn, night, "1", f"{mrn}-night", nurse="nurse2")
    _ready(script, mrn, now - 40 * minutes, cows=COWS_15)


def _story_hold_interval(script: _Script, p: dict[str, Any], now: datetime) -> None:
    """The hold interval patient: the records of their stay, in time order."""
    mrn = p["mrn"]
    minutes = timedelta(minutes=1)

    _ready(script, mrn, now - 2 * 60 * minutes - 10 * minutes)
    _give(script, mrn, now - 2 * 60 * minutes, "0.5", f"{mrn}-1")
    _ready(script, mrn, now - 15 * minutes, cows=COWS_18)

    def hold(world: Any, ctx: dict[str, Any]) -> None:
        dosing.hold_dose(
            world.uow(),
            world.nurse,
            episode_id=ctx["episode"],
            reason="last dose 2 h ago; minimum interval 6 h",
            idempotency_key=f"demo-{mrn}-hold",
        )

    script.at(now - 10 * minutes, mrn, hold)


def _story_methadone_escalate(script: _Script, p: dict[str, Any], now: datetime) -> None:
    """The methadone escalate patient: the records of their stay, in time order."""
    mrn = p["mrn"]
    admitted = p["admitted"]
    minutes = timedelta(minutes=1)

    _methadone(script, mrn, admitted + 10 * minutes, "60 mg once daily")
    _ready(script, mrn, now - 25 * minutes)

    def call(world: Any, ctx: dict[str, Any]) -> None:
        shown = recommendation.get_recommendation(
            world.uow(), world.nurse, episode_id=ctx["episode"]
        )
        acknowledgements.record_escalation_contact(
            world.uow(),
            world.nurse,
            episode_id=ctx["episode"],
            finding="opioid-benzodiazepine",
            told_who="Dr Helen Shaw (ward physician)",
            response="Will review on the ward round within the hour; hold until then.",
        )
        feedback.report_problem(
            world.uow(),
            world.actors["doctor"],
            recommendation_id=shown.log_id,
            text="Please show the methadone dose beside the interaction warning.",
        )

    script.at(now - 20 * minutes, mrn, call)


def _story_methadone_acknowledged(script: _Script, p: dict[str, Any], now: datetime) -> None:
    """The methadone acknowledged patient: the records of their stay, in time order."""
    mrn = p["mrn"]
    admitted = p["admitted"]
    minutes = timedelta(minutes=1)

    _methadone(script, mrn, admitted + 10 * minutes, "40 mg once daily")
    _acknowledge(
        script,
        mrn,
        admitted + 60 * minutes,
        "opioid-benzodiazepine",
        "Stable methadone dose; monitored bed; POSS and SpO2 hourly after doses.",
    )
    _ready(script, mrn, now - 7 * 60 * minutes - 10 * minutes)
    _give(script, mrn, now - 7 * 60 * minutes, "0.5", f"{mrn}-1")
    # An acknowledgement lasts 24 h (clinical spec section 8): the daily review renews it.
    _acknowledge(
        script,
        mrn,
        now - 2 * 60 * minutes,
        "opioid-benzodiazepine",
        "Daily review: methadone unchanged; continue with hourly POSS and SpO2 after doses.",
    )

    def side_effect(world: Any, ctx: dict[str, Any]) -> None:
        symptoms.record_side_effect(
            world.uow(),
            world.nurse,
            episode_id=ctx["episode"],
            code="drowsiness",
            note="drowsy for an hour after the dose",
        )

    script.at(now - 5 * 60 * minutes, mrn, side_effect)
    _ready(script, mrn, now - 15 * minutes)


def _story_alcohol(script: _Script, p: dict[str, Any], now: datetime) -> None:
    """The alcohol patient: the records of their stay, in time order."""
    mrn = p["mrn"]
    minutes = timedelta(minutes=1)

    def drink(world: Any, ctx: dict[str, Any]) -> None:
        alcohol.record_alcohol(
            world.uow(),
            world.nurse,
            episode_id=ctx["episode"],
            last_drink_at=now - 6 * 60 * minutes,
            breath_alcohol_mg_l="0.20",
        )

    script.at(now - 35 * minutes, mrn, drink)
    _ready(script, mrn, now - 30 * minutes)


def _story_emergency(script: _Script, p: dict[str, Any], now: datetime) -> None:
    """The emergency patient: the records of their stay, in time order."""
    mrn = p["mrn"]
    minutes = timedelta(minutes=1)

    _ready(script, mrn, now - 3 * 60 * minutes - 10 * minutes, cows=COWS_18)
    _give(script, mrn, now - 3 * 60 * minutes, "0.5", f"{mrn}-1")
    _ready(
        script,
        mrn,
        now - 5 * minutes,
        cows=COWS_3,
        poss="4",
        vitals={
            **VITALS,
            "respiratory_rate": 8,
            "spo2": 89,
            "pulse": 52,
            "consciousness": "voice",
        },
    )


def _story_not_indicated(script: _Script, p: dict[str, Any], now: datetime) -> None:
    """The not indicated patient: the records of their stay, in time order."""
    mrn = p["mrn"]
    minutes = timedelta(minutes=1)

    _ready(script, mrn, now - 30 * minutes, cows=COWS_3)

    def unable(world: Any, ctx: dict[str, Any]) -> None:
        assessments.record_assessment(
            world.uow(),
            world.nurse,
            episode_id=ctx["episode"],
            instrument="SOWS",
            unable_reason="patient asleep; not woken for SOWS",
        )

    script.at(now - 28 * minutes, mrn, unable)


def _story_long_course(script: _Script, p: dict[str, Any], now: datetime) -> None:
    """The long course patient: the records of their stay, in time order."""
    mrn = p["mrn"]
    admitted = p["admitted"]
    minutes = timedelta(minutes=1)

    first = admitted + 60 * minutes
    _ready(script, mrn, first - 10 * minutes, cows=COWS_18)
    limit = timedelta(days=4)
    dose_at = first
    number = 0
    while dose_at < now - 60 * minutes:
        if number:
            _ready(script, mrn, dose_at - 10 * minutes)
        if dose_at - first >= limit:
            # Going on past the course limit is a physician's decision, day by day.
            _acknowledge(
                script,
                mrn,
                dose_at - 5 * minutes,
                "course-limit",
                "Protracted anxiety; course extended today after review; taper at discharge.",
            )
        _give(script, mrn, dose_at, "0.5", f"{mrn}-{number}")
        number += 1
        dose_at = first + timedelta(hours=12) * number + 15 * minutes
    _ready(script, mrn, now - 20 * minutes)


def _story_discharged(script: _Script, p: dict[str, Any], _now: datetime) -> None:
    """The discharged patient: the records of their stay, in time order."""
    mrn = p["mrn"]
    admitted = p["admitted"]
    minutes = timedelta(minutes=1)

    first = admitted + 60 * minutes
    _ready(script, mrn, first - 10 * minutes, cows=COWS_18)
    for number in range(5):
        dose_at = first + timedelta(hours=12) * number
        if number:
            _ready(script, mrn, dose_at - 10 * minutes)
        _give(script, mrn, dose_at, "0.5", f"{mrn}-{number}")
    leave = first + timedelta(hours=12) * 4 + 3 * 60 * minutes

    def leave_ward(world: Any, ctx: dict[str, Any]) -> None:
        discharge.discharge(
            world.uow(),
            world.actors["doctor"],
            episode_id=ctx["episode"],
            moud_referral="buprenorphine",
            naloxone_supplied=True,
            psychotherapy_referral=True,
            psychotherapy_service="Community drug and alcohol team, Tuesday group",
            notes="Withdrawal settled; buprenorphine started by the community team.",
        )
        feedback.rate_stay(
            world.uow(),
            world.nurse,
            episode_id=ctx["episode"],
            stars=5,
            comment="The nurses explained every dose. Thank you.",
        )

    script.at(leave, mrn, leave_ward)


_STORIES: dict[str, Callable[[_Script, dict[str, Any], datetime], None]] = {
    "give": _story_give,
    "night-dose": _story_night_dose,
    "hold-interval": _story_hold_interval,
    "methadone-escalate": _story_methadone_escalate,
    "methadone-acknowledged": _story_methadone_acknowledged,
    "alcohol": _story_alcohol,
    "emergency": _story_emergency,
    "not-indicated": _story_not_indicated,
    "long-course": _story_long_course,
    "discharged": _story_discharged,
}
"""Each demo patient's story, by the `story` of `_patients`."""


def _story(script: _Script, p: dict[str, Any], now: datetime) -> None:
    _STORIES[p["story"]](script, p, now)


@dataclass
class _World:
    uow: Callable[[], Any]
    actors: dict[str, Any]

    @property
    def nurse(self) -> Any:
        return self.actors["nurse"]


def populate(url: str, *, now: datetime | None = None) -> DemoReport:
    """Migrate the database at `url` and add the demo ward, users and patients that are missing."""
    from owm.cli.database import open_database
    from owm.store.uow import FixedClock

    current = (now or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)
    patients = _patients(current)
    clock = FixedClock(min(p["admitted"] for p in patients) - timedelta(days=1))
    with open_database("owm demo", url=url, clock=clock, pool_size=2) as database:
        ward_id = _demo_ward(database)
        world = _World(uow=database.uow, actors=_demo_users(database))
        existing = _mrns_on_ward(database, world.nurse, ward_id)
        script = _Script()
        contexts: dict[str, dict[str, Any]] = {}
        added = [p for p in patients if p["mrn"] not in existing]
        for index, p in enumerate(added):
            contexts[p["mrn"]] = {}
            # The two demo nurses share the ward: each has her own list of what is due.
            carer = world.actors["nurse" if index % 2 == 0 else "nurse2"]
            script.at(p["admitted"], p["mrn"], _admission(ward_id, p, carer))
            _story(script, p, current)
        for event in sorted(script.events, key=lambda e: (e.at, e.order)):
            clock.set(event.at)
            event.step(world, contexts[event.mrn])
        return DemoReport(DEMO_WARD, len(added), len(patients) - len(added))


def _demo_ward(database: Database) -> int:
    """The demo ward's id (the ward is made when missing)."""
    found = [w.id for w in wards.list_wards(database.uow(), database.system) if w.name == DEMO_WARD]
    if found:
        return found[0]
    made = wards.create_ward(
        database.uow(),
        database.system,
        name=DEMO_WARD,
        timezone=DEMO_ZONE,
        protocol_id="clonazepam-adjunct",
        contact=DEMO_WARD_CONTACT,
    )
    return made.id


def _mrns_on_ward(database: Database, nurse: Actor, ward_id: int) -> set[str]:
    """The MRNs of the patients the demo ward has already (read by the demo nurse)."""
    summaries = queries.list_patients(
        database.uow(), nurse, ward_id=ward_id, include_discharged=True
    )
    return {summary.patient.mrn for summary in summaries}


def _demo_users(database: Database) -> dict[str, Actor]:
    """The actor of each demo user, by username (the users that are missing are added)."""
    actors: dict[str, Actor] = {}
    for username, role, password, full_name in DEMO_USERS:
        user = database.user(username)
        if user is None:
            user = users.create_user(
                database.uow(),
                database.system,
                username=username,
                full_name=full_name,
                role=role,
                password=password,
            )
        actors[username] = database.acting_as(user)
    return actors


def _admission(ward_id: int, p: dict[str, Any], carer: Actor) -> Step:
    """The step that admits demo patient `p` and assigns `carer` to look after them."""

    def admit(world: Any, ctx: dict[str, Any]) -> None:
        result = admission.admit(
            world.uow(),
            world.nurse,
            ward_id=ward_id,
            name=p["name"],
            mrn=p["mrn"],
            bed=p["bed"],
            age_years=p["age"],
            sex=p["sex"],
            pregnant=False if p["sex"] == "female" else None,
            weight_kg=p["weight"],
            history=p.get("history", []),
            first_line_offered=True,
            first_line_choice=p["choice"],
            first_line_note="Offered methadone or buprenorphine as first-line care.",
            admitted_at=p["admitted"],
        )
        ctx["episode"] = result.episode.id
        assignments.assign_nurse(
            world.uow(), world.nurse, episode_id=result.episode.id, nurse_id=carer.user_id
        )
        if p["story"] != "alcohol":  # asked at admission: no drink in the last 24 h
            alcohol.record_alcohol(
                world.uow(), world.nurse, episode_id=result.episode.id, none_reported=True
            )

    return admit
