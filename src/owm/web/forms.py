"""Reading HTML form fields into the values the service functions take.

Why a module: a browser sends every field as text. Turning "96" into 96 or
"2026-11-25T14:05" (ward local time) into an aware UTC time is the page's job;
deciding whether 96 is an allowed pulse is the service's. Text that is not even
the right kind of value (letters in a number, an impossible date) is reported
here as a `Problem` in the same shape the services use (field, value, what is
allowed), so the page shows both kinds of error the same way, beside the field.
An empty field is None (not given), never 0.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from owm.service.errors import InputError, Problem
from owm.web.templating import zone

__all__ = [
    "FormProblems",
    "new_key",
    "optional_int",
    "optional_local_time",
    "optional_text",
    "text",
]


class FormProblems:
    """Collects problems while a form is read; `raise_if_any()` raises one InputError."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field: str, value: Any, allowed: str) -> None:
        self.problems.append(Problem(field, value, allowed))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError.of(self.problems)


def new_key() -> str:
    """A fresh idempotency key for a form (one per rendering of the form)."""
    return uuid.uuid4().hex


def text(form: Any, name: str) -> str:
    """The field's text, stripped ("" when absent)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional_text(form: Any, name: str) -> str | None:
    value = text(form, name)
    return value or None


def optional_int(form: Any, name: str, problems: FormProblems) -> int | None:
    """A whole number, or None for an empty field; letters are a problem."""
    value = text(form, name)
    if not value:
        return None
    try:
        return int(value, 10)
    except ValueError:
        problems.add(name, value, "a whole number")
        return None


def optional_local_time(form: Any, name: str, tz: str, problems: FormProblems) -> datetime | None:
    """A `datetime-local` field (ward local time, "YYYY-MM-DDTHH:MM") as aware UTC; None if empty."""
    value = text(form, name)
    if not value:
        return None
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        problems.add(name, value, "a date and time (YYYY-MM-DD HH:MM, ward time)")
        return None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=zone(tz)).astimezone(UTC)
