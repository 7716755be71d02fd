"""An independent reading of the clinical spec: what the answer must be, from the raw state.

Why: a property test that checks owm's answer against owm's own findings proves
nothing when a rule fails to fire. This module reads a decoded `owm-state/1`
document directly (its own time parsing, its own NEWS2 tables, its own
acknowledgement rules) and says which blocking findings must stand, which action
follows and, with give, which dose. It imports nothing from `owm`: every number
below is the shipped protocol's default, copied from `clinical-spec.md` sections 2,
3, 7 and 8, so a change to the protocol YAML that the spec does not make shows up
here as a failure.

Medicine classes come from a small table of the medicines the generator uses
(names and RxNorm codes), not from owm's terminology.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["MEDICINES_BY_CODE", "MEDICINES_BY_NAME", "Expected", "expected"]

# -- the spec's numbers (clinical-spec.md; the shipped protocol's defaults) -------------
FRESH = timedelta(hours=4)
ALCOHOL = timedelta(hours=24)
SYMPTOMS_WINDOW = timedelta(hours=12)
DAY = timedelta(hours=24)
INTERVAL = timedelta(hours=6)
ACK_VALID = timedelta(hours=24)
STANDARD, NIGHT, SEVERE, MAX_SINGLE = Decimal("0.5"), Decimal("1"), Decimal("1"), Decimal("2")
SMALLEST, DAILY_MAX = Decimal("0.125"), Decimal("4")
LASTING = {"older-adult", "pregnancy", "benzodiazepine-misuse"}
CNS = {
    "benzodiazepine",
    "gabapentinoid",
    "z-drug",
    "muscle-relaxant",
    "sedating-antihistamine",
    "antipsychotic",
    "barbiturate",
}
OTHER_BENZODIAZEPINES = {
    "alprazolam",
    "chlordiazepoxide",
    "diazepam",
    "lorazepam",
    "midazolam",
    "oxazepam",
    "temazepam",
}
TARGET_SYMPTOMS = {
    "anxiety",
    "agitation",
    "muscle-tension",
    "restless-legs",
    "insomnia",
    "poor-appetite",
}
# What a terminology knows of the generator's medicines (None: not known at all).
MEDICINES_BY_NAME: dict[str, set[str] | None] = {
    "methadone": {"opioid"},
    "pregabalin": {"gabapentinoid"},
    "clonidine": {"alpha2-agonist"},
    "ritonavir": {"cyp3a-inhibitor"},
    "clonazepam": {"benzodiazepine"},
    "loperamide": set(),
    "sertraline": None,
    "zolvenaxil": None,
}
MEDICINES_BY_CODE: dict[str, set[str] | None] = {
    "6813": {"opioid"},
    "187832": {"gabapentinoid"},
    "2599": {"alpha2-agonist"},
    "99999999": None,
}
POSS_RANK = {"S": 0, "1": 0, "2": 2, "3": 3, "4": 4}
ACVPU = ["alert", "confusion", "voice", "pain", "unresponsive"]


def _severity(assessment: dict[str, Any]) -> tuple[int, list[tuple[str, int]]]:
    """Of forms taken at one moment the highest total counts; equal totals are settled
    by the items, so the same forms always give the same one."""
    return sum(assessment["items"].values()), sorted(assessment["items"].items())


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# -- NEWS2 (RCP 2017, chart 1), written out again -------------------------------------
def _points(name: str, value: Any, scale2: bool, oxygen: bool) -> int:
    v = value
    if name == "respiratory_rate":
        return 3 if v <= 8 else 1 if v <= 11 else 0 if v <= 20 else 2 if v <= 24 else 3
    if name == "spo2":
        if scale2:
            if v <= 83:
                return 3
            if v <= 85:
                return 2
            if v <= 87:
                return 1
            if v <= 92 or not oxygen:
                return 0
            return 1 if v <= 94 else 2 if v <= 96 else 3
        return 3 if v <= 91 else 2 if v <= 93 else 1 if v <= 95 else 0
    if name == "oxygen":
        return 2 if v else 0
    if name == "systolic_bp":
        return 3 if v <= 90 else 2 if v <= 100 else 1 if v <= 110 else 0 if v <= 219 else 3
    if name == "pulse":
        return (
            3
            if v <= 40
            else 1
            if v <= 50
            else 0
            if v <= 90
            else 1
            if v <= 110
            else (2 if v <= 130 else 3)
        )
    if name == "consciousness":
        return 0 if v == "alert" else 3
    t = Decimal(str(v))
    return (
        3
        if t <= Decimal("35.0")
        else 1
        if t <= Decimal("36.0")
        else 0
        if t <= Decimal("38.0")
        else 1
        if t <= Decimal("39.0")
        else 2
    )


PARAMETERS = (
    "respiratory_rate",
    "spo2",
    "oxygen",
    "systolic_bp",
    "pulse",
    "consciousness",
    "temperature_c",
)


@dataclass
class Expected:
    """What the spec says the answer must be."""

    blocking: set[str] = field(default_factory=set)
    acknowledged: set[str] = field(default_factory=set)
    action: str = "give"
    news2: int | None = None
    dose: Decimal | None = None


class _Reading:
    """The state at one decision time, read from the raw document."""

    def __init__(self, data: dict[str, Any], at: datetime) -> None:
        self.data = data
        self.at = at
        self.patient = data.get("patient") or {}
        self.conditions = set(self.patient.get("conditions") or [])
        self.scale2 = "hypercapnic-respiratory-failure" in self.conditions

    def recent(self, moment: datetime) -> bool:
        return moment <= self.at and self.at - moment <= FRESH

    def latest_group(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        past = [r for r in records if _t(r["at"]) <= self.at]
        if not past:
            return []
        last = max(_t(r["at"]) for r in past)
        return [r for r in past if _t(r["at"]) == last]

    # withdrawal
    def latest_cows(self, at: datetime | None = None) -> dict[str, Any] | None:
        moment = at or self.at
        cows = [
            a
            for a in self.data.get("assessments", [])
            if a["instrument"] == "COWS" and _t(a["at"]) <= moment
        ]
        if not cows:
            return None
        last = max(_t(a["at"]) for a in cows)
        return max((a for a in cows if _t(a["at"]) == last), key=_severity)

    @staticmethod
    def total(assessment: dict[str, Any]) -> int:
        return sum(assessment["items"].values())

    # sedation
    def recent_sedation(self, scale: str) -> list[str]:
        group = self.latest_group([s for s in self.data.get("sedation", []) if s["scale"] == scale])
        if not group or not self.recent(_t(group[0]["at"])):
            return []
        return [s["level"].lstrip("+") if scale == "RASS" else s["level"] for s in group]

    # vital signs
    def recent_sets(self) -> list[dict[str, Any]]:
        group = self.latest_group(self.data.get("vitals", []))
        return group if group and self.recent(_t(group[0]["at"])) else []

    def merged(self, sets: list[dict[str, Any]]) -> dict[str, Any]:
        oxygen = any(s.get("oxygen") for s in sets if s.get("oxygen") is not None)
        merged: dict[str, Any] = {}
        for name in PARAMETERS:
            values = [s[name] for s in sets if s.get(name) is not None]
            if not values:
                continue
            if name == "consciousness":
                merged[name] = max(values, key=ACVPU.index)
            elif name == "oxygen":
                merged[name] = any(values)
            else:
                merged[name] = max(
                    values,
                    key=lambda v, n=name: (_points(n, v, self.scale2, oxygen), -Decimal(str(v))),
                )
        return merged

    def news2(self) -> tuple[int, bool] | None:
        """(score, any single 3) of the latest recent merged set, when complete."""
        sets = self.recent_sets()
        merged = self.merged(sets)
        if not sets or any(name not in merged for name in PARAMETERS):
            return None
        oxygen = bool(merged["oxygen"])
        points = [_points(n, merged[n], self.scale2, oxygen) for n in PARAMETERS]
        return sum(points), 3 in points

    # medicines
    def classes(self, medication: dict[str, Any]) -> tuple[set[str], bool]:
        """(classes used, known to the terminology)."""
        by_name = MEDICINES_BY_NAME.get(medication["name"].lower())
        by_code = MEDICINES_BY_CODE.get(medication.get("rxnorm") or "")
        known = by_name is not None or by_code is not None
        found = {medication["class"], *(by_name or set()), *(by_code or set())}
        if len(found) > 1:
            found.discard("other")
        return found, known

    def active(self, *classes: str) -> list[dict[str, Any]]:
        return [
            m
            for m in self.data.get("medications", [])
            if m.get("active", True) and self.classes(m)[0] & set(classes)
        ]

    # clonazepam
    def counted(self) -> list[tuple[datetime, Decimal]]:
        return sorted(
            (_t(a["at"]), Decimal(str(a["dose_mg"])))
            for a in self.data.get("administrations", [])
            if a["drug"] == "clonazepam"
            and a.get("outcome", "given") != "refused"
            and _t(a["at"]) <= self.at
        )

    def total_24h(self) -> Decimal:
        return sum((mg for when, mg in self.counted() if self.at - DAY < when), Decimal(0))

    def course_day(self, moment: datetime | None = None) -> int:
        doses = self.counted()
        when = moment or self.at
        if not doses or when < doses[0][0]:
            return 1
        return int((when - doses[0][0]) // DAY) + 1

    def is_night(self) -> bool:
        zone = ZoneInfo(self.data["ward"]["timezone"])
        hour = self.at.astimezone(zone).hour
        return hour >= 22 or hour < 6

    def dose(self) -> Decimal:
        cows = self.latest_cows()
        severe = cows is not None and self.recent(_t(cows["at"])) and self.total(cows) >= 25
        night = self.is_night()
        chosen = (
            MAX_SINGLE if night and severe else NIGHT if night else SEVERE if severe else STANDARD
        )
        age = self.patient.get("age_years")
        if (age is not None and age >= 65) or "mild-liver-disease" in self.conditions:
            chosen = chosen * Decimal("0.5")
        remaining = DAILY_MAX - self.total_24h()
        chosen = min(chosen, max(remaining, Decimal(0)))
        return (chosen / SMALLEST).to_integral_value(rounding=ROUND_FLOOR) * SMALLEST

    # -- the findings that block ---------------------------------------------------
    def overdose(self) -> bool:
        poss = self.recent_sedation("POSS")
        rass = [int(level) for level in self.recent_sedation("RASS")]
        sets = self.recent_sets()

        def values(name: str) -> list[Any]:
            return [s[name] for s in sets if s.get(name) is not None]

        deep = (
            any(p == "4" for p in poss)
            or any(r <= -4 for r in rass)
            or any(c in ("pain", "unresponsive") for c in values("consciousness"))
            or any(v <= 8 for v in values("respiratory_rate"))
        )
        sedated = any(p == "3" for p in poss) or any(r <= -2 for r in rass)
        compromised = (
            any(v <= 11 for v in values("respiratory_rate"))
            or any(v <= 91 for v in values("spo2"))
            or any(v <= 90 for v in values("systolic_bp"))
            or any(v <= 50 for v in values("pulse"))
        )
        return deep or (sedated and compromised)

    def escalations(self) -> set[str]:
        """Every escalation the spec raises now (before any acknowledgement)."""
        return self._medicine_escalations() | self._patient_escalations()

    def _medicine_escalations(self) -> set[str]:
        found: set[str] = set()
        if self.active("opioid"):
            found.add("opioid-benzodiazepine")
        others = [
            a
            for a in self.data.get("administrations", [])
            if a["drug"] in OTHER_BENZODIAZEPINES
            and a.get("outcome", "given") != "refused"
            and self.at - DAY < _t(a["at"]) <= self.at
        ]
        if self.active(*CNS) or others:
            found.add("cns-depressant")
        if self.active("cyp3a-inhibitor"):
            found.add("cyp3a-inhibitor")
        if any(
            m.get("active", True)
            and m["class"] == "other"
            and m.get("classified_by") is None
            and not self.classes(m)[1]
            for m in self.data.get("medications", [])
        ):
            found.add("unknown-medicine")
        if self.data.get("unmapped"):
            found.add("unmapped-record")
        return found

    def _patient_escalations(self) -> set[str]:
        found: set[str] = set()
        patient = self.patient
        if self.course_day() > 4:
            found.add("course-limit")
        cows = self.latest_cows()
        if cows is not None and self.recent(_t(cows["at"])) and self.total(cows) > 36:
            found.add("severe-withdrawal")
        age = patient.get("age_years")
        facts = {
            "pregnancy": patient.get("pregnant") is True,
            "older-adult": age is not None and age >= 65,
            "benzodiazepine-misuse": "benzodiazepine-misuse" in (patient.get("history") or []),
            "pregnancy-unknown": patient.get("sex") == "female"
            and age is not None
            and 12 <= age <= 55
            and patient.get("pregnant") is None,
            "respiratory-risk": "copd" in self.conditions,
        }
        found |= {code for code, holds in facts.items() if holds}
        doses = self.counted()
        if len(doses) >= 3 and cows is not None and _t(cows["at"]) > doses[0][0]:
            baseline = self.latest_cows(doses[0][0])
            if baseline is not None and self.total(cows) >= self.total(baseline):
                found.add("not-improving")
        return found


def _acknowledged(data: dict[str, Any], at: datetime, code: str) -> bool:
    read = _Reading(data, at)
    started = (data.get("episode") or {}).get("started_at")
    for ack in data.get("acknowledgements", []):
        when = _t(ack["at"])
        if ack["finding"] != code or when > at:
            continue
        if started is not None and when < _t(started):
            continue
        if code not in LASTING and at - when >= ACK_VALID:
            continue
        lapsing = {"opioid-benzodiazepine": {"opioid"}, "cns-depressant": CNS}.get(code, set())
        if any(
            m.get("changed_at") and when < _t(m["changed_at"]) <= at for m in read.active(*lapsing)
        ):
            continue
        if code == "course-limit" and read.course_day(when) < read.course_day():
            continue
        if code == "cns-depressant" and any(
            a["drug"] in OTHER_BENZODIAZEPINES
            and a.get("outcome", "given") != "refused"
            and when < _t(a["at"]) <= at
            and at - DAY < _t(a["at"])
            for a in data.get("administrations", [])
        ):
            continue
        if code == "severe-withdrawal":
            then = read.latest_cows(when)
            ceiling = read.total(then) if then else -1
            if any(
                a["instrument"] == "COWS" and when < _t(a["at"]) <= at and read.total(a) > ceiling
                for a in data.get("assessments", [])
            ):
                continue
        if code not in _Reading(data, when).escalations():
            continue
        return True
    return False


def _contraindications(read: _Reading) -> set[str]:
    at, patient, alcohol = read.at, read.patient, read.data.get("alcohol") or {}
    drink, breath = alcohol.get("last_drink_at"), alcohol.get("breath_alcohol_mg_l")
    found = {
        "benzodiazepine-allergy": "benzodiazepines" in (patient.get("allergies") or []),
        "liver-disease": "significant-liver-disease" in read.conditions,
        "narrow-angle-glaucoma": "acute-narrow-angle-glaucoma" in read.conditions,
        "alcohol": bool(drink and _t(drink) <= at and at - _t(drink) <= ALCOHOL)
        or (breath is not None and Decimal(str(breath)) > 0),
        "respiratory-insufficiency": bool(
            read.conditions
            & {
                "severe-respiratory-insufficiency",
                "hypercapnic-respiratory-failure",
                "sleep-apnoea",
            }
        ),
    }
    return {code for code, holds in found.items() if holds}


def _sedation_and_observation_holds(
    read: _Reading, overdose: bool, score: tuple[int, bool] | None
) -> set[str]:
    poss = read.recent_sedation("POSS")
    rass = [int(level) for level in read.recent_sedation("RASS")]
    worst_poss = max(poss, key=lambda p: POSS_RANK[p]) if poss else None
    rates = [
        s["respiratory_rate"] for s in read.recent_sets() if s.get("respiratory_rate") is not None
    ]
    found = {
        "oversedation": not overdose
        and (worst_poss == "3" or bool(rass and min(rass) in (-2, -3))),
        "news2-urgent": bool(score and score[0] < 7 and (score[0] >= 5 or score[1])),
        "vitals-stale": score is None,
        "sedation-stale": not poss and not rass,
        "respiratory-depression-risk": not overdose
        and bool(rates and min(rates) <= 11 and read.active("opioid")),
    }
    return {code for code, holds in found.items() if holds}


def _record_holds(read: _Reading) -> set[str]:
    at, data, alcohol = read.at, read.data, read.data.get("alcohol") or {}
    doses = read.counted()
    cows = read.latest_cows()
    found = {
        "min-interval": bool(doses and at - doses[-1][0] < INTERVAL),
        "daily-limit": DAILY_MAX - read.total_24h() < SMALLEST or read.dose() < SMALLEST,
        "no-assessment": cows is None,
        "assessment-stale": cows is not None and not read.recent(_t(cows["at"])),
        "alcohol-unknown": not (
            alcohol.get("last_drink_at")
            or alcohol.get("breath_alcohol_mg_l") is not None
            or alcohol.get("none_reported") is True
        ),
        "patient-details-missing": read.patient.get("age_years") is None,
        "nurse-hold": any(
            _t(h["at"]) <= at and (cows is None or _t(h["at"]) >= _t(cows["at"]))
            for h in data.get("holds", [])
        ),
    }
    return {code for code, holds in found.items() if holds}


def _target_symptom(read: _Reading, cows: dict[str, Any]) -> bool:
    at, data = read.at, read.data
    items = cows["items"]
    rass = [int(level) for level in read.recent_sedation("RASS")]
    sows_group = read.latest_group(
        [a for a in data.get("assessments", []) if a["instrument"] == "SOWS"]
    )
    sows_recent = (
        [max(sows_group, key=_severity)]
        if sows_group and read.recent(_t(sows_group[0]["at"]))
        else []
    )
    return bool(
        items["anxiety_irritability"] >= 2
        or items["restlessness"] >= 3
        or items["bone_joint_aches"] >= 2
        or any(
            s["items"]["anxious"] >= 2
            or s["items"]["restless"] >= 2
            or s["items"]["bones_and_muscles_ache"] >= 2
            for s in sows_recent
        )
        or (rass and max(rass) >= 1)
        or any(
            s["code"] in TARGET_SYMPTOMS and at - SYMPTOMS_WINDOW <= _t(s["at"]) <= at
            for s in data.get("symptoms", [])
        )
    )


def _not_indicated(read: _Reading) -> set[str]:
    cows = read.latest_cows()
    if cows is None or not read.recent(_t(cows["at"])):
        return set()
    found = set()
    if read.total(cows) < 5:
        found.add("no-withdrawal")
    if not _target_symptom(read, cows):
        found.add("no-target-symptom")
    return found


def expected(data: dict[str, Any]) -> Expected:
    """The blocking findings, action, NEWS2 and dose the spec gives for `data`."""
    at = _t(data["at"])
    read = _Reading(data, at)
    out = Expected()
    score = read.news2()
    out.news2 = score[0] if score else None
    overdose = read.overdose()

    emergency = {"overdose-suspected"} if overdose else set()
    if score and score[0] >= 7:
        emergency.add("news2-emergency")
    hold = _sedation_and_observation_holds(read, overdose, score) | _record_holds(read)
    escalate = set()
    for code in read.escalations():
        if _acknowledged(data, at, code):
            out.acknowledged.add(code)
        else:
            escalate.add(code)

    for action, codes in (
        ("emergency", emergency),
        ("contraindicated", _contraindications(read)),
        ("hold", hold),
        ("escalate", escalate),
        ("not-indicated", _not_indicated(read)),
    ):
        out.blocking |= codes
        if codes and out.action == "give":
            out.action = action
    if out.action == "give":
        out.dose = read.dose()
    return out
