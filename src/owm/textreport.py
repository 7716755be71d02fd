"""A recommendation as a person reads it: action, dose, next time, findings with sources.

Times are shown in the ward's own time zone, on a 24-hour clock, with the zone's
abbreviation, because that is how the ward's clocks read.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from owm.clinical.findings import Recommendation, mg_text

__all__ = ["print_recommendation", "ward_time"]

_STYLE = {
    "emergency": "bold white on red",
    "contraindicated": "bold red",
    "hold": "bold yellow",
    "escalate": "bold magenta",
    "not-indicated": "bold blue",
    "give": "bold green",
}


def ward_time(moment: datetime | None, timezone: str) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M %Z")


def print_recommendation(
    rec: Recommendation, timezone: str, console: Console | None = None
) -> None:
    console = console or Console()
    headline = rec.action.upper()
    if rec.dose_mg is not None:
        headline += f"  {rec.drug} {mg_text(rec.dose_mg)} mg {rec.route}"
    console.print(f"[{_STYLE[rec.action]}]{headline}[/]")
    console.print(
        f"at {ward_time(rec.at, timezone)}   protocol {rec.protocol_id} v{rec.protocol_version}"
    )
    console.print(
        f"course day {rec.course_day}   left under 24 h maximum: {mg_text(rec.remaining_24h_mg)} mg   "
        f"next dose not before: {ward_time(rec.next_dose_not_before, timezone)}"
    )
    if rec.withdrawal:
        w = rec.withdrawal
        console.print(
            f"{w['instrument']} {w['score']} ({w['band'] or 'no bands'}) at {ward_time(w['at'], timezone)}"
        )
    if rec.news2:
        console.print(f"NEWS2 {rec.news2['score']} ({rec.news2['response']})")
    if rec.checklist:
        console.print("[bold red]Overdose checklist[/]")
        for step in rec.checklist:
            console.print(f"  [ ] {step}")
    table = Table("severity", "finding", "why", "source", show_lines=False)
    for f in rec.findings:
        table.add_row(
            f.severity + (" (ack.)" if f.acknowledged else ""),
            f"{f.code}\n{f.rule}",
            f.message,
            f.source,
        )
    console.print(table)
    if rec.companions:
        console.print("Companion medicines to consider:")
        for c in rec.companions:
            console.print(
                f"  {c['drug']} for {c['for']}: {c['dose']} (limit {c['limit'] or '—'}; {c['source']})"
            )
    due = ", ".join(f"{k} {ward_time(v, timezone)}" for k, v in rec.due.items() if v is not None)
    console.print(f"due: {due or 'nothing'}")
    level = rec.predicted_clonazepam_ng_ml
    console.print(
        f"predicted clonazepam: now {level['now']} ng/mL"
        + (
            f", peak after this dose {level['peak_after_this_dose']} ng/mL"
            if level["peak_after_this_dose"]
            else ""
        )
    )
    if rec.taper_plan:
        console.print("Taper plan:")
        for taper_step in rec.taper_plan:
            console.print(f"  from {taper_step['from']}: {mg_text(taper_step['daily_mg'])} mg/day")
    console.print(f"[dim]{rec.disclaimer}[/]")
