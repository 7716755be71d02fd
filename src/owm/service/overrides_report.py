"""Clinical governance: which alerts the unit overrides, per rule and per prescriber.

Why: the only override owm knows is a physician's acknowledgement of an
escalation finding (opioid with a benzodiazepine, another CNS depressant, course
limit, ...). A unit that acknowledges one alert almost every time it fires either
has a rule that does not fit its patients (a protocol question for governance) or
a habit that needs looking at; either way it must be visible. The report counts,
over a period ending now:

- per rule (finding code, with its rule id): the episodes in which a recommendation
  shown carried the finding, the acknowledgements recorded (voided ones apart), the
  episodes acknowledged, and the physicians who acknowledged;
- per prescriber: how many acknowledgements each physician recorded, by code;
- doses held when the protocol allowed one (a nurse's hold against a "give"),
  per person: the other way a recommendation is set aside.

It is read-only; it counts what is stored.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from owm.service.actor import Actor
from owm.service.common import begin
from owm.service.errors import InputError
from owm.service.permissions import Permission
from owm.service.protocols import protocol_for
from owm.store.models import Acknowledgement, Hold, RecommendationLog, User
from owm.store.uow import UnitOfWork

__all__ = [
    "MAX_DAYS",
    "OverridesReport",
    "PersonCount",
    "PrescriberOverrides",
    "RuleOverrides",
    "overrides_report",
]

MAX_DAYS = 3650


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleOverrides:
    """One acknowledgeable finding: how often it was shown and how often overridden."""

    code: str
    rule: str
    alerted_episodes: int
    acknowledgements: int
    acknowledged_episodes: int
    voided: int
    physicians: int

    @property
    def override_percent(self) -> int | None:
        """Acknowledged episodes as a whole percentage of alerted episodes (None: never shown)."""
        if self.alerted_episodes == 0:
            return None
        return round(
            100 * min(self.acknowledged_episodes, self.alerted_episodes) / self.alerted_episodes
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PrescriberOverrides:
    user_id: int
    name: str
    role: str
    total: int
    by_code: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonCount:
    user_id: int
    name: str
    role: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OverridesReport:
    since: datetime
    until: datetime
    days: int
    rules: tuple[RuleOverrides, ...]
    prescribers: tuple[PrescriberOverrides, ...]
    holds_when_allowed: tuple[PersonCount, ...]

    @property
    def total_acknowledgements(self) -> int:
        return sum(rule.acknowledgements for rule in self.rules)


def overrides_report(
    uow: UnitOfWork, actor: Actor, *, days: int = 30, protocol_id: str = "clonazepam-adjunct"
) -> OverridesReport:
    """Acknowledgements and holds against "give" in the `days` (1-3650) before now."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InputError("days", days, f"a whole number of days from 1 to {MAX_DAYS}")
    protocol = protocol_for(protocol_id)
    with uow.read():
        begin(uow, actor, Permission.GOVERNANCE_REPORT)
        until = uow.now()
        since = until - timedelta(days=days)
        session = uow.session
        users = {u.id: u for u in session.execute(select(User)).scalars()}

        alerted: dict[str, set[int]] = defaultdict(set)
        for episode_id, codes in session.execute(
            select(RecommendationLog.episode_id, RecommendationLog.finding_codes).where(
                RecommendationLog.shown_at > since, RecommendationLog.shown_at <= until
            )
        ):
            for code in codes or ():
                alerted[code].add(episode_id)

        acks = list(
            session.execute(
                select(Acknowledgement).where(
                    Acknowledgement.at > since, Acknowledgement.at <= until
                )
            ).scalars()
        )
        counted = [a for a in acks if a.voided_at is None]
        codes = list(protocol.acknowledgeable_codes)
        codes += sorted({a.finding for a in acks} - set(codes))
        rules = tuple(
            RuleOverrides(
                code=code,
                rule=protocol.findings[code].rule if code in protocol.findings else "",
                alerted_episodes=len(alerted.get(code, set())),
                acknowledgements=sum(1 for a in counted if a.finding == code),
                acknowledged_episodes=len({a.episode_id for a in counted if a.finding == code}),
                voided=sum(1 for a in acks if a.finding == code and a.voided_at is not None),
                physicians=len({a.entered_by for a in counted if a.finding == code}),
            )
            for code in codes
        )

        per_person: dict[int, Counter[str]] = defaultdict(Counter)
        for a in counted:
            per_person[a.entered_by][a.finding] += 1
        prescribers = tuple(
            sorted(
                (
                    PrescriberOverrides(
                        user_id=user_id,
                        name=_name(users.get(user_id), user_id),
                        role=users[user_id].role if user_id in users else "",
                        total=sum(counter.values()),
                        by_code=tuple(sorted(counter.items())),
                    )
                    for user_id, counter in per_person.items()
                ),
                key=lambda p: (-p.total, p.name),
            )
        )

        held = Counter(
            hold.entered_by
            for hold, action in session.execute(
                select(Hold, RecommendationLog.action)
                .join(RecommendationLog, RecommendationLog.id == Hold.recommendation_id)
                .where(Hold.at > since, Hold.at <= until, Hold.voided_at.is_(None))
            )
            if action == "give"
        )
        holds_when_allowed = tuple(
            sorted(
                (
                    PersonCount(
                        user_id=user_id,
                        name=_name(users.get(user_id), user_id),
                        role=users[user_id].role if user_id in users else "",
                        count=count,
                    )
                    for user_id, count in held.items()
                ),
                key=lambda p: (-p.count, p.name),
            )
        )
        return OverridesReport(
            since=since,
            until=until,
            days=days,
            rules=rules,
            prescribers=prescribers,
            holds_when_allowed=holds_when_allowed,
        )


def _name(user: User | None, user_id: int) -> str:
    if user is None:
        return f"user {user_id}"
    return user.full_name or user.username
