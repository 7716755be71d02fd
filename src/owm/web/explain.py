"""What would change the recommendation: one plain sentence per finding that blocks a dose.

Why here and not in the core: the core says what fired and why (each finding's
sentence, rule id and source); a nurse at the bedside also needs to know what to
do next for the answer to change: reassess, wait until a time, ask a physician,
or nothing (an emergency or a contraindication). The sentences read protocol
values from the protocol object and times from the recommendation, never literals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from owm.clinical import Finding, Protocol, Recommendation
from owm.web.templating import ward_datetime

__all__ = ["what_would_change"]

_ESCALATE_TEXT = "A physician reviews it and acknowledges it with a reason; it then shows as a warning and no longer blocks."


def _at(moment: datetime | None, tz: str) -> str:
    return ward_datetime(moment, tz) if moment is not None else "a later time"


def _sentences(
    protocol: Protocol, rec: Recommendation, tz: str
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
            f"last dose; a dose may be allowed from {_at(rec.next_dose_not_before, tz)}."
        ),
        "daily-limit": lambda _: (
            f"Time: doses leave the 24 h window (maximum {d.daily_max_mg.normalize():f} mg); "
            f"the next dose may be allowed from {_at(rec.next_dose_not_before, tz)}."
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
    }


def what_would_change(protocol: Protocol, rec: Recommendation, tz: str) -> list[tuple[str, str]]:
    """(finding code, sentence) for each finding that keeps the answer from being a dose now.

    For a give: what would stop the next dose (reassessment after this one).
    """
    sentences = _sentences(protocol, rec, tz)
    found: list[tuple[str, str]] = []
    for finding in rec.findings:
        if finding.acknowledged or finding.group in ("none",):
            continue
        explain = sentences.get(finding.code)
        if explain is not None:
            found.append((finding.code, explain(finding)))
    if rec.action == "give" and not found:
        found.append(
            (
                "give",
                "A dose given now starts the minimum interval "
                f"({protocol.dosing.min_interval_hours.normalize():f} h): the next dose is "
                f"possible from {_at(rec.next_dose_not_before, tz)}. Deeper sedation (POSS "
                f"{' or '.join(protocol.thresholds.oversedation.poss_levels)}), an urgent NEWS2, or "
                "a new COWS without a target symptom would change the answer.",
            )
        )
    return found
