"""Small factories for the store and service tests: a ward, one user per role, a patient.

Tests build their world with these and a `FixedClock`, then act through the
service functions exactly as the API and the web pages do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from owm.service import admission, users, wards
from owm.service.actor import Actor
from owm.store.uow import FixedClock, UnitOfWork

__all__ = ["COWS_MODERATE", "COWS_NONE", "GOOD_VITALS", "World", "make_world"]

START = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)

# COWS 15 (moderate) with target symptoms (restlessness 3, aches 2, anxiety 2).
COWS_MODERATE = {
    "resting_pulse": 1,
    "sweating": 1,
    "restlessness": 3,
    "pupil_size": 1,
    "bone_joint_aches": 2,
    "runny_nose_tearing": 1,
    "gi_upset": 2,
    "tremor": 1,
    "yawning": 1,
    "anxiety_irritability": 2,
    "gooseflesh": 0,
}
COWS_NONE = dict.fromkeys(COWS_MODERATE, 0)
GOOD_VITALS: dict[str, Any] = {
    "respiratory_rate": 16,
    "spo2": 98,
    "oxygen": False,
    "systolic_bp": 124,
    "pulse": 76,
    "consciousness": "alert",
    "temperature_c": "37.0",
}


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
            "weight_kg": "62",
            "first_line_offered": True,
            "first_line_choice": "declined",
        }
        fields.update(details)
        result = admission.admit(self.uow(), self.nurse, ward_id=self.ward_id, mrn=mrn, **fields)
        return result.episode.id

    def ready_for_dose(self, episode_id: int, cows: dict[str, int] | None = None) -> None:
        """Record a COWS, vital signs and POSS 1 now: the patient is ready to be evaluated."""
        from owm.service.assessments import record_assessment
        from owm.service.observations import record_sedation, record_vitals

        record_assessment(
            self.uow(),
            self.nurse,
            episode_id=episode_id,
            instrument="COWS",
            items=cows or COWS_MODERATE,
        )
        record_vitals(self.uow(), self.nurse, episode_id=episode_id, **GOOD_VITALS)
        record_sedation(self.uow(), self.nurse, episode_id=episode_id, scale="POSS", level="1")

    def advance(self, **delta: float) -> datetime:
        return self.clock.advance(**delta)


def make_world(db: Any, start: datetime = START) -> World:
    clock = FixedClock(start - timedelta(days=1))
    system = Actor.system("test")
    uow = db.uow(clock)
    ward = wards.create_ward(
        uow, system, name="Ward 7", timezone="Europe/London", protocol_id="clonazepam-adjunct"
    )
    actors = {}
    for role in ("nurse", "physician", "pharmacist", "admin"):
        user = users.create_user(
            db.uow(clock),
            system,
            username=f"{role}1",
            full_name=f"A {role.title()}",
            role=role,
            password="correct horse battery",
        )
        actors[role] = Actor(user_id=user.id, role=role)  # type: ignore[arg-type]
    clock.set(start)
    return World(db=db, clock=clock, ward_id=ward.id, **actors)
