"""Give a dose, hold a dose, record another medicine given: dosing that can never double.

`give_dose` is the guard between a nurse's button and a recorded clonazepam dose.
In ONE transaction, serialised per patient (the episode row locked with `SELECT
... FOR UPDATE` on PostgreSQL; the `BEGIN IMMEDIATE` write transaction on
SQLite), it:

1. returns the dose already recorded under the same idempotency key, if any (the
   same answer again, `replayed=True`; the same key with a different dose is a
   Conflict);
2. checks the time given: not in the future, not before admission, and charted
   no later than the protocol's `windows.late_charting_hours` after it was given;
3. rebuilds the state from the stored record as it stood at the time given and
   re-evaluates it with the ward's protocol (a physician's acknowledgement of an
   escalation is the only override, because the core honours it; nothing
   overrides an emergency, a contraindication or a hold);
4. for a dose charted late, also checks the doses charted since that were given
   after it (minimum interval and 24 h maximum, counted from each of them);
5. refuses, with the findings, a dose the protocol does not allow then or one
   larger than it recommends (`DoseRefused` -> HTTP 409); the refused attempt is
   logged and audited, and nothing is given;
6. otherwise records the dose, the recommendation that allowed it and the audit
   entry, and commits.

Two nurses pressing Give at once: the second waits for the first's transaction,
then sees its dose and is refused by the minimum interval (or gets the replay of
the same key).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from owm.clinical.charting import late_charting_window, later_dose_conflicts
from owm.clinical.findings import Finding, iso, mg_text
from owm.clinical.vocab import ADMINISTERED_DRUGS, COUNTED_OUTCOMES, OUTCOMES, ROUTES
from owm.service.actor import Actor
from owm.service.common import (
    Acting,
    audit,
    begin,
    clinical_time,
    episode_protocol,
    find_replay,
    idempotency,
    lock_episode,
    optional_text,
    parse_decimal,
    record_entry,
    required_text,
)
from owm.service.errors import Conflict, DoseRefused, InputError
from owm.service.permissions import Permission
from owm.service.recommendation import Decision, decide, log_decision
from owm.service.results import AdministrationView, DoseResult, HoldResult, HoldView, view
from owm.store.models import Administration, Episode, Hold, RecommendationLog
from owm.store.types import mg_to_ug
from owm.store.uow import UnitOfWork

__all__ = ["OUTCOMES", "ROUTES", "give_dose", "hold_dose", "record_administration"]

BLOCKING_ACTIONS = ("emergency", "contraindicated", "hold", "escalate", "not-indicated")


def _dose(value: Any, field: str = "dose_mg") -> Decimal:
    amount = parse_decimal(value, field=field, places=3)
    if amount <= 0:
        raise InputError(field, value, "a dose above 0 mg")
    if amount > 1000:
        raise InputError(field, value, "a dose of at most 1000 mg")
    mg_to_ug(amount)
    return amount


def _blocking(decision: Decision) -> tuple[Finding, ...]:
    rec = decision.recommendation
    return tuple(f for f in rec.findings if f.group == rec.action)


def _later_dose_conflicts(
    uow: UnitOfWork, episode: Episode, decision: Decision, given_at: datetime, dose: Decimal
) -> tuple[Finding, ...]:
    """Doses already charted that were given after `given_at`, which this late dose would
    put inside the minimum interval or above the 24 h maximum (the core decides)."""
    protocol = decision.protocol
    later = [
        (a.at, a.dose_mg)
        for a in uow.session.execute(
            select(Administration)
            .where(
                Administration.episode_id == episode.id,
                Administration.voided_at.is_(None),
                Administration.drug == protocol.drug,
                Administration.outcome.in_(COUNTED_OUTCOMES),
                Administration.at > given_at,
            )
            .order_by(Administration.at)
        ).scalars()
    ]
    return later_dose_conflicts(decision.state, protocol, given_at, dose, later)


def _replay(uow: UnitOfWork, row: Administration) -> DoseResult:
    log = (
        uow.session.get(RecommendationLog, row.recommendation_id) if row.recommendation_id else None
    )
    return DoseResult(
        administration=view(AdministrationView, row, replayed=True),
        recommendation=dict(log.recommendation) if log else {},
        replayed=True,
    )


def _refuse(
    uow: UnitOfWork,
    acting: Acting,
    episode: Episode,
    decision: Decision,
    message: str,
    reasons: tuple[str, ...],
    findings: tuple[Finding, ...],
    attempt: dict[str, Any],
) -> DoseRefused:
    """Log and audit the refused attempt (committed), and return the error to raise."""
    log = log_decision(uow, acting, episode, decision, "give-refused")
    audit(
        uow,
        acting,
        "administration.refused",
        log,
        record_type="episode",
        record_id=episode.id,
        after={**attempt, "reasons": list(reasons), "recommendation_id": log.id},
    )
    uow.commit()
    return DoseRefused(
        message,
        action=decision.recommendation.action,
        reasons=reasons,
        findings=tuple(f.to_json() for f in findings),
        recommendation=decision.recommendation.to_json(),
    )


def give_dose(
    uow: UnitOfWork,
    actor: Actor,
    *,
    episode_id: int,
    dose_mg: Decimal | str | int,
    idempotency_key: str,
    given_at: datetime | None = None,
    outcome: str = "given",
    route: str | None = None,
    note: str | None = None,
) -> DoseResult:
    """Record a clonazepam dose if, and only if, the protocol allows it at the time given.

    `dose_mg`: an exact decimal (a string such as "0.5"), not above the recommended dose.
    `given_at` (default now): not in the future, not more than the protocol's
    `windows.late_charting_hours` ago. `outcome`: given, partial (`dose_mg` is the
    amount taken), vomited or refused. `idempotency_key`: required; the same key
    again returns the same dose with `replayed=True`.

    Raises DoseRefused (409, with the findings), InputError, NotFound, Conflict
    (discharged episode; key reused for another dose), PermissionDenied.
    """
    key = idempotency(idempotency_key)
    if key is None:
        raise InputError("idempotency_key", idempotency_key, "1 to 200 printable characters")
    dose = _dose(dose_mg)
    if outcome not in OUTCOMES:
        raise InputError("outcome", outcome, ", ".join(OUTCOMES))
    if route is not None and route not in ROUTES:
        raise InputError("route", route, ", ".join(ROUTES))
    text = optional_text(note, field="note")

    with uow:
        acting = begin(uow, actor, Permission.GIVE_DOSE)
        session = uow.session
        episode = lock_episode(session, episode_id, open_only=False)
        expected: dict[str, Any] = {"dose_mg": dose, "outcome": outcome}
        if given_at is not None:
            expected["at"] = given_at
        existing = find_replay(session, Administration, episode.id, key, expected)
        if existing is not None:
            if existing.drug != "clonazepam":
                raise Conflict(f"idempotency key {key!r} was already used for {existing.drug}")
            return _replay(uow, existing)
        if episode.discharged_at is not None:
            raise Conflict(f"episode {episode.id} was discharged at {iso(episode.discharged_at)}")

        now = uow.now()
        protocol = episode_protocol(session, episode)
        moment = clinical_time(
            given_at,
            field="given_at",
            now=now,
            episode=episode,
            not_older_than=late_charting_window(protocol),
        )
        decision = decide(session, episode, moment)
        rec = decision.recommendation
        attempt = {"dose_mg": dose, "given_at": moment, "outcome": outcome, "idempotency_key": key}

        if rec.action != "give":
            blocking = _blocking(decision)
            raise _refuse(
                uow,
                acting,
                episode,
                decision,
                f"the protocol does not allow a dose at {iso(moment)}: {rec.action} "
                f"({', '.join(f.code for f in blocking)})",
                tuple(f.code for f in blocking),
                blocking,
                attempt,
            )
        assert rec.dose_mg is not None
        if dose > rec.dose_mg:
            raise _refuse(
                uow,
                acting,
                episode,
                decision,
                f"{mg_text(dose)} mg is more than the {mg_text(rec.dose_mg)} mg the protocol "
                f"recommends at {iso(moment)}",
                ("dose-above-recommended",),
                (),
                attempt,
            )
        if outcome != "refused":
            conflicts = _later_dose_conflicts(uow, episode, decision, moment, dose)
            if conflicts:
                raise _refuse(
                    uow,
                    acting,
                    episode,
                    decision,
                    "a later dose is already charted: " + " ".join(f.message for f in conflicts),
                    tuple(f.code for f in conflicts),
                    conflicts,
                    attempt,
                )

        log = log_decision(uow, acting, episode, decision, "give")
        row = Administration(
            episode_id=episode.id,
            at=moment,
            entered_by=acting.user_id,
            entered_at=now,
            idempotency_key=key,
            drug=protocol.drug,
            dose_mg=dose,
            route=route or protocol.route,
            outcome=outcome,
            recorded_at=now,
            recommendation_id=log.id,
            note=text,
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # pragma: no cover - the episode lock makes this unreachable
            raise Conflict(f"idempotency key {key!r} was used at the same moment") from None
        audit(uow, acting, "administration.give", row)
        uow.commit()
        return DoseResult(
            administration=view(AdministrationView, row),
            recommendation=dict(log.recommendation),
            replayed=False,
        )


def hold_dose(
    uow: UnitOfWork,
    actor: Actor,
    *,
    episode_id: int,
    reason: str,
    at: datetime | None = None,
    idempotency_key: str | None = None,
) -> HoldResult:
    """Hold the dose, with the nurse's reason (required); the findings shown at that time
    are stored with it. Holding is always allowed: nobody needs the protocol's consent
    not to give a sedative."""
    why = required_text(reason, field="reason")
    key = idempotency(idempotency_key)
    with uow:
        acting = begin(uow, actor, Permission.HOLD_DOSE)
        session = uow.session
        episode = lock_episode(session, episode_id)
        existing = find_replay(session, Hold, episode.id, key, {"reason": why})
        if existing is not None:
            log = (
                session.get(RecommendationLog, existing.recommendation_id)
                if existing.recommendation_id
                else None
            )
            return HoldResult(
                hold=view(HoldView, existing, replayed=True),
                recommendation=dict(log.recommendation) if log else {},
            )
        now = uow.now()
        moment = clinical_time(at, field="at", now=now, episode=episode)
        decision = decide(session, episode, moment)
        log = log_decision(uow, acting, episode, decision, "hold")
        row = Hold(
            episode_id=episode.id,
            at=moment,
            entered_by=acting.user_id,
            entered_at=now,
            idempotency_key=key,
            drug=decision.protocol.drug,
            reason=why,
            finding_codes=list(decision.recommendation.codes),
            recommendation_id=log.id,
        )
        session.add(row)
        audit(uow, acting, "dose_hold.record", row)
        uow.commit()
        return HoldResult(hold=view(HoldView, row), recommendation=dict(log.recommendation))


def record_administration(
    uow: UnitOfWork,
    actor: Actor,
    *,
    episode_id: int,
    drug: str,
    dose_mg: Decimal | str | int,
    at: datetime | None = None,
    outcome: str = "given",
    route: str = "oral",
    note: str | None = None,
    idempotency_key: str | None = None,
) -> AdministrationView:
    """Record another medicine given (a companion medicine or another benzodiazepine).

    Clonazepam is refused here: it goes through `give_dose` and its guard. Another
    benzodiazepine given counts toward the cns-depressant escalation.
    """
    if drug == "clonazepam":
        raise InputError(
            "drug", drug, "a drug other than clonazepam (use give_dose for clonazepam)"
        )
    if drug not in ADMINISTERED_DRUGS:
        raise InputError(
            "drug", drug, ", ".join(d for d in ADMINISTERED_DRUGS if d != "clonazepam")
        )
    dose = _dose(dose_mg)
    if outcome not in OUTCOMES:
        raise InputError("outcome", outcome, ", ".join(OUTCOMES))
    if route not in ROUTES:
        raise InputError("route", route, ", ".join(ROUTES))
    text = optional_text(note, field="note")

    def fields(_protocol: object, _moment: datetime) -> dict[str, Any]:
        return {
            "drug": drug,
            "dose_mg": dose,
            "outcome": outcome,
            "route": route,
            "note": text,
            "recorded_at": uow.now(),
        }

    return record_entry(
        uow,
        actor,
        permission=Permission.GIVE_DOSE,
        model=Administration,
        view_cls=AdministrationView,
        episode_id=episode_id,
        at=at,
        idempotency_key=idempotency_key,
        fields=fields,
        action="administration.record",
        unchecked=("recorded_at",),
    )
