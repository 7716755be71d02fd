"""A scene for one API request: the records it needs, made through the services.

Each property is made on first use, so a test builds only what its request needs:
an admitted patient whose episode is ready for a dose, a medication, a physician's
acknowledgement, a problem report, another user, a spare token of the caller.
"""

from __future__ import annotations

import itertools
from functools import cached_property
from typing import TYPE_CHECKING

from owm.service import acknowledgements, feedback, medications, users
from owm.service.actor import Actor

if TYPE_CHECKING:
    from .conftest import Api

__all__ = ["Scene"]

_numbers = itertools.count(1)


class Scene:
    """Records for one request by `role`, each made when first asked for."""

    def __init__(self, api: Api, role: str) -> None:
        self.api = api
        self.role = role
        self.n = next(_numbers)

    @property
    def world(self):  # type: ignore[no-untyped-def]
        return self.api.world

    @cached_property
    def episode_id(self) -> int:
        """An admitted patient with a COWS, vital signs and POSS now: ready for a dose."""
        episode = self.world.admit(f"SCENE-{self.n}")
        self.world.ready_for_dose(episode)
        return episode

    @cached_property
    def patient_id(self) -> int:
        from sqlalchemy import text

        episode = self.episode_id
        with self.world.db.engine.connect() as connection:
            value: int = connection.execute(
                text("SELECT patient_id FROM episode WHERE id = :e"), {"e": episode}
            ).scalar_one()
        return value

    @cached_property
    def assessment_id(self) -> int:
        from owm.service.assessments import record_assessment

        from ..helpers import COWS_MODERATE

        view = record_assessment(
            self.world.uow(),
            self.world.nurse,
            episode_id=self.episode_id,
            instrument="COWS",
            items=COWS_MODERATE,
        )
        return view.id

    @cached_property
    def medication_id(self) -> int:
        view = medications.record_medication(
            self.world.uow(),
            self.world.nurse,
            episode_id=self.episode_id,
            name="methadone",
            med_class="opioid",
            dose_text="60 mg daily",
        )
        return view.id

    @cached_property
    def acknowledgement_id(self) -> int:
        view = acknowledgements.acknowledge_finding(
            self.world.uow(),
            self.world.physician,
            episode_id=self.episode_id,
            finding="opioid-benzodiazepine",
            reason="methadone taper; monitored bed",
        )
        return view.id

    @cached_property
    def problem_report_id(self) -> int:
        view = feedback.report_problem(
            self.world.uow(), self.world.nurse, text="the dose looked too high"
        )
        return view.id

    @cached_property
    def other_user_id(self) -> int:
        view = users.create_user(
            self.world.uow(),
            Actor.system("test"),
            username=f"other{self.n}",
            full_name="Another User",
            role="nurse",
            password="another long password",
        )
        return view.id

    @cached_property
    def own_token_id(self) -> int:
        actor = self.api.actor(self.role)
        assert actor.user_id is not None
        issued = users.issue_token(self.world.uow(), actor, user_id=actor.user_id, name="spare")
        return issued.info.id

    @property
    def user_id(self) -> int:
        actor = self.api.actor(self.role)
        assert actor.user_id is not None
        return actor.user_id
