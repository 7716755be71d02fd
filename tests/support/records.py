"""The bedside records tests chart again and again: a moderate COWS, normal vital signs,
and "ready for a dose" (that COWS, those vital signs, a POSS and "no alcohol reported",
recorded now).

The same values serve the store and API tests, the real-server tests and the
end-to-end set-up, so a patient "ready for a dose" is the same patient everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["COWS_MODERATE", "COWS_NONE", "GOOD_VITALS", "ready_for_dose"]

# COWS 15 (moderate) with target symptoms (restlessness 3, aches 2, anxiety 2).
COWS_MODERATE: dict[str, int] = {
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
COWS_NONE: dict[str, int] = dict.fromkeys(COWS_MODERATE, 0)
# NEWS2 0: the arguments of `record_vitals`.
GOOD_VITALS: dict[str, Any] = {
    "respiratory_rate": 16,
    "spo2": 98,
    "oxygen": False,
    "systolic_bp": 124,
    "pulse": 76,
    "consciousness": "alert",
    "temperature_c": "37.0",
}


def ready_for_dose(
    uow: Callable[[], Any],
    nurse: Any,
    episode_id: int,
    *,
    cows: Mapping[str, int] | None = None,
    poss: str = "1",
) -> None:
    """Record a COWS (moderate unless given), normal vital signs, a POSS (1 unless given)
    and the patient's report of no alcohol now, each in its own unit of work from `uow()`,
    as the nurse `nurse`."""
    from owm.service.alcohol import record_alcohol
    from owm.service.assessments import record_assessment
    from owm.service.observations import record_sedation, record_vitals

    record_alcohol(uow(), nurse, episode_id=episode_id, none_reported=True)
    record_assessment(
        uow(), nurse, episode_id=episode_id, instrument="COWS", items=dict(cows or COWS_MODERATE)
    )
    record_vitals(uow(), nurse, episode_id=episode_id, **GOOD_VITALS)
    record_sedation(uow(), nurse, episode_id=episode_id, scale="POSS", level=poss)
