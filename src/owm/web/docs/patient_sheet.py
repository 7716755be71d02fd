"""The plain-language sheet a patient takes home at discharge.

Why a module of its own: the words a patient reads are part of the treatment
(seed article: no alcohol, no driving, do not stop suddenly, psychotherapy
support; FDA label: overdose signs, gradual taper), so they are written once,
reviewed as text, and checked by tests: every one of the 11 side-effect groups
of the clinical spec has its plain words here, and no side-effect code of the
state format is left out.

The sheet is built from the discharge record (the referrals chosen, the taper
plan if one was needed) and the ward's name; it holds no other patient's data.
Words are kept short and concrete (reading age about 11): "feeling very sleepy",
not "somnolence".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, get_args

from owm.clinical.findings import mg_text
from owm.clinical.vocab import SideEffect

__all__ = [
    "EMERGENCY_SIGNS",
    "MOUD_REFERRAL_WORDS",
    "SIDE_EFFECT_WORDS",
    "PatientSheet",
    "SheetSection",
    "TaperStepWords",
    "patient_sheet",
    "taper_words",
]

SIDE_EFFECT_WORDS: dict[str, str] = {
    "drowsiness": "Feeling very tired, weak or sleepy",
    "headache-dizziness": "Headache, or feeling dizzy or light-headed",
    "ataxia": "Clumsiness, unsteady walking, stumbling or falls",
    "diplopia": "Blurred eyesight or seeing double",
    "cognitive": (
        "Trouble finding words or speaking clearly, forgetting things, "
        "feeling confused or unable to concentrate"
    ),
    "emotional-lability": "Mood swings: crying, laughing or getting angry more easily than usual",
    "depression": "Feeling low, flat or not caring about anything",
    "respiratory-tract": "Sore throat, blocked or runny nose, or a cough",
    "gastrointestinal": "Wind, constipation or stomach pain",
    "sexual": "Less interest in sex, or problems having sex",
    "urinary": "Trouble passing urine (peeing), or needing to pass urine more often",
}
"""Plain words for each side-effect group of the clinical spec (keys: state-format codes)."""

EMERGENCY_SIGNS: tuple[str, ...] = (
    "Very hard to wake up, or cannot be woken",
    "Slow, shallow or noisy breathing, or long pauses in breathing",
    "Blue or grey lips or fingertips",
    "Very slow heartbeat, fainting or collapse",
    "Sudden confusion, or shaking that will not stop",
    "A fit (seizure)",
)
"""Overdose and withdrawal danger signs (FDA label overdosage; seed article), in plain words."""

MOUD_REFERRAL_WORDS: dict[str, str] = {
    "methadone": "You have been referred for methadone treatment.",
    "buprenorphine": "You have been referred for buprenorphine treatment.",
    "already-on-moud": "You are already on methadone or buprenorphine treatment: keep going.",
    "declined": (
        "You chose not to start methadone or buprenorphine now. "
        "You can ask for it at any time: it is the treatment that best protects "
        "people after opioid withdrawal."
    ),
    "": (
        "Methadone or buprenorphine treatment best protects people after opioid "
        "withdrawal. Ask your doctor or nurse about it before you leave."
    ),
}
"""What the patient reads about the methadone / buprenorphine referral chosen at discharge."""


@dataclass(frozen=True, slots=True)
class SheetSection:
    """A heading, an optional lead sentence and a list of short points."""

    heading: str
    points: tuple[str, ...]
    lead: str = ""
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class TaperStepWords:
    """One step of the reducing plan, for the patient: dates and amounts in words."""

    dates: str
    how_much: str
    stop: bool


@dataclass(frozen=True, slots=True)
class PatientSheet:
    """Everything the printed patient sheet says, in reading order."""

    title: str
    ward_name: str
    discharged_on: str
    sections: tuple[SheetSection, ...]
    draft: bool = False
    taper: tuple[TaperStepWords, ...] = field(default=())
    ward_contact: str | None = None
    """The ward's phone, for "call the ward on ..." (None: not set by the ward)."""

    @property
    def call_the_ward(self) -> str:
        """The words "call the ward on 020 ...", or "call the ward" when no number is set."""
        return f"call the ward on {self.ward_contact}" if self.ward_contact else "call the ward"


def _day(value: str | date | None) -> str:
    if value is None:
        return ""
    moment = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{moment.day} {moment.strftime('%B %Y')}"


def _mg(value: Any) -> str:
    return mg_text(Decimal(str(value)))


def taper_words(
    plan: list[dict[str, Any]] | tuple[dict[str, Any], ...],
) -> tuple[TaperStepWords, ...]:
    """The taper plan (`Recommendation.taper_plan` steps) as dated sentences."""
    steps: list[TaperStepWords] = []
    for step in plan:
        dose = Decimal(str(step["dose_mg"]))
        doses = int(step["doses_per_day"])
        start = _day(step["from"])
        if dose <= 0 or doses == 0:
            steps.append(TaperStepWords(f"From {start}", "Stop: no more clonazepam.", True))
            continue
        end = _day(step.get("to"))
        dates = f"{start} to {end}" if end else f"From {start}"
        times = "once a day" if doses == 1 else f"{doses} times a day"
        steps.append(
            TaperStepWords(
                dates,
                f"{_mg(dose)} mg clonazepam {times} ({_mg(step['daily_mg'])} mg a day in all)",
                False,
            )
        )
    return tuple(steps)


def patient_sheet(
    *,
    ward_name: str,
    discharged_on: date | None,
    moud_referral: str,
    naloxone_supplied: bool,
    psychotherapy_referral: bool,
    psychotherapy_service: str | None,
    taper_plan: list[dict[str, Any]] | tuple[dict[str, Any], ...] | None,
    ward_contact: str | None = None,
) -> PatientSheet:
    """The sheet for one discharge: fixed advice plus the referrals and plan chosen.

    `ward_contact` is the ward's phone (set by an admin): the sheet says "call the
    ward on ..." with it; without one it says to call the ward by name.

    Before the discharge is recorded (`discharged_on` None, `moud_referral` ""), the
    sheet is a draft with the general advice: nothing is said about referrals that
    have not been made.
    """
    tapering = bool(taper_plan)
    what = SheetSection(
        "What clonazepam does",
        (
            "Clonazepam is a calming medicine (a benzodiazepine).",
            "On the ward it was used for a few days to ease anxiety, restlessness, "
            "aching and tense muscles, restless legs and poor sleep during opioid withdrawal.",
            "It makes you sleepy and relaxes your muscles. It does not treat opioid "
            "dependence itself.",
            "Anxiety, panic and mood swings can go on for weeks after withdrawal. "
            "This is common and it gets better with support.",
        ),
    )
    safety_points = [
        "Do not drink alcohol. Alcohol and clonazepam together can stop your breathing.",
        "Do not drive, ride a bike or use machines or tools until a doctor says it is safe. "
        "Clonazepam slows your reactions, even the next day.",
        "Do not stop clonazepam suddenly while you are still taking it: follow the reducing "
        "plan on this sheet. Stopping suddenly can cause fits (seizures), strong anxiety "
        "and trouble sleeping."
        if tapering
        else "If a doctor ever gives you clonazepam or a similar medicine for longer, do not "
        "stop it suddenly: it has to be reduced step by step. Stopping suddenly can cause "
        "fits (seizures), strong anxiety and trouble sleeping.",
        "Opioids (heroin, fentanyl, methadone, strong painkillers) together with clonazepam "
        "can stop your breathing. After withdrawal your body cannot take the amount you used "
        "before: an old dose can now kill you.",
        "Keep all medicines where children cannot reach them.",
    ]
    safety = SheetSection("Keep yourself safe", tuple(safety_points))
    side_effects = SheetSection(
        "Side effects to tell a doctor or nurse about",
        tuple(SIDE_EFFECT_WORDS[code] for code in get_args(SideEffect)),
        lead="Tell your doctor, nurse or pharmacist if you notice any of these:",
    )
    emergency = SheetSection(
        "Call an ambulance at once if you or the people with you see",
        EMERGENCY_SIGNS,
        lead=(
            "Call the emergency number (999 in the UK, 112 in Europe, 911 in North America). "
            "If opioids may be involved, give naloxone and stay with the person."
        ),
        urgent=True,
    )
    help_points = [MOUD_REFERRAL_WORDS[moud_referral]]
    help_points.append(
        "You have been given naloxone to take home. Keep it with you and tell the people "
        "around you where it is and how to use it."
        if naloxone_supplied
        else "Ask any pharmacy or drug service for naloxone, the medicine that reverses an "
        "opioid overdose, and keep it with you."
    )
    if psychotherapy_referral:
        service = (psychotherapy_service or "").strip()
        help_points.append(
            f"You have been referred for talking therapy (psychotherapy) with: {service}."
            if service
            else "You have been referred for talking therapy (psychotherapy)."
        )
    else:
        help_points.append(
            "Talking therapy (psychotherapy) helps after withdrawal. You can ask your doctor "
            "for a referral at any time."
        )
    help_points.append(
        f"Questions about your treatment: call the ward ({ward_name}) on {ward_contact}."
        if ward_contact
        else f"Questions about your treatment: call {ward_name}."
    )
    where_help = SheetSection("Where to get help", tuple(help_points))
    sections = (what, safety, side_effects, emergency, where_help)
    return PatientSheet(
        title="Going home after opioid withdrawal: your clonazepam sheet",
        ward_name=ward_name,
        discharged_on=_day(discharged_on),
        draft=discharged_on is None,
        sections=sections,
        taper=taper_words(taper_plan or ()),
        ward_contact=ward_contact,
    )
