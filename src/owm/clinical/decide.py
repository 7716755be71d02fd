"""evaluate(state, protocol) -> Recommendation: what the protocol allows now, and why.

Every rule runs and reports its findings; the most urgent group that fired sets
the action: emergency > contraindicated > hold > escalate > not-indicated > give
(clinical spec section 3). When no dose may follow (section 8), the answer says
none: an emergency lists no companion medicines, no counselling and no next dose
time; a contraindication no next dose time; what remains of the 24 h maximum is
never below zero (daily-limit says by how much it was exceeded). A physician's standing acknowledgement turns an
escalation into a warning that no longer blocks. Findings are listed once per
code, by severity and then in the protocol's rule order.

The decision time is the state's `at`: nothing here reads a clock, so the same
state and protocol always give the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from owm.clinical import pk
from owm.clinical.acknowledgements import is_acknowledged
from owm.clinical.context import Context
from owm.clinical.due import due
from owm.clinical.findings import SEVERITY_ORDER, Finding, Recommendation
from owm.clinical.protocol import ACTION_ORDER, Action, Protocol
from owm.clinical.rules import companions, dosing
from owm.clinical.rules.registry import RULES
from owm.clinical.state import PatientState
from owm.clinical.taper import taper_plan

__all__ = ["RULES", "evaluate"]


def _acknowledge(ctx: Context, findings: Iterable[Finding]) -> list[Finding]:
    out = []
    for finding in findings:
        if finding.group == "escalate" and is_acknowledged(ctx, finding.code):
            finding = replace(finding, severity="warning", group="none", acknowledged=True)
        out.append(finding)
    return out


def _action(findings: Iterable[Finding]) -> Action:
    fired = {f.group for f in findings}
    return next((a for a in ACTION_ORDER if a in fired), "give")


def _ordered(ctx: Context, findings: Iterable[Finding]) -> tuple[Finding, ...]:
    rank = ctx.protocol.finding_rank
    unique: dict[str, Finding] = {}
    for finding in findings:
        unique.setdefault(finding.code, finding)
    return tuple(sorted(unique.values(), key=lambda f: (SEVERITY_ORDER[f.severity], rank[f.code])))


def _taper_starting_amount(ctx: Context, given: tuple[tuple[datetime, Decimal], ...]) -> Decimal:
    """The daily amount a taper starts from: the largest 24 h total of the last taper step.

    Taken over every 24 h window ending at a counted dose in the last
    `taper.step_every_days` days (and now, with a dose recommended now), so that a
    decision made part-way through a day, before that day's doses, does not start the
    taper lower than the regimen the patient is on (a cut of two steps at once).
    """
    since = ctx.at - timedelta(days=ctx.protocol.taper.step_every_days)
    ends = [ctx.at, *(a.at for a in ctx.counted_doses if a.at > since)]
    return max(ctx.total_in_window_ending(end, given) for end in ends)


def evaluate(state: PatientState, protocol: Protocol) -> Recommendation:
    """The recommendation for `state` at `state.at` under `protocol`."""
    ctx = Context(state, protocol)
    findings = _acknowledge(ctx, (f for rule in RULES for f in rule(ctx)))
    action = _action(findings)
    if action == "emergency":
        # No dose can follow an emergency: no counselling for a dose (section 8).
        findings = [f for f in findings if f.code != "counselling"]

    dose: Decimal | None = None
    if action == "give":
        plan = dosing.plan_dose(ctx)
        findings += plan.findings
        dose = plan.dose_mg
        if dose is None:  # pragma: no cover - holds.daily_limit fires first
            raise AssertionError("give without a dose")

    given = ((ctx.at, dose),) if dose is not None else ()
    model = pk.Model.from_protocol(protocol.pharmacokinetics)
    history = [(a.at, a.dose_mg) for a in ctx.counted_doses]
    level_now = pk.level_at(model, history, ctx.at)
    peak = pk.peak_after(model, [*history, *given], ctx.at) if given else None

    taper: tuple[dict[str, object], ...] = ()
    if any(f.code == "taper-needed" for f in findings):
        daily = _taper_starting_amount(ctx, given)
        start = (ctx.local_time + timedelta(days=1)).date()
        taper = taper_plan(protocol.taper, daily, start)

    news2 = ctx.recent_news2 or ctx.latest_news2
    no_dose = action in ("emergency", "contraindicated")
    return Recommendation(
        at=ctx.at,
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        action=action,
        drug=protocol.drug,
        route=protocol.route,
        dose_mg=dose,
        next_dose_not_before=None if no_dose else dosing.earliest_next_dose(ctx, given),
        remaining_24h_mg=max(ctx.remaining_24h - (dose or Decimal(0)), Decimal(0)),
        course_day=ctx.course_day,
        withdrawal=ctx.withdrawal,
        news2={"score": news2.score, "response": news2.response} if news2 else None,
        findings=_ordered(ctx, findings),
        companions=()
        if action == "emergency"
        else companions.companions_for(ctx, contraindicated=action == "contraindicated"),
        checklist=protocol.checklist_for(state.patient.conditions) if action == "emergency" else (),
        due=due(ctx, dose_now=dose is not None, emergency=action == "emergency"),
        predicted_clonazepam_ng_ml={
            "now": round(level_now, 2),
            "peak_after_this_dose": round(peak, 2) if peak is not None else None,
        },
        taper_plan=taper,
    )
