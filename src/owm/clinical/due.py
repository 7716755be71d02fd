"""What is due next, and when: reassessment after a dose, withdrawal score, observations.

Source: clinical spec section 7 (local defaults); RCP NEWS2 (2017) chart 4:
minimum observation frequency 12 h for a score of 0, 4-6 h for 1-4, 1 h for an
urgent response, continuous for an emergency.

- reassessment: `due.reassessment_minutes` after the latest counted dose (after the
  recommended dose when the action is give); None when sedation and COWS were both
  recorded at or after that time, or when nothing has been given.
- assessment: latest COWS + `due.assessment_hours_moderate` when its total is at or
  above `thresholds.cows_moderate_at_least`, else + `due.assessment_hours_otherwise`;
  now when there is none.
- observations: latest vital signs + 12 h / 4 h / 1 h by NEWS2 response; now for an
  emergency, and now when the latest set is incomplete (no NEWS2 can be scored).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from owm.clinical.context import Context, hours

__all__ = ["due"]


def _reassessment(ctx: Context, dose_at: datetime | None) -> datetime | None:
    if dose_at is None:
        return None
    moment = dose_at + timedelta(minutes=ctx.protocol.due.reassessment_minutes)
    sedation_done = any(moment <= s.at <= ctx.at for s in ctx.state.sedation)
    cows_done = any(
        a.instrument == "COWS" and moment <= a.at <= ctx.at for a in ctx.state.assessments
    )
    return None if sedation_done and cows_done else moment


def due(ctx: Context, *, dose_now: bool, emergency: bool) -> dict[str, datetime | None]:
    """The three due times of the answer."""
    schedule = ctx.protocol.due
    last = ctx.at if dose_now else (ctx.last_dose.at if ctx.last_dose else None)

    cows = ctx.latest_cows
    if cows is None:
        assessment = ctx.at
    elif cows.total >= ctx.protocol.thresholds.cows_moderate_at_least:
        assessment = cows.at + hours(schedule.assessment_hours_moderate)
    else:
        assessment = cows.at + hours(schedule.assessment_hours_otherwise)

    vitals, score = ctx.latest_vitals, ctx.latest_news2
    if emergency or vitals is None or score is None or score.response == "emergency":
        observations = ctx.at
    elif score.response == "urgent":
        observations = vitals.at + hours(schedule.observations_hours_urgent)
    elif score.score == 0:
        observations = vitals.at + hours(schedule.observations_hours_news2_zero)
    else:
        observations = vitals.at + hours(schedule.observations_hours_low)

    return {
        "reassessment": _reassessment(ctx, last),
        "assessment": assessment,
        "observations": observations,
    }
