"""The typed errors every service function may raise, and what each means to a caller.

An adapter maps them once: `InputError` -> HTTP 422 / CLI exit 2 (bad input: the
field, the value and what is allowed; nothing was stored), `NotFound` -> 404,
`Conflict` -> 409 (the request is valid but the record does not allow it now),
`DoseRefused` -> 409 with the findings that refused the dose, `PermissionDenied`
-> 403, `AuthenticationFailed` -> 401. The clinical core's `StateError` never
leaves the service layer as it is: `input_error_from_state` makes it an
`InputError` with the same field paths, values and allowed values.

```
ServiceError
 +-- InputError            (problems: field, value, allowed)
 +-- NotFound              (record_type, record_id)
 +-- Conflict
 |    +-- DoseRefused      (findings, action, recommendation)
 +-- PermissionDenied      (role, permission)
 +-- AuthenticationFailed
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from owm.clinical import StateError

__all__ = [
    "AuthenticationFailed",
    "Conflict",
    "DoseRefused",
    "InputError",
    "NotFound",
    "PermissionDenied",
    "Problem",
    "ServiceError",
    "input_error_from_state",
]


class ServiceError(Exception):
    """Base of every error a service function raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad input: which field, the value given, and what is allowed."""

    field: str
    value: Any
    allowed: str

    def __str__(self) -> str:
        return f"{self.field}: {self.value!r} is not allowed; allowed: {self.allowed}"

    def to_json(self) -> dict[str, Any]:
        value = self.value
        if not isinstance(value, str | int | float | bool | type(None) | list | dict):
            value = str(value)
        return {"field": self.field, "value": value, "allowed": self.allowed}


class InputError(ServiceError):
    """Bad input; `problems` name each field, value and what is allowed. Nothing was stored."""

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.problems: tuple[Problem, ...] = (Problem(field, value, allowed),)
        super().__init__(str(self.problems[0]))

    @classmethod
    def of(cls, problems: list[Problem] | tuple[Problem, ...]) -> InputError:
        if not problems:
            raise ValueError("InputError needs at least one problem")
        error = cls(problems[0].field, problems[0].value, problems[0].allowed)
        error.problems = tuple(problems)
        error.args = ("; ".join(str(p) for p in problems),)
        return error

    @property
    def field(self) -> str:
        return self.problems[0].field

    @property
    def value(self) -> Any:
        return self.problems[0].value

    @property
    def allowed(self) -> str:
        return self.problems[0].allowed


class NotFound(ServiceError):
    def __init__(self, record_type: str, record_id: object) -> None:
        self.record_type = record_type
        self.record_id = record_id
        super().__init__(f"{record_type} {record_id} not found")


class Conflict(ServiceError):
    """The request is well formed, but the record as it stands does not allow it."""


class DoseRefused(Conflict):
    """The protocol does not allow this dose at this time; nothing was given.

    `findings` are the core's findings as `owm-recommendation/1` JSON (code, severity,
    rule, message, source, values); `reasons` are the codes that refused the dose
    (the blocking findings' codes, or "dose-above-recommended").
    """

    def __init__(
        self,
        message: str,
        *,
        action: str,
        reasons: tuple[str, ...],
        findings: tuple[dict[str, Any], ...],
        recommendation: dict[str, Any],
    ) -> None:
        self.action = action
        self.reasons = reasons
        self.findings = findings
        self.recommendation = recommendation
        super().__init__(message)

    def to_json(self) -> dict[str, Any]:
        return {
            "message": str(self),
            "action": self.action,
            "reasons": list(self.reasons),
            "findings": list(self.findings),
            "recommendation": self.recommendation,
        }


class PermissionDenied(ServiceError):
    def __init__(self, role: str, permission: str, message: str | None = None) -> None:
        self.role = role
        self.permission = permission
        super().__init__(message or f"role {role!r} may not {permission.replace('-', ' ')}")


class AuthenticationFailed(ServiceError):
    """Wrong username/password, unknown or expired or revoked token, or an inactive user."""


_STATE_PROBLEM = re.compile(r"^(?P<field>[^:]+): (?P<message>.*?)(?: \(got (?P<value>.*)\))?$")
"""One line of a StateError: "path: what is wrong; allowed: ... (got value)"."""


def input_error_from_state(error: StateError) -> InputError:
    """The clinical core's StateError as an InputError: one problem per line, each with the
    field path, the value given (when the line names it) and the line's own words."""
    problems = []
    for line in error.problems or [str(error)]:
        match = _STATE_PROBLEM.match(line)
        if match is None:
            problems.append(Problem("(state)", None, line))
        else:
            problems.append(Problem(match["field"], match["value"], match["message"]))
    return InputError.of(problems)
