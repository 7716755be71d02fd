"""The permission matrix: which role may do what. Written down once, checked by every service.

`docs/permissions.md` is the same table for people; a test keeps the two equal.
The principles:

- nurses and physicians record observations, medicines and alcohol, give and hold
  doses, void entries in error, admit and discharge, and assign patients to nurses;
- only physicians acknowledge an escalation (and void an acknowledgement);
- a pharmacist reads everything clinical, the recommendation included, and records
  nothing clinical;
- only admins manage users and wards; admins read the audit trail and problem
  reports, not patients' records;
- anyone signed in can report a problem with a recommendation and manage their own
  API tokens.
"""

from __future__ import annotations

from enum import StrEnum

from owm.service.actor import ROLES, Role
from owm.service.errors import PermissionDenied

__all__ = ["MATRIX", "Permission", "allowed", "require"]


class Permission(StrEnum):
    READ_RECORD = "read-record"
    VIEW_RECOMMENDATION = "view-recommendation"
    ADMIT = "admit"
    UPDATE_PATIENT = "update-patient"
    ASSIGN_NURSE = "assign-nurse"
    RECORD_OBSERVATION = "record-observation"
    MANAGE_MEDICATIONS = "manage-medications"
    GIVE_DOSE = "give-dose"
    HOLD_DOSE = "hold-dose"
    ACKNOWLEDGE = "acknowledge"
    RECORD_ESCALATION_CONTACT = "record-escalation-contact"
    VOID_ENTRY = "void-entry"
    VOID_ACKNOWLEDGEMENT = "void-acknowledgement"
    DISCHARGE = "discharge"
    RECORD_RATING = "record-rating"
    REPORT_PROBLEM = "report-problem"
    REVIEW_PROBLEMS = "review-problems"
    GOVERNANCE_REPORT = "governance-report"
    READ_AUDIT = "read-audit"
    MANAGE_USERS = "manage-users"
    MANAGE_WARDS = "manage-wards"
    MANAGE_OWN_TOKENS = "manage-own-tokens"


_CLINICIANS: frozenset[Role] = frozenset({"nurse", "physician"})
_READERS: frozenset[Role] = frozenset({"nurse", "physician", "pharmacist"})
_EVERYONE: frozenset[Role] = frozenset(ROLES)

MATRIX: dict[Permission, frozenset[Role]] = {
    Permission.READ_RECORD: _READERS,
    Permission.VIEW_RECOMMENDATION: _READERS,
    Permission.ADMIT: _CLINICIANS,
    Permission.UPDATE_PATIENT: _CLINICIANS,
    Permission.ASSIGN_NURSE: _CLINICIANS,
    Permission.RECORD_OBSERVATION: _CLINICIANS,
    Permission.MANAGE_MEDICATIONS: _CLINICIANS,
    Permission.GIVE_DOSE: _CLINICIANS,
    Permission.HOLD_DOSE: _CLINICIANS,
    Permission.ACKNOWLEDGE: frozenset({"physician"}),
    Permission.RECORD_ESCALATION_CONTACT: _CLINICIANS,
    Permission.VOID_ENTRY: _CLINICIANS,
    Permission.VOID_ACKNOWLEDGEMENT: frozenset({"physician"}),
    Permission.DISCHARGE: _CLINICIANS,
    Permission.RECORD_RATING: _CLINICIANS,
    Permission.REPORT_PROBLEM: _EVERYONE,
    Permission.REVIEW_PROBLEMS: frozenset({"physician", "pharmacist", "admin"}),
    Permission.GOVERNANCE_REPORT: frozenset({"physician", "pharmacist", "admin"}),
    Permission.READ_AUDIT: frozenset({"pharmacist", "admin"}),
    Permission.MANAGE_USERS: frozenset({"admin"}),
    Permission.MANAGE_WARDS: frozenset({"admin"}),
    Permission.MANAGE_OWN_TOKENS: _EVERYONE,
}


def allowed(role: str, permission: Permission) -> bool:
    """Whether `role` holds `permission`."""
    return role in MATRIX[permission]


def require(role: str, permission: Permission) -> None:
    """Raise PermissionDenied unless `role` holds `permission`."""
    if not allowed(role, permission):
        raise PermissionDenied(role, permission.value)
