"""A recommendation as a person reads it: action, dose, next time, findings with sources.

A next dose time is shown only when the core says it means something
(`Recommendation.shows_next_dose`: give, or a hold for timing alone), and what is
left under the 24 h maximum never with an emergency or a contraindication
(clinical spec section 8). Each companion medicine shows its hold criterion.

Times are shown in the ward's own time zone, on a 24-hour clock, with the zone's
abbreviation, because that is how the ward's clocks read. Findings are a list,
not a table, so that a message is never squeezed into a narrow column: each has
its severity, code and rule id on one line, then its sentence and its source.
"""

from __future__ import annotations

import textwrap
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape

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
_SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "dim"}


def ward_time(moment: datetime | None, timezone: str) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M %Z")


def _indented(text: str, width: int, indent: int, hanging: int | None = None) -> str:
    """`text` wrapped to the terminal, every line indented (continuations by `hanging`)."""
    return textwrap.fill(
        text,
        width=max(width, 40),
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent if hanging is None else hanging),
        break_on_hyphens=False,
    )


def print_recommendation(
    rec: Recommendation, timezone: str, console: Console | None = None
) -> None:
    console = console or Console()
    say = console.print
    headline = rec.action.upper()
    if rec.dose_mg is not None:
        headline += f"  {rec.drug} {mg_text(rec.dose_mg)} mg {rec.route}"
    say(f"[{_STYLE[rec.action]}]{headline}[/]")
    say(f"at {ward_time(rec.at, timezone)}   protocol {rec.protocol_id} v{rec.protocol_version}")
    if rec.shows_next_dose:
        say(f"next dose not before: {ward_time(rec.next_dose_not_before, timezone)}")
    say(
        f"course day {rec.course_day}"
        + (
            f"   left under the 24 h maximum: {mg_text(rec.remaining_24h_mg)} mg"
            if rec.shows_remaining
            else ""
        )
    )
    if rec.withdrawal:
        w = rec.withdrawal
        say(
            f"{w['instrument']} {w['score']} ({w['band'] or 'no bands'}) "
            f"at {ward_time(w['at'], timezone)}"
        )
    if rec.news2:
        say(f"NEWS2 {rec.news2['score']} ({rec.news2['response']})")
    if rec.checklist:
        say("")
        say("[bold red]Overdose checklist[/]")
        for step in rec.checklist:
            say(_indented(f"[ ] {step}", console.width, 2, 6), markup=False, soft_wrap=True)
    say("")
    say("Findings:")
    for f in rec.findings:
        severity = f.severity + (", acknowledged" if f.acknowledged else "")
        say(f"  [{_SEVERITY_STYLE[f.severity]}]{severity}[/]  {f.code}  ({f.rule})")
        say(_indented(f.message, console.width, 4), markup=False, soft_wrap=True)
        text = _indented(f"source: {f.source}", console.width, 4)
        say(text, style="dim", markup=False, soft_wrap=True)
    if rec.companions:
        say("")
        say("Companion medicines to consider:")
        for c in rec.companions:
            say(
                f"  {c['drug']} for {c['for']}: {escape(c['dose'])} "
                f"(limit {escape(c['limit'] or '—')}; hold if {escape(c['hold'] or '—')}; "
                f"{escape(c['source'])})"
            )
    say("")
    due = [f"{k} {ward_time(v, timezone)}" for k, v in rec.due.items() if v is not None]
    say("due: " + (", ".join(due) or "nothing"))
    level = rec.predicted_clonazepam_ng_ml
    peak = level["peak_after_this_dose"]
    say(
        f"predicted clonazepam: now {level['now']} ng/mL"
        + (f", peak after this dose {peak} ng/mL" if peak is not None else "")
    )
    if rec.taper_plan:
        say("Taper plan:")
        for part in rec.taper_plan:
            if part["doses_per_day"]:
                say(
                    f"  from {part['from']}: {mg_text(part['dose_mg'])} mg "
                    f"{part['doses_per_day']} times a day ({mg_text(part['daily_mg'])} mg/day)"
                )
            else:
                say(f"  from {part['from']}: stop")
    say(f"[dim]{escape(rec.disclaimer)}[/]")
