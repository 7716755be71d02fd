"""An episode's whole record: every entry, voided ones included and marked."""

from __future__ import annotations

from owm.api.schemas.common import Output
from owm.api.schemas.dosing import AdministrationOut, HoldOut
from owm.api.schemas.governance import (
    AcknowledgementOut,
    DischargeOut,
    EscalationContactOut,
    RatingOut,
)
from owm.api.schemas.medications import MedicationOut
from owm.api.schemas.patients import EpisodeOut, PatientOut
from owm.api.schemas.records import (
    AlcoholOut,
    AssessmentOut,
    SedationOut,
    SideEffectOut,
    SymptomOut,
    VitalSignsOut,
)

__all__ = ["EpisodeRecordOut"]


class EpisodeRecordOut(Output):
    patient: PatientOut
    episode: EpisodeOut
    assessments: list[AssessmentOut]
    vitals: list[VitalSignsOut]
    sedation: list[SedationOut]
    symptoms: list[SymptomOut]
    side_effects: list[SideEffectOut]
    medications: list[MedicationOut]
    alcohol: list[AlcoholOut]
    administrations: list[AdministrationOut]
    holds: list[HoldOut]
    acknowledgements: list[AcknowledgementOut]
    escalation_contacts: list[EscalationContactOut]
    discharge: DischargeOut | None
    rating: RatingOut | None
