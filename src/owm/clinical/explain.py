"""What would change the recommendation: one plain sentence per finding that blocks a dose.

Why in the core: each finding says what fired and why (its sentence, rule id and
source); a nurse at the bedside also needs to know what to do next for the answer
to change: reassess, wait until a time, ask a physician, or nothing (an emergency
or a contraindication). That is clinical content, read from the protocol in force,
so it lives beside the rules; the pages only show it. Times are written by the
caller's `when` (the ward's clock on a page).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from owm.clinical.findings import Finding, Recommendation
from owm.clinical.protocol import Protocol

__all__ = ["alcohol_window_hours", "sedation_form_notes", "what_would_change"]

_ESCALATE_TEXT = "A physician reviews it and acknowledges it with a reason; it then shows as a warning and no longer blocks."


When = Callable[[datetime], str]


def _at(moment: datetime | None, when: When) -> str:
    return when(moment) if moment is not None else "a later time"


def _sentences(
    protocol: Protocol, rec: Recommendation, when: When
) -> dict[str, Callable[[Finding], str]]:
    t = protocol.thresholds
    d = protocol.dosing
    over = t.oversedation
    nothing = "Nothing at the bedside changes this: clonazepam is contraindicated for this patient. Consider the non-benzodiazepine options under companion medicines."
    return {
        "overdose-suspected": lambda _: (
            "Treat the emergency first (checklist above). No dose is possible while overdose "
            "signs are present; sedation and vital signs must recover and a physician review."
        ),
        "news2-emergency": lambda _: (
            "Treat the emergency first. A new complete set of vital signs with NEWS2 below the "
            "emergency level, after a physician's review."
        ),
        "news2-urgent": lambda _: (
            "A new complete set of vital signs with NEWS2 below the urgent level and no single "
            "parameter scoring 3 (and the urgent review done)."
        ),
        "oversedation": lambda _: (
            "Reassessment showing the patient less sedated: no longer POSS "
            f"{' or '.join(over.poss_levels)}, or RASS {' or '.join(str(x) for x in over.rass_levels)}."
        ),
        "benzodiazepine-allergy": lambda _: nothing,
        "liver-disease": lambda _: nothing,
        "narrow-angle-glaucoma": lambda _: nothing,
        "respiratory-insufficiency": lambda _: nothing,
        "alcohol": lambda _: (
            f"Time without alcohol: {protocol.windows.alcohol_hours.normalize():f} h after the last drink, "
            "with a breath alcohol of 0 on a new reading."
        ),
        "min-interval": lambda _: (
            f"Time: the minimum interval of {d.min_interval_hours.normalize():f} h since the "
            f"last dose; a dose may be allowed from {_at(rec.next_dose_not_before, when)}."
        ),
        "daily-limit": lambda _: (
            f"Time: doses leave the 24 h window (maximum {d.daily_max_mg.normalize():f} mg); "
            f"the next dose may be allowed from {_at(rec.next_dose_not_before, when)}."
        ),
        "no-assessment": lambda _: "Record a COWS.",
        "assessment-stale": lambda _: (
            f"Record a new COWS: the latest is older than {protocol.windows.freshness_hours.normalize():f} h."
        ),
        "vitals-stale": lambda _: (
            "Record a complete set of vital signs (all seven NEWS2 parameters)."
        ),
        "opioid-benzodiazepine": lambda _: (
            _ESCALATE_TEXT
            + " A later start or dose change of the opioid needs a new acknowledgement."
        ),
        "cns-depressant": lambda _: (
            _ESCALATE_TEXT
            + " A later start or dose change of that medicine needs a new acknowledgement."
        ),
        "course-limit": lambda _: _ESCALATE_TEXT,
        "severe-withdrawal": lambda _: _ESCALATE_TEXT,
        "pregnancy": lambda _: _ESCALATE_TEXT,
        "older-adult": lambda _: _ESCALATE_TEXT + " The dose is then reduced.",
        "benzodiazepine-misuse": lambda _: _ESCALATE_TEXT,
        "cyp3a-inhibitor": lambda _: _ESCALATE_TEXT,
        "not-improving": lambda _: (
            _ESCALATE_TEXT + " Consider replacing clonazepam with another anxiolytic."
        ),
        "no-withdrawal": lambda _: (
            f"A new COWS of {t.cows_no_withdrawal_below} or more with a target symptom."
        ),
        "no-target-symptom": lambda _: (
            "A target symptom recorded ("
            + ", ".join(code.replace("-", " ") for code in t.target_symptom.symptoms)
            + "), or the COWS or SOWS items that show one."
        ),
        "sedation-stale": lambda _: "Score sedation now (POSS or RASS).",
        "alcohol-unknown": lambda _: (
            "Ask about alcohol and record it: the last drink, a breath test, or that the "
            f"patient reports none in the last {protocol.windows.alcohol_hours.normalize():f} h."
        ),
        "patient-details-missing": lambda _: "Record the patient's age (the patient's details).",
        "nurse-hold": lambda _: "A new COWS: a nurse's hold stands until the next one.",
        "respiratory-depression-risk": lambda _: (
            "Breathing above "
            f"{t.respiratory_depression_rate_at_most}/min on new vital signs, and a physician's "
            "review of the opioid."
        ),
        "pregnancy-unknown": lambda _: (
            "Record whether the patient is pregnant (a test if unsure); until then "
            + _ESCALATE_TEXT[0].lower()
            + _ESCALATE_TEXT[1:]
        ),
        "respiratory-risk": lambda _: _ESCALATE_TEXT,
        "unknown-medicine": lambda _: (
            "A physician or pharmacist classifies the medicine (or picks it from the "
            "dictionary); or " + _ESCALATE_TEXT[0].lower() + _ESCALATE_TEXT[1:]
        ),
        "unmapped-record": lambda _: (
            "A physician reviews the records owm could not read and records any "
            "contraindication in owm's own terms; " + _ESCALATE_TEXT[0].lower() + _ESCALATE_TEXT[1:]
        ),
    }


def what_would_change(protocol: Protocol, rec: Recommendation, when: When) -> list[tuple[str, str]]:
    """(finding code, sentence) for each finding that keeps the answer from being a dose now.

    For a give: what would stop the next dose (reassessment after this one).
    `when` writes a time for the reader (the ward's local clock on a page).
    """
    sentences = _sentences(protocol, rec, when)
    found: list[tuple[str, str]] = []
    for finding in rec.findings:
        if finding.acknowledged or finding.group in ("none",):
            continue
        found.append((finding.code, sentences[finding.code](finding)))
    if rec.action == "give" and not found:
        found.append(
            (
                "give",
                "A dose given now starts the minimum interval "
                f"({protocol.dosing.min_interval_hours.normalize():f} h): the next dose is "
                f"possible from {_at(rec.next_dose_not_before, when)}. Deeper sedation (POSS "
                f"{' or '.join(protocol.thresholds.oversedation.poss_levels)}), an urgent NEWS2, or "
                "a new COWS without a target symptom would change the answer.",
            )
        )
    return found


def sedation_form_notes(protocol: Protocol, scale: str) -> list[str]:
    """What a printed POSS or RASS form says each level means under the protocol in force."""
    emergency = protocol.thresholds.emergency
    oversedation = protocol.thresholds.oversedation
    notes: list[str] = []
    if scale == "POSS":
        if oversedation.poss_levels:
            notes.append(
                f"POSS {' or '.join(oversedation.poss_levels)}: hold clonazepam and call the "
                "physician (oversedation)."
            )
        if emergency.poss_levels:
            notes.append(
                f"POSS {' or '.join(emergency.poss_levels)}: EMERGENCY, overdose suspected: "
                "follow the checklist below."
            )
    elif scale == "RASS":
        if oversedation.rass_levels:
            notes.append(
                f"RASS {' or '.join(str(v) for v in oversedation.rass_levels)}: hold clonazepam "
                "and call the physician (oversedation)."
            )
        notes.append(
            f"RASS {emergency.rass_at_most} or lower: EMERGENCY, overdose suspected: "
            "follow the checklist below."
        )
    return notes


def alcohol_window_hours(protocol: Protocol) -> str:
    """The protocol's alcohol window in hours, as the alcohol question on a form says it."""
    return f"{protocol.windows.alcohol_hours.normalize():f}"
