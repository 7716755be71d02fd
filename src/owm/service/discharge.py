"""Discharge: close the episode with the referrals and, when needed, the taper plan.

At discharge owm offers again what first-line care offers (NICE CG52; ASAM 2020;
CRISM 2017): methadone or buprenorphine (MOUD), take-home naloxone and
psychotherapy, which the seed article calls mandatory. When clonazepam was given
on more days than the protocol's taper threshold, the core's taper plan (FDA
label: reduce gradually) is stored with the discharge.
"""

from __future__ import annotations

from datetime import datetime

from owm.service.actor import Actor
from owm.service.assignments import end_assignment
from owm.service.common import audit, begin, clinical_time, lock_episode, optional_text, snapshot
from owm.service.errors import InputError
from owm.service.permissions import Permission
from owm.service.recommendation import decide
from owm.service.results import DischargeView, view
from owm.store.models import MOUD_REFERRALS, Discharge
from owm.store.uow import UnitOfWork

__all__ = ["MOUD_REFERRALS", "discharge"]
# vocab: MOUD_REFERRALS (the values discharge() accepts) comes from the store


def discharge(
    uow: UnitOfWork,
    actor: Actor,
    *,
    episode_id: int,
    moud_referral: str,
    naloxone_supplied: bool,
    psychotherapy_referral: bool,
    psychotherapy_service: str | None = None,
    notes: str | None = None,
    at: datetime | None = None,
) -> DischargeView:
    """Discharge the episode at `at` (default now) with the referral choices.

    `moud_referral`: methadone, buprenorphine, declined or already-on-moud. The taper
    plan is the core's when taper-needed fires at the discharge time, else None.
    Conflict when the episode was already discharged. The nurse assignment of the
    episode, if any, ends when the discharge is recorded.
    """
    if moud_referral not in MOUD_REFERRALS:
        raise InputError("moud_referral", moud_referral, ", ".join(MOUD_REFERRALS))
    for name, value in (
        ("naloxone_supplied", naloxone_supplied),
        ("psychotherapy_referral", psychotherapy_referral),
    ):
        if not isinstance(value, bool):
            raise InputError(name, value, "true or false")
    service = optional_text(psychotherapy_service, field="psychotherapy_service", max_length=500)
    text = optional_text(notes, field="notes")
    with uow:
        acting = begin(uow, actor, Permission.DISCHARGE)
        session = uow.session
        episode = lock_episode(session, episode_id)
        now = uow.now()
        moment = clinical_time(at, field="at", now=now, episode=episode)
        decision = decide(session, episode, moment)
        plan = list(decision.recommendation.to_json()["taper_plan"]) or None
        row = Discharge(
            episode_id=episode.id,
            at=moment,
            moud_referral=moud_referral,
            naloxone_supplied=naloxone_supplied,
            psychotherapy_referral=psychotherapy_referral,
            psychotherapy_service=service,
            taper_plan=plan,
            notes=text,
            entered_by=acting.user_id,
            entered_at=now,
        )
        session.add(row)
        audit(uow, acting, "discharge.record", row)
        before = snapshot(episode)
        episode.discharged_at = moment
        audit(uow, acting, "episode.discharge", episode, before=before)
        end_assignment(uow, acting, episode, now)
        uow.commit()
        return view(DischargeView, row)
