"""owm's tables as SQLAlchemy 2 typed models (one module per kind of record)."""

from owm.store.base import Base, ClinicalEntry
from owm.store.models.audit import GENESIS_HASH, AuditEntry, AuditHead
from owm.store.models.cds import CdsSeenToken
from owm.store.models.dosing import (
    OUTCOMES,
    Acknowledgement,
    Administration,
    EscalationContact,
    Hold,
)
from owm.store.models.governance import (
    PatientRating,
    ProblemReport,
    RatingKiosk,
    RecommendationLog,
)
from owm.store.models.observations import (
    Alcohol,
    Assessment,
    Medication,
    Sedation,
    SideEffect,
    Symptom,
    UnmappedRecord,
    VitalSigns,
)
from owm.store.models.patients import (
    DETAIL_FIELDS,
    FIRST_LINE_CHOICES,
    MOUD_REFERRALS,
    SETTINGS,
    Discharge,
    Episode,
    Patient,
    PatientDetails,
)
from owm.store.models.people import ROLES, ApiToken, User, Ward
from owm.store.models.staffing import NurseAssignment

__all__ = [
    "DETAIL_FIELDS",
    "FIRST_LINE_CHOICES",
    "GENESIS_HASH",
    "MOUD_REFERRALS",
    "OUTCOMES",
    "ROLES",
    "SETTINGS",
    "Acknowledgement",
    "Administration",
    "Alcohol",
    "ApiToken",
    "Assessment",
    "AuditEntry",
    "AuditHead",
    "Base",
    "CdsSeenToken",
    "ClinicalEntry",
    "Discharge",
    "Episode",
    "EscalationContact",
    "Hold",
    "Medication",
    "NurseAssignment",
    "Patient",
    "PatientDetails",
    "PatientRating",
    "ProblemReport",
    "RatingKiosk",
    "RecommendationLog",
    "Sedation",
    "SideEffect",
    "Symptom",
    "UnmappedRecord",
    "User",
    "VitalSigns",
    "Ward",
]
