"""Patients, admissions (patient + episode) and episodes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, Field, StrictBool, StrictInt

from owm.api.schemas.common import BodyId, DecimalIn, Input, LongText, Output, ShortText, codes
from owm.clinical import vocab
from owm.clinical.state import ALLERGIES, CONDITIONS, HISTORY
from owm.service.admission import FIRST_LINE_CHOICES, SETTINGS

__all__ = [
    "AdmissionIn",
    "AdmissionOut",
    "EpisodeOut",
    "PatientOut",
    "PatientSummaryOut",
    "PatientUpdateIn",
]

SEXES = vocab.SEXES
Age = Annotated[StrictInt, Field(ge=0, le=130)]
Codes = Annotated[list[str], Field(max_length=50)]


class _Details(Input):
    date_of_birth: date | None = None
    age_years: Age | None = None
    sex: str | None = codes(SEXES, default=None)
    weight_kg: DecimalIn | None = None
    pregnant: StrictBool | None = None
    conditions: Codes = Field(
        default_factory=list, json_schema_extra={"items": {"enum": list(CONDITIONS)}}
    )
    allergies: Codes = Field(
        default_factory=list, json_schema_extra={"items": {"enum": list(ALLERGIES)}}
    )
    history: Codes = Field(
        default_factory=list, json_schema_extra={"items": {"enum": list(HISTORY)}}
    )


class AdmissionIn(_Details):
    """Admit a patient (new, or returning by MRN) and open an episode."""

    ward_id: BodyId
    name: ShortText
    mrn: Annotated[str, Field(max_length=50)]
    bed: Annotated[str, Field(max_length=20)] | None = None
    first_line_offered: StrictBool = Field(
        description="Was methadone or buprenorphine offered (first-line care)?"
    )
    first_line_choice: str = codes(FIRST_LINE_CHOICES)
    first_line_note: LongText | None = Field(
        default=None, description="Required when first-line care was not offered: why."
    )
    setting: str = Field(default="inpatient", json_schema_extra={"enum": list(SETTINGS)})
    admitted_at: AwareDatetime | None = None


class PatientUpdateIn(Input):
    """Change a patient's details: only the fields sent change (null clears a value)."""

    bed: Annotated[str, Field(max_length=20)] | None = None
    date_of_birth: date | None = None
    age_years: Age | None = None
    sex: str | None = Field(default=None, json_schema_extra={"enum": [*SEXES, None]})
    weight_kg: DecimalIn | None = None
    pregnant: StrictBool | None = None
    conditions: Codes | None = None
    allergies: Codes | None = None
    history: Codes | None = None


class PatientOut(Output):
    id: int
    ward_id: int
    bed: str | None
    name: str
    mrn: str
    date_of_birth: date | None
    age_years: int | None
    sex: str | None
    weight_kg: Decimal | None
    pregnant: bool | None
    conditions: list[str]
    allergies: list[str]
    history: list[str]


class EpisodeOut(Output):
    id: int
    patient_id: int
    admitted_at: datetime
    discharged_at: datetime | None
    setting: str
    first_line_offered: bool
    first_line_choice: str
    first_line_note: str | None


class AdmissionOut(Output):
    patient: PatientOut
    episode: EpisodeOut


class PatientSummaryOut(Output):
    """One line of the ward list: the patient and the open episode, if any."""

    patient: PatientOut
    episode: EpisodeOut | None
