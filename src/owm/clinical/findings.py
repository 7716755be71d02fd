"""Findings and the recommendation: what the core answers, and why.

A finding is one reason, with everything a nurse or an auditor needs to see
where it came from: the code, the rule id (a function in `clinical/rules/`),
the severity, a plain sentence, the values that triggered it and the source it
cites. A recommendation is the action those findings allow now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from owm.clinical.protocol import Action, Group, Severity

__all__ = ["SEVERITY_ORDER", "TIMING_CODES", "Finding", "Recommendation", "iso", "mg_text"]

SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}
TIMING_CODES: frozenset[str] = frozenset({"min-interval", "daily-limit"})
"""Holds that only wait for time to pass: a next dose time is meaningful with them."""


def iso(moment: datetime | None) -> str | None:
    """UTC ISO 8601 with a Z, the one time format owm writes."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def mg_text(amount: Decimal) -> str:
    """A milligram amount as an exact decimal string ("0.5", "1.0", "0.125")."""
    text = f"{amount.normalize():f}"
    return text if "." in text else f"{text}.0"


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason the core reports. `group` is the action this finding can set."""

    code: str
    rule: str
    severity: Severity
    group: Group
    message: str
    source: str
    values: dict[str, Any] = field(default_factory=dict)
    acknowledged: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "source": self.source,
            "values": {k: _jsonable(v) for k, v in self.values.items()},
        }
        if self.acknowledged:
            data["acknowledged"] = True
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return mg_text(value) if value == value.quantize(Decimal("0.0001")) else str(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The answer (format `owm-recommendation/1`)."""

    at: datetime
    protocol_id: str
    protocol_version: str
    action: Action
    drug: str
    route: str
    dose_mg: Decimal | None
    next_dose_not_before: datetime | None
    remaining_24h_mg: Decimal
    course_day: int
    withdrawal: dict[str, Any] | None
    news2: dict[str, Any] | None
    findings: tuple[Finding, ...]
    companions: tuple[dict[str, str], ...]
    checklist: tuple[str, ...]
    due: dict[str, datetime | None]
    predicted_clonazepam_ng_ml: dict[str, float | None]
    taper_plan: tuple[dict[str, Any], ...] = ()
    disclaimer: str = (
        "Decision support for licensed clinicians. owm never doses by itself: "
        "a clinician decides and acts."
    )

    def finding(self, code: str) -> Finding | None:
        return next((f for f in self.findings if f.code == code), None)

    @property
    def blocking(self) -> tuple[Finding, ...]:
        """Findings that stop a dose now (any action group, not acknowledged)."""
        return tuple(f for f in self.findings if f.group != "none")

    @property
    def shows_next_dose(self) -> bool:
        """Whether screens and text may show a next dose time (clinical spec section 8):
        with give, or with a hold or not-indicated whose only reason is timing
        (min-interval, daily-limit). Never with an emergency, a contraindication, an
        escalation waiting for a physician, or a hold for any other reason."""
        if self.next_dose_not_before is None:
            return False
        if self.action == "give":
            return True
        blocking = {f.code for f in self.blocking}
        return (
            self.action in ("hold", "not-indicated") and bool(blocking) and blocking <= TIMING_CODES
        )

    @property
    def shows_remaining(self) -> bool:
        """Whether screens show what is left under the 24 h maximum: not when no dose may
        follow at all (emergency, contraindicated; clinical spec section 8)."""
        return self.action not in ("emergency", "contraindicated")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": "owm-recommendation/1",
            "at": iso(self.at),
            "protocol": {"id": self.protocol_id, "version": self.protocol_version},
            "action": self.action,
            "drug": self.drug,
        }
        if self.dose_mg is not None:
            data["dose_mg"] = mg_text(self.dose_mg)
        data.update(
            {
                "route": self.route,
                "next_dose_not_before": iso(self.next_dose_not_before),
                "remaining_24h_mg": mg_text(self.remaining_24h_mg),
                "course_day": self.course_day,
                "withdrawal": self.withdrawal and _jsonable(self.withdrawal),
                "news2": self.news2,
                "findings": [f.to_json() for f in self.findings],
                "companions": list(self.companions),
                "checklist": list(self.checklist),
                "due": {k: iso(v) for k, v in self.due.items()},
                "predicted_clonazepam_ng_ml": self.predicted_clonazepam_ng_ml,
                "taper_plan": [_jsonable(step) for step in self.taper_plan],
                "disclaimer": self.disclaimer,
            }
        )
        return data
