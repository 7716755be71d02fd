"""Everything recorded in an episode as one list, newest first, in words a nurse reads.

Why: the patient page shows what was done and seen, in order, so the next person
does not have to open six tables. Each line has its clinical time (shown in ward
local time), what it was, who charted it (by name and role, from
`owm.service.staff.staff_names`; the signed-in person is "you"), and whether it
was voided (entered in error, by whom; struck through, never hidden).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from owm.clinical.findings import mg_text
from owm.service.results import EntryView, EpisodeRecord

__all__ = ["TimelineEntry", "people_in", "timeline"]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    kind: str
    text: str
    entered_by: int
    voided: bool
    void_reason: str | None
    voided_by: int | None = None


def _entry(row: EntryView, kind: str, text: str) -> TimelineEntry:
    return TimelineEntry(
        at=row.at,
        kind=kind,
        text=text,
        entered_by=row.entered_by,
        voided=row.voided_at is not None,
        void_reason=row.void_reason,
        voided_by=row.voided_by,
    )


def people_in(record: EpisodeRecord) -> set[int]:
    """The ids of everyone who entered or voided an entry of the episode (or discharged it)."""
    rows: list[EntryView] = [
        *record.assessments,
        *record.vitals,
        *record.sedation,
        *record.symptoms,
        *record.side_effects,
        *record.medications,
        *record.alcohol,
        *record.administrations,
        *record.holds,
        *record.acknowledgements,
        *record.escalation_contacts,
    ]
    people = {r.entered_by for r in rows} | {r.voided_by for r in rows if r.voided_by is not None}
    if record.discharge is not None:
        people.add(record.discharge.entered_by)
    return people


def _vitals_text(v: object) -> str:
    names = (
        ("respiratory_rate", "RR {}/min"),
        ("spo2", "SpO2 {} %"),
        ("oxygen", "{}"),
        ("systolic_bp", "BP {} systolic"),
        ("pulse", "pulse {}/min"),
        ("consciousness", "{}"),
        ("temperature_c", "{} °C"),
    )
    parts = []
    for name, fmt in names:
        value = getattr(v, name)
        if value is None:
            continue
        if name == "oxygen":
            value = "on oxygen" if value else "air"
        parts.append(fmt.format(value))
    return ", ".join(parts)


def timeline(record: EpisodeRecord) -> list[TimelineEntry]:
    """Every entry of the episode, newest first (voided ones included and marked)."""
    entries: list[TimelineEntry] = []
    for a in record.assessments:
        if a.total is None:
            text = f"{a.instrument}: unable to assess ({a.unable_reason})"
        else:
            band = f", {a.band.replace('-', ' ')}" if a.band else ""
            text = f"{a.instrument} {a.total}{band}"
        entries.append(_entry(a, "assessment", text))
    for v in record.vitals:
        entries.append(_entry(v, "vitals", "Vital signs: " + _vitals_text(v)))
    for s in record.sedation:
        entries.append(_entry(s, "sedation", f"Sedation {s.scale} {s.level}"))
    for sy in record.symptoms:
        note = f" ({sy.note})" if sy.note else ""
        entries.append(_entry(sy, "symptom", f"Symptom: {sy.code.replace('-', ' ')}{note}"))
    for se in record.side_effects:
        note = f" ({se.note})" if se.note else ""
        entries.append(_entry(se, "side-effect", f"Side effect: {se.code.replace('-', ' ')}{note}"))
    for m in record.medications:
        dose = f" {m.dose_text}" if m.dose_text else ""
        stopped = " (stopped)" if m.stopped_at is not None else ""
        entries.append(
            _entry(m, "medication", f"Medicine: {m.name}{dose} [{m.med_class}]{stopped}")
        )
    for al in record.alcohol:
        parts = []
        if al.breath_alcohol_mg_l is not None:
            parts.append(f"breath alcohol {al.breath_alcohol_mg_l} mg/L")
        if al.last_drink_at is not None:
            parts.append("last drink recorded")
        entries.append(_entry(al, "alcohol", "Alcohol: " + (", ".join(parts) or "recorded")))
    for d in record.administrations:
        outcome = "" if d.outcome == "given" else f" ({d.outcome})"
        entries.append(
            _entry(d, "dose", f"{d.drug.capitalize()} {mg_text(d.dose_mg)} mg {d.route}{outcome}")
        )
    for h in record.holds:
        codes = f" [{', '.join(h.finding_codes)}]" if h.finding_codes else ""
        entries.append(_entry(h, "hold", f"Dose held: {h.reason}{codes}"))
    for ack in record.acknowledgements:
        entries.append(
            _entry(ack, "acknowledgement", f"Physician acknowledged {ack.finding}: {ack.reason}")
        )
    for c in record.escalation_contacts:
        entries.append(_entry(c, "contact", f"Told {c.told_who} about {c.finding}: {c.response}"))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
