"""Physician acknowledgements of escalations: when they count, and when they lapse.

Source: clinical spec section 7; FDA boxed warning (2016) and MHRA (2020): after
any start or change of an opioid or another CNS depressant, the physician must
look again.

An acknowledgement counts from its `at` on (the latest one of a code counts). An
acknowledgement of opioid-benzodiazepine or cns-depressant lapses when an active
medicine of that kind has a `changed_at` after it (and not after the decision
time). An acknowledgement of cns-depressant also lapses when another
benzodiazepine is given after it (any outcome but refused, within the window that
raises cns-depressant): a new dose of another benzodiazepine is a new exposure the
physician has not seen (local default: the spec names started and changed
medicines; a dose given on the ward is treated as one being started). An
acknowledgement of course-limit covers the course day it was made on only: going on
past the course limit is a daily decision (local default; the spec leaves the
lapse of this acknowledgement open, and an open-ended one would let a course run on
unreviewed). Only escalations can be acknowledged; the state parser refuses any
other code.
"""

from __future__ import annotations

from owm.clinical.context import CNS_DEPRESSANT_CLASSES, Context

__all__ = ["LAPSING_CLASSES", "is_acknowledged"]

LAPSING_CLASSES: dict[str, frozenset[str]] = {
    "opioid-benzodiazepine": frozenset({"opioid"}),
    "cns-depressant": CNS_DEPRESSANT_CLASSES,
}


def is_acknowledged(ctx: Context, code: str) -> bool:
    """Whether a physician's acknowledgement of `code` stands at the decision time."""
    times = [a.at for a in ctx.state.acknowledgements if a.finding == code and a.at <= ctx.at]
    if not times:
        return False
    latest = max(times)
    classes = LAPSING_CLASSES.get(code, frozenset())
    if any(
        m.changed_at is not None and latest < m.changed_at <= ctx.at for m in ctx.active(*classes)
    ):
        return False
    if code == "course-limit" and ctx.course_day_at(latest) < ctx.course_day:
        return False
    return not (
        code == "cns-depressant" and any(latest < a.at for a in ctx.other_benzodiazepines_given)
    )
