"""Physician acknowledgements of escalations: who, when they count, and when they lapse.

Source: clinical spec sections 7 and 8; FDA boxed warning (2016) and MHRA (2020):
after any start or change of an opioid or another CNS depressant, the physician
must look again.

An acknowledgement stands at the decision time when all of these hold:
- it was made at or before the decision time, and not before the episode started
  (one from a previous admission is ignored);
- the finding it names was raised at its own `at`, by the same rule, on the state
  as it stood then: nobody reviews a finding that did not exist yet;
- it is younger than `acknowledgements.valid_hours` (24: a physician reviews daily),
  except for the codes in `acknowledgements.last_the_episode` (older-adult,
  pregnancy, benzodiazepine-misuse), which last the episode;
- course-limit: it was made on the current course day;
- severe-withdrawal: no COWS since is higher than the latest COWS at the
  acknowledgement;
- opioid-benzodiazepine and cns-depressant: no active medicine of that kind has a
  `changed_at` after it (started, or its dose changed); cns-depressant also lapses
  when another benzodiazepine is given after it (a dose on the ward is a new exposure).

`by` is always "physician": the state parser refuses any other role, and any code
that is not an escalation (nobody acknowledges away an emergency, a
contraindication or a hold). A lapsed acknowledgement is no acknowledgement: the
finding escalates again until a physician looks again.
"""

from __future__ import annotations

from owm.clinical.context import CNS_DEPRESSANT_CLASSES, Context, hours
from owm.clinical.rules.registry import rule_raising
from owm.clinical.state import Acknowledgement

__all__ = ["LAPSING_CLASSES", "is_acknowledged", "standing_acknowledgement"]

LAPSING_CLASSES: dict[str, frozenset[str]] = {
    "opioid-benzodiazepine": frozenset({"opioid"}),
    "cns-depressant": CNS_DEPRESSANT_CLASSES,
}


def _raised_at(ctx: Context, code: str, ack: Acknowledgement) -> bool:
    """Whether the rule that raises `code` raised it at the acknowledgement's moment."""
    then = Context(ctx.state.model_copy(update={"at": ack.at}), ctx.protocol)
    return any(f.code == code for f in rule_raising(ctx, code)(then))


def _lapsed(ctx: Context, code: str, ack: Acknowledgement) -> bool:
    settings = ctx.protocol.acknowledgements
    if code not in settings.last_the_episode and ctx.at - ack.at >= hours(settings.valid_hours):
        return True
    classes = LAPSING_CLASSES.get(code, frozenset())
    if any(
        m.changed_at is not None and ack.at < m.changed_at <= ctx.at for m in ctx.active(*classes)
    ):
        return True
    if code == "course-limit" and ctx.course_day_at(ack.at) < ctx.course_day:
        return True
    if code == "cns-depressant" and any(ack.at < a.at for a in ctx.other_benzodiazepines_given):
        return True
    if code == "severe-withdrawal":
        then = ctx.score_at("COWS", ack.at)
        ceiling = then.total if then is not None else -1
        if any(
            a.instrument == "COWS" and ack.at < a.at <= ctx.at and a.total > ceiling
            for a in ctx.state.assessments
        ):
            return True
    return False


def standing_acknowledgement(ctx: Context, code: str) -> Acknowledgement | None:
    """The latest acknowledgement of `code` that stands at the decision time, or None."""
    episode = ctx.state.episode
    for ack in sorted(
        (a for a in ctx.state.acknowledgements if a.finding == code and a.at <= ctx.at),
        key=lambda a: a.at,
        reverse=True,
    ):
        if episode is not None and ack.at < episode.started_at:
            continue
        if _lapsed(ctx, code, ack) or not _raised_at(ctx, code, ack):
            continue
        return ack
    return None


def is_acknowledged(ctx: Context, code: str) -> bool:
    """Whether a physician's acknowledgement of `code` stands at the decision time."""
    return standing_acknowledgement(ctx, code) is not None
