"""The Jinja2 environment of the ward pages, and the filters that put times and doses on screens.

Why one environment: every page (the board, the patient page, the documents of
`owm.web.docs`) renders through the same loader, the same autoescaping and the same
filters, so a time looks the same everywhere: the ward's local time on a 24-hour
clock, never the server's zone and never UTC. Times stay timezone-aware UTC until
the filter turns them into text; the ward's zone comes from the template context
(`ward_tz`, an IANA name set by `owm.web.pages.page_context`) unless a filter is
given one explicitly.

`StrictUndefined`: a misspelt variable is an error in the tests, not an empty cell
on a ward screen.

Macros imported without context (`{% import "_macros.html" as m %}`) cannot see
`ward_tz`; `render` therefore also holds the page's zone while it renders, and the
filters fall back to it.

Filters:
    ward_time       14:05                        (24-hour clock, ward zone)
    ward_datetime   Wed 25 Nov 14:05             (ward zone)
    ward_date       Wed 25 Nov 2026              (ward zone)
    iso             2026-11-25T14:05:00Z         (for <time datetime=...>)
    duration        3 h 05 min                   (a timedelta or seconds; "0 min" floor)
    mg              0.5 mg                       (Decimal or str, exact, never a float)
    mg_value        0.5                          (the same without the unit, for inputs)
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from owm.clinical.findings import iso as iso_utc
from owm.clinical.findings import mg_text

__all__ = [
    "TEMPLATES_DIR",
    "duration_text",
    "environment",
    "render",
    "ward_date",
    "ward_datetime",
    "ward_time",
    "zone",
]

TEMPLATES_DIR = Path(__file__).parent / "templates"
DEFAULT_ZONE = "UTC"


@cache
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name (cached: the ward board asks for it hundreds of times)."""
    return ZoneInfo(name)


def _local(moment: datetime, tz: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"time {moment.isoformat()} has no time zone; owm keeps times in UTC")
    return moment.astimezone(zone(tz))


def ward_time(moment: datetime | None, tz: str) -> str:
    """`14:05`: the ward's local time on a 24-hour clock; an en dash for no time."""
    if moment is None:
        return "–"
    return _local(moment, tz).strftime("%H:%M")


def ward_datetime(moment: datetime | None, tz: str) -> str:
    """`Wed 25 Nov 14:05` in the ward's zone."""
    if moment is None:
        return "–"
    local = _local(moment, tz)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def ward_date(moment: datetime | None, tz: str) -> str:
    """`Wed 25 Nov 2026` in the ward's zone."""
    if moment is None:
        return "–"
    local = _local(moment, tz)
    return f"{local:%a} {local.day} {local:%b %Y}"


def duration_text(value: timedelta | float | int | None) -> str:
    """`3 h 05 min`, `45 min`, `2 d 4 h`: hours and minutes, rounded down to the minute."""
    if value is None:
        return "–"
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    sign = "-" if seconds < 0 else ""
    minutes = int(abs(seconds) // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        days, hours = divmod(hours, 24)
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    return f"{sign}{minutes} min"


def _mg(value: Decimal | str | int | None) -> str:
    if value is None or value == "":
        return "–"
    return f"{mg_text(Decimal(str(value)))} mg"


_RENDER_ZONE: ContextVar[str | None] = ContextVar("owm_render_zone", default=None)
"""The ward zone of the page being rendered, for macros imported without context."""


def _mg_value(value: Decimal | str | int | None) -> str:
    """The exact amount without its unit ("0.5"), for form values."""
    if value is None or value == "":
        return ""
    return mg_text(Decimal(str(value)))


def _ctx_zone(context: Context, tz: str | None) -> str:
    if tz:
        return tz
    found = context.get("ward_tz") or _RENDER_ZONE.get()
    return str(found) if found else DEFAULT_ZONE


@pass_context
def _ward_time(context: Context, moment: datetime | None, tz: str | None = None) -> str:
    return ward_time(moment, _ctx_zone(context, tz))


@pass_context
def _ward_datetime(context: Context, moment: datetime | None, tz: str | None = None) -> str:
    return ward_datetime(moment, _ctx_zone(context, tz))


@pass_context
def _ward_date(context: Context, moment: datetime | None, tz: str | None = None) -> str:
    return ward_date(moment, _ctx_zone(context, tz))


def _iso(moment: datetime | None) -> str:
    return iso_utc(moment) or ""


def _as_utc(value: datetime | str | None) -> datetime | None:
    """A datetime from an ISO string (as in recommendation JSON) or a datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def _build() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "svg", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        {
            "ward_time": _ward_time,
            "ward_datetime": _ward_datetime,
            "ward_date": _ward_date,
            "iso": _iso,
            "duration": duration_text,
            "mg": _mg,
            "mg_value": _mg_value,
            "as_utc": _as_utc,
        }
    )
    return env


@cache
def environment() -> Environment:
    """The one Jinja2 environment (built on first use)."""
    return _build()


def render(name: str, context: dict[str, Any]) -> str:
    """Render template `name` (a path under `templates/`) with `context`.

    The context's `ward_tz` is also made known to macros imported without context
    (`{% import "_macros.html" as m %}`), so `m.time(...)` shows ward time too.
    """
    token = _RENDER_ZONE.set(context.get("ward_tz"))
    try:
        return environment().get_template(name).render(context)
    finally:
        _RENDER_ZONE.reset(token)
