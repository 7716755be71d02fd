"""Small factories for the store and service tests: a ward, one user per role, a patient.

Tests build their world with these and a `FixedClock`, then act through the
service functions exactly as the API and the web pages do. The bedside records
(`COWS_MODERATE`, `GOOD_VITALS`, ...) come from tests/support/records.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from owm.service import admission
from owm.service.actor import Actor
from owm.store.uow import FixedClock, UnitOfWork
from support.records import COWS_MODERATE, COWS_NONE, GOOD_VITALS, ready_for_dose
from support.wards import staffed_ward

__all__ = ["COWS_MODERATE", "COWS_NONE", "GOOD_VITALS", "World", "make_world"]

START = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@dataclass
class World:
    """A ward with a nurse, a physician, a pharmacist and an admin, and a clock."""

    db: Any
    clock: FixedClock
    ward_id: int
    nurse: Actor
    physician: Actor
    pharmacist: Actor
    admin: Actor

    def uow(self) -> UnitOfWork:
        uow: UnitOfWork = self.db.uow(self.clock)
        return uow

    def admit(self, mrn: str = "MRN-1", **details: Any) -> int:
        """Admit a patient (34-year-old by default); returns the episode id."""
        fields: dict[str, Any] = {
            "name": f"Patient {mrn}",
            "age_years": 34,
            "sex": "female",
            "pregnant": False,
            "weight_kg": "62",
            "first_line_offered": True,
            "first_line_choice": "declined",
        }
        fields.update(details)
        result = admission.admit(self.uow(), self.nurse, ward_id=self.ward_id, mrn=mrn, **fields)
        return result.episode.id

    def ready_for_dose(self, episode_id: int, cows: dict[str, int] | None = None) -> None:
        """Record a COWS, vital signs and POSS 1 now: the patient is ready to be evaluated."""
        ready_for_dose(self.uow, self.nurse, episode_id, cows=cows)

    def advance(self, **delta: float) -> datetime:
        return self.clock.advance(**delta)


def make_world(db: Any, start: datetime = START) -> World:
    clock = FixedClock(start - timedelta(days=1))
    staffed = staffed_ward(lambda: db.uow(clock))
    clock.set(start)
    return World(db=db, clock=clock, ward_id=staffed.ward_id, **staffed.actors)
