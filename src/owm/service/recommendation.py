"""The recommendation now: build the state from the stored record, evaluate, log what was shown.

Every recommendation shown is logged (`recommendation_log`) with the protocol id
and version that made it, the state it was made from (and its SHA-256) and the
answer, and an audit entry points at the log row. `decide()` is the same
evaluation the dosing guard runs inside its own transaction; `decide_many()` makes
the decisions of a whole ward (board, handoff) from records read in one query per
kind, by the same rules (`owm.service.state_builder.state_from_records`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from owm.clinical import PatientState, Protocol, Recommendation, StateError, evaluate, parse_state
from owm.service.actor import Actor
from owm.service.common import Acting, audit, begin, load_episode
from owm.service.errors import Conflict
from owm.service.permissions import Permission
from owm.service.protocols import protocol_for
from owm.service.results import RecommendationResult
from owm.service.state_builder import EpisodeRecords, load_records, state_from_records
from owm.store.audit import canonical_json
from owm.store.models import Episode, Patient, RecommendationLog
from owm.store.uow import UnitOfWork

__all__ = ["Decision", "decide", "decide_many", "get_recommendation", "log_decision"]


@dataclass(frozen=True, slots=True)
class Decision:
    """One evaluation: the state document, the parsed state, the protocol and the answer."""

    state_document: dict[str, Any]
    state: PatientState
    protocol: Protocol
    recommendation: Recommendation


def decide(session: Session, episode: Episode, at: datetime) -> Decision:
    """Evaluate `episode` at decision time `at` from the stored record (voided entries excluded)."""
    patient = session.get(Patient, episode.patient_id)
    assert patient is not None
    return _decide(load_records(session, [(patient, episode)], at)[0])


def decide_many(
    session: Session, episodes: Sequence[tuple[Patient, Episode]], at: datetime
) -> list[Decision]:
    """`decide` for many episodes (each paired with its patient) at `at`, in the same order.

    The records are read in one query per kind for all the episodes; each decision
    is then made exactly as `decide` makes it.
    """
    return [_decide(records) for records in load_records(session, episodes, at)]


def _decide(records: EpisodeRecords) -> Decision:
    protocol = protocol_for(records.ward.protocol_id)
    document = state_from_records(records)
    try:
        state = parse_state(document, protocol)
    except StateError as error:
        raise Conflict(
            "the stored record cannot be decided on under protocol "
            f"{protocol.id} {protocol.version}: " + "; ".join(error.problems)
        ) from None
    return Decision(document, state, protocol, evaluate(state, protocol))


def log_decision(
    uow: UnitOfWork, acting: Acting, episode: Episode, decision: Decision, purpose: str
) -> RecommendationLog:
    """Store the decision in the recommendation log and audit it (same transaction)."""
    rec = decision.recommendation
    row = RecommendationLog(
        episode_id=episode.id,
        decision_at=rec.at,
        shown_at=uow.now(),
        shown_to=acting.user.id if acting.user is not None else None,
        purpose=purpose,
        protocol_id=rec.protocol_id,
        protocol_version=rec.protocol_version,
        action=rec.action,
        dose_mg=rec.dose_mg,
        finding_codes=list(rec.codes),
        state_sha256=hashlib.sha256(canonical_json(decision.state_document).encode()).hexdigest(),
        state=decision.state_document,
        recommendation=rec.to_json(),
    )
    uow.session.add(row)
    uow.session.flush()
    audit(
        uow,
        acting,
        f"recommendation.{purpose}",
        row,
        after={
            "episode_id": episode.id,
            "decision_at": rec.at,
            "protocol": {"id": rec.protocol_id, "version": rec.protocol_version},
            "action": rec.action,
            "dose_mg": rec.dose_mg,
            "findings": list(rec.codes),
            "state_sha256": row.state_sha256,
        },
    )
    return row


def get_recommendation(
    uow: UnitOfWork, actor: Actor, *, episode_id: int, record_shown: bool = True
) -> RecommendationResult:
    """What the protocol allows now for this episode, and why.

    Made from the stored record at the unit of work's clock time. With
    `record_shown` (the default) the recommendation is logged as shown to the actor
    (with the protocol version) and audited; pass False for a view that is not shown
    to anyone (nothing is written then). A discharged episode has no recommendation
    now: Conflict.
    """
    with uow if record_shown else uow.read():
        acting = begin(uow, actor, Permission.VIEW_RECOMMENDATION)
        episode = load_episode(uow.session, episode_id, open_only=True)
        decision = decide(uow.session, episode, uow.now())
        log_id = None
        if record_shown:
            log_id = log_decision(uow, acting, episode, decision, "shown").id
            uow.commit()
        return RecommendationResult(
            episode_id=episode.id,
            log_id=log_id,
            recommendation=decision.recommendation,
            document=decision.recommendation.to_json(),
            state=decision.state_document,
        )
