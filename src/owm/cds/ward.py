"""owm's own patients and wards, as the CDS Hooks service needs them: a link and a time zone.

Why: a card links to "the patient's page in owm", and the EHR's patient id is not
owm's; the two meet on the medical record number (`Patient.identifier`, read by
`owm.fhir.identity`, matched exactly against the MRN owm stores). And a
recommendation needs the ward's time zone (night doses): when the EHR's
Encounter does not carry one and `OWM_CDS_WARD_TIMEZONE` is not set, the zone of
the matched patient's ward is used, else the zone of the only ward in owm's
database. Nothing is guessed: with several wards and no match there is no zone.

Reads only, in a read-only transaction; the list of wards is kept for a minute.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from owm.http.runtime import UowFactory
from owm.service.cds_hooks import patient_with_mrn, ward_timezones

__all__ = ["WARDS_CACHE_SECONDS", "OwmPatient", "WardDirectory"]

WARDS_CACHE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class OwmPatient:
    """owm's patient with the EHR patient's MRN, and the time zone of their ward."""

    id: int
    timezone: str


class WardDirectory:
    """Looks up owm's patients by MRN and the ward time zone (see the module docstring)."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow
        self._zones: tuple[float, tuple[str, ...]] | None = None
        self._lock = threading.Lock()

    def patient(self, mrn: str) -> OwmPatient | None:
        found = patient_with_mrn(self.uow(), mrn)
        return OwmPatient(id=found.id, timezone=found.timezone) if found is not None else None

    def ward_zones(self) -> tuple[str, ...]:
        """The time zone of every ward (kept for WARDS_CACHE_SECONDS)."""
        now = time.monotonic()
        with self._lock:
            if self._zones is not None and now - self._zones[0] < WARDS_CACHE_SECONDS:
                return self._zones[1]
        zones = ward_timezones(self.uow())
        with self._lock:
            self._zones = (now, zones)
        return zones

    def only_ward_timezone(self) -> str | None:
        """The time zone of the only ward, or None when there are none or several."""
        zones = self.ward_zones()
        return zones[0] if len(zones) == 1 else None

    def lookup(self, mrn: str | None) -> tuple[OwmPatient | None, str | None]:
        """(owm's patient with this MRN, the ward time zone to use) - both may be None."""
        match = self.patient(mrn) if mrn else None
        zone = match.timezone if match is not None else self.only_ward_timezone()
        return match, zone
