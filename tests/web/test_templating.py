"""The filters that put times and doses on ward screens: ward time zone, 24-hour clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from owm.web.templating import duration_text, render, ward_date, ward_datetime, ward_time

WINTER = datetime(2026, 1, 15, 14, 5, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "tz", "shown"),
    [
        (WINTER, "Europe/London", "14:05"),
        (SUMMER, "Europe/London", "15:05"),
        (SUMMER, "America/New_York", "10:05"),
        (datetime(2026, 7, 15, 23, 30, tzinfo=UTC), "Europe/Berlin", "01:30"),
    ],
)
def test_ward_time_is_the_ward_zone_on_a_24_hour_clock(
    moment: datetime, tz: str, shown: str
) -> None:
    assert ward_time(moment, tz) == shown


def test_dates_follow_the_ward_zone_across_midnight() -> None:
    late = datetime(2026, 7, 15, 23, 30, tzinfo=UTC)
    assert ward_datetime(late, "Europe/Berlin") == "Thu 16 Jul 01:30"
    assert ward_date(late, "Europe/Berlin") == "Thu 16 Jul 2026"
    assert ward_date(late, "UTC") == "Wed 15 Jul 2026"


def test_a_time_without_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        ward_time(datetime(2026, 1, 1, 12, 0), "UTC")  # noqa: DTZ001 (naive on purpose)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(minutes=45, seconds=59), "45 min"),
        (timedelta(hours=3, minutes=5), "3 h 05 min"),
        (timedelta(hours=50), "2 d 2 h"),
        (timedelta(minutes=-90), "-1 h 30 min"),
        (None, "–"),
    ],
)
def test_durations_in_hours_and_minutes(value: timedelta | None, text: str) -> None:
    assert duration_text(value) == text


def test_filters_read_the_ward_zone_from_the_context() -> None:
    html = render_string(
        "{{ t | ward_time }} {{ d | mg }}", t=SUMMER, d=Decimal("0.50"), ward_tz="Europe/London"
    )
    assert html == "15:05 0.5 mg"


def render_string(source: str, **context: object) -> str:
    from owm.web.templating import environment

    return environment().from_string(source).render(context)


def test_base_layout_shows_clock_and_disclaimer_without_a_user() -> None:
    html = render(
        "login.html",
        {
            "user": None,
            "csrf_token": "t",
            "ward_tz": "Europe/London",
            "ward_name": "Ward 7",
            "now": SUMMER,
            "nav": [],
            "active": None,
            "disclaimer": "owm is decision support for licensed clinicians.",
            "version": "0",
            "message": None,
            "error": None,
            "next": "/",
            "username": "",
        },
    )
    assert ">15:05</time>" in html
    assert "decision support for licensed clinicians" in html
    assert 'name="csrf_token" value="t"' in html


def test_macros_imported_without_context_show_ward_time() -> None:
    """`m.time(...)` inside a page shows the page's ward zone, not UTC."""
    from types import SimpleNamespace

    user = SimpleNamespace(full_name="Nina Nurse", role="nurse", ward=None, wards=())
    html = render(
        "due.html",
        {
            "user": user,
            "csrf_token": "t",
            "ward_tz": "America/New_York",
            "ward_name": "Ward 7",
            "now": SUMMER,
            "nav": [],
            "active": "due",
            "disclaimer": "owm is decision support for licensed clinicians.",
            "version": "0",
            "report": None,
            "tasks": [],
            "scope": "mine",
            "own_list": True,
        },
    )
    assert '<time datetime="2026-07-15T14:05:00Z">10:05</time>' in html
    assert ">14:05</time>" not in html
