"""The CDS Hooks 2.0 wire format: what a CDS client sends (input) and what owm answers (output).

Input models check the fields owm relies on and let the rest through (hooks
carry context fields and extensions owm does not read). Output models follow
the specification's Card, Source, Suggestion, Action, Link and Coding; optional
fields without a value are left out, never sent as null (the specification
forbids null and empty values).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "Action",
    "Card",
    "CardsResponse",
    "Coding",
    "DiscoveryResponse",
    "FeedbackItem",
    "FeedbackRequest",
    "FhirAuthorization",
    "HookRequest",
    "Link",
    "OverrideReason",
    "ServiceDescription",
    "Source",
    "Suggestion",
]

Indicator = Literal["info", "warning", "critical"]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class FhirAuthorization(_Open):
    """An OAuth 2.0 bearer token for the EHR's FHIR server."""

    access_token: str = Field(min_length=1)
    token_type: str = "Bearer"
    expires_in: int | None = None
    scope: str | None = None
    subject: str | None = None

    @field_validator("token_type")
    @classmethod
    def _bearer(cls, value: str) -> str:
        if value.lower() != "bearer":
            raise ValueError(f"{value!r} is not allowed; allowed: Bearer")
        return value


class HookContext(_Open):
    """The hook context owm reads: the patient (required), encounter, selections, drafts."""

    patientId: str = Field(min_length=1, max_length=200)
    userId: str | None = None
    encounterId: str | None = Field(default=None, max_length=200)
    selections: list[str] | None = None
    draftOrders: dict[str, Any] | None = None

    @field_validator("patientId")
    @classmethod
    def _bare_id(cls, value: str) -> str:
        # Some clients send "Patient/123" where the hook asks for the id "123".
        return value.removeprefix("Patient/")

    @field_validator("draftOrders")
    @classmethod
    def _bundle(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and value.get("resourceType") != "Bundle":
            raise ValueError(
                f"resourceType {value.get('resourceType')!r} is not allowed; allowed: a Bundle"
            )
        return value


class HookRequest(_Open):
    """A CDS service call."""

    hook: str = Field(min_length=1)
    hookInstance: str = Field(min_length=1, max_length=200)
    fhirServer: str | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: HookContext
    prefetch: dict[str, Any] | None = None

    @field_validator("fhirServer")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r} is not allowed; allowed: an http(s) URL")
        return value

    @model_validator(mode="after")
    def _server_with_token(self) -> HookRequest:
        if self.fhirAuthorization is not None and self.fhirServer is None:
            raise ValueError("fhirAuthorization is given without fhirServer; both are required")
        return self


class Coding(BaseModel):
    system: str | None = None
    code: str
    display: str | None = None


class OverrideReason(BaseModel):
    model_config = ConfigDict(extra="allow")

    reason: Coding | None = None
    userComment: str | None = Field(default=None, max_length=2000)


class AcceptedSuggestion(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=100)


class FeedbackItem(BaseModel):
    """One user action on a card."""

    model_config = ConfigDict(extra="allow")

    card: str = Field(min_length=1, max_length=100)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: datetime

    @field_validator("outcomeTimestamp")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError(f"{value.isoformat()} has no time zone; allowed: UTC, e.g. ...Z")
        return value

    @model_validator(mode="after")
    def _accepted_needs_suggestions(self) -> FeedbackItem:
        if self.outcome == "accepted" and not self.acceptedSuggestions:
            raise ValueError("outcome accepted needs acceptedSuggestions (at least one)")
        return self


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    feedback: list[FeedbackItem] = Field(min_length=1, max_length=100)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Out):
    label: str
    url: str | None = None
    icon: str | None = None
    topic: Coding | None = None


class Action(_Out):
    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None
    resourceId: str | None = None


class Suggestion(_Out):
    label: str
    uuid: str | None = None
    isRecommended: bool | None = None
    actions: list[Action] | None = None


class Link(_Out):
    label: str
    url: str
    type: Literal["absolute", "smart"] = "absolute"
    appContext: str | None = None


class Card(_Out):
    uuid: str | None = None
    summary: str = Field(max_length=139)
    detail: str | None = None
    indicator: Indicator
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[Coding] | None = None
    links: list[Link] | None = None

    @model_validator(mode="after")
    def _selection_with_suggestions(self) -> Card:
        if self.suggestions and self.selectionBehavior is None:
            raise ValueError("a card with suggestions needs selectionBehavior")
        return self


class CardsResponse(_Out):
    cards: list[Card]


class ServiceDescription(_Out):
    hook: str
    title: str | None = None
    description: str
    id: str
    prefetch: dict[str, str] | None = None
    usageRequirements: str | None = None


class DiscoveryResponse(_Out):
    services: list[ServiceDescription]
