"""The small pieces of logic behind the ward pages, case by case."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from owm.clinical import default_protocol
from owm.clinical.pk import Model
from owm.service.errors import InputError
from owm.service.results import AdministrationView, AssessmentView
from owm.web import charts
from owm.web.auth import safe_next
from owm.web.board import refresh_seconds_from_env, trend
from owm.web.due import time_since_last_dose, untreated_withdrawal
from owm.web.forms import FormProblems, optional_int, optional_local_time

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def _entry(**fields: Any) -> dict[str, Any]:
    return {
        "id": 1,
        "episode_id": 1,
        "entered_by": 1,
        "entered_at": fields["at"],
        "idempotency_key": None,
        "voided_at": None,
        "voided_by": None,
        "void_reason": None,
        **fields,
    }


def score(hours: float, total: int | None, band: str | None, **extra: Any) -> AssessmentView:
    return AssessmentView(
        **_entry(
            at=T0 + timedelta(hours=hours),
            instrument=extra.pop("instrument", "COWS"),
            items=None,
            total=total,
            unable_reason=None if total is not None else "asleep",
            band=band,
            **extra,
        )
    )


def dose(hours: float, outcome: str = "given", **extra: Any) -> AdministrationView:
    at = T0 + timedelta(hours=hours)
    return AdministrationView(
        **_entry(
            at=at,
            drug=extra.pop("drug", "clonazepam"),
            dose_mg=Decimal("0.5"),
            route="oral",
            outcome=outcome,
            recorded_at=at,
            recommendation_id=None,
            note=None,
            **extra,
        )
    )


@pytest.mark.parametrize(
    ("latest", "previous", "arrow", "words"),
    [
        (15, 9, "↑", "up from 9"),
        (9, 15, "↓", "down from 15"),
        (9, 9, "→", "unchanged from 9"),
    ],
)
def test_trend_arrow_says_which_way_in_words(
    latest: int, previous: int, arrow: str, words: str
) -> None:
    found = trend(latest, previous)
    assert found is not None
    assert (found.arrow, found.words) == (arrow, words)


def test_no_trend_without_two_scores() -> None:
    assert trend(15, None) is None
    assert trend(None, 9) is None


def test_untreated_time_runs_from_moderate_until_the_dose() -> None:
    """Moderate at 0 h, dose at 2 h, moderate again at 5 h, now at 6 h: 2 h + 1 h."""
    found = untreated_withdrawal(
        [score(0, 15, "moderate"), score(1, 16, "moderate"), score(5, 14, "moderate")],
        [dose(2)],
        T0 + timedelta(hours=6),
    )
    assert found.total == timedelta(hours=3)
    assert found.current == timedelta(hours=1)
    assert found.since == T0 + timedelta(hours=5)


def test_a_milder_score_ends_the_stretch_and_unable_or_voided_do_not_count() -> None:
    found = untreated_withdrawal(
        [
            score(0, 15, "moderate"),
            score(1, None, None),  # unable to assess: no score
            score(2, 3, "none"),
            score(3, 30, "moderately-severe", voided_at=T0 + timedelta(hours=3, minutes=5)),
            score(4, 8, "mild"),
        ],
        [],
        T0 + timedelta(hours=6),
    )
    assert found.total == timedelta(hours=2)
    assert found.current is None


def test_refused_and_voided_doses_do_not_end_untreated_time() -> None:
    found = untreated_withdrawal(
        [score(0, 15, "moderate")],
        [dose(1, "refused"), dose(2, voided_at=T0 + timedelta(hours=2, minutes=1))],
        T0 + timedelta(hours=3),
    )
    assert found.total == timedelta(hours=3)


def test_time_since_the_last_counted_dose() -> None:
    now = T0 + timedelta(hours=5, minutes=20)
    assert time_since_last_dose([dose(1), dose(3, "vomited"), dose(4, "refused")], now) == (
        timedelta(hours=2, minutes=20)
    )
    assert time_since_last_dose([dose(1, "refused")], now) is None
    assert time_since_last_dose([dose(1, drug="ondansetron")], now) is None


def test_board_refresh_comes_from_the_environment_within_limits() -> None:
    assert refresh_seconds_from_env({}) == 30
    assert refresh_seconds_from_env({"OWM_BOARD_REFRESH_SECONDS": "15"}) == 15
    for bad in ("1", "0", "3601", "fast", "-5"):
        with pytest.raises(ValueError, match=r"OWM_BOARD_REFRESH_SECONDS.*allowed: a whole number"):
            refresh_seconds_from_env({"OWM_BOARD_REFRESH_SECONDS": bad})


@pytest.mark.parametrize(
    ("wanted", "went"),
    [
        ("/patients/3", "/patients/3"),
        ("/due?x=1", "/due?x=1"),
        ("https://elsewhere.example/", "/"),
        ("//elsewhere.example/", "/"),
        ("/\\elsewhere", "/"),
        ("/logout", "/"),
        ("", "/"),
    ],
)
def test_after_sign_in_only_local_paths(wanted: str, went: str) -> None:
    assert safe_next(wanted) == went


def test_form_numbers_and_ward_times() -> None:
    problems = FormProblems()
    form = {"pulse": " 96 ", "rr": "fast", "empty": "", "at": "2026-07-15T10:05"}
    assert optional_int(form, "pulse", problems) == 96
    assert optional_int(form, "rr", problems) is None
    assert optional_int(form, "empty", problems) is None
    moment = optional_local_time(form, "at", "Europe/London", problems)
    assert moment == datetime(2026, 7, 15, 9, 5, tzinfo=UTC)
    assert [(p.field, p.value, p.allowed) for p in problems.problems] == [
        ("rr", "fast", "a whole number")
    ]
    with pytest.raises(InputError) as raised:
        problems.raise_if_any()
    assert raised.value.field == "rr"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_charts_are_valid_svg_with_a_description_in_words() -> None:
    now = T0 + timedelta(hours=10)
    start, end = T0, now + timedelta(hours=12)
    scores = [charts.ScorePoint(T0 + timedelta(hours=h), v, "x") for h, v in ((1, 15), (7, 9))]
    doses = [(T0 + timedelta(hours=2), Decimal("0.5"))]
    withdrawal = _parse(
        charts.withdrawal_chart(scores, doses, start=start, end=end, now=now, tz="Europe/London")
    )
    desc = withdrawal.find("{http://www.w3.org/2000/svg}desc")
    assert desc is not None and desc.text is not None
    assert "2 COWS scores" in desc.text and "latest 9" in desc.text and "0.5 mg in all" in desc.text
    assert withdrawal.get("role") == "img"
    news = _parse(charts.news2_chart(scores, start=start, end=end, now=now, tz="UTC"))
    assert news.get("aria-labelledby") == "chart-news2-title chart-news2-desc"


def test_level_chart_draws_the_accumulation_ahead_with_the_planned_dose() -> None:
    model = Model.from_protocol(default_protocol().pharmacokinetics)
    now = T0 + timedelta(hours=24)
    doses = [(T0 + timedelta(hours=h), Decimal("0.5")) for h in (0, 8, 16)]
    planned = (now, Decimal("0.5"))
    svg = charts.level_chart(
        doses, model, start=T0, end=now + timedelta(hours=12), now=now, tz="UTC", planned=planned
    )
    root = _parse(svg)
    lines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 2  # so far (solid) and ahead (dashed)
    assert lines[1].get("stroke-dasharray") == "6 4"
    desc = root.find("{http://www.w3.org/2000/svg}desc")
    assert desc is not None and desc.text is not None
    assert "next planned dose of 0.5 mg" in desc.text
    assert "not a dosing target" in desc.text


@pytest.mark.parametrize("hours", [1, 6, 30, 96, 400])
def test_time_ticks_are_whole_local_hours_and_few(hours: int) -> None:
    ticks = charts.time_ticks(T0, T0 + timedelta(hours=hours), "Asia/Kolkata")
    assert 1 <= len(ticks) <= 10
    assert all(t.minute == 0 and t.second == 0 for t in ticks)


def test_what_would_change_reads_the_protocol_and_names_the_time() -> None:
    from dataclasses import replace

    from owm.clinical import Finding
    from owm.clinical.explain import what_would_change
    from owm.web.templating import ward_datetime

    protocol = default_protocol()
    held = Finding(
        code="min-interval",
        rule="holds.min_interval",
        severity="critical",
        group="hold",
        message="...",
        source="...",
    )
    sedated = replace(held, code="oversedation", rule="holds.oversedation")
    acknowledged = replace(held, code="older-adult", group="escalate", acknowledged=True)
    rec = _recommendation(protocol, (held, sedated, acknowledged))
    found = dict(what_would_change(protocol, rec, lambda m: ward_datetime(m, "Europe/London")))
    assert set(found) == {"min-interval", "oversedation"}
    assert "6 h" in found["min-interval"] and "Wed 25 Nov 14:00" in found["min-interval"]
    assert "POSS 3" in found["oversedation"] and "RASS -2 or -3" in found["oversedation"]


def _recommendation(protocol: Any, findings: tuple[Any, ...]) -> Any:
    from owm.clinical import Recommendation

    return Recommendation(
        at=T0,
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        action="hold",
        drug="clonazepam",
        route="oral",
        dose_mg=None,
        next_dose_not_before=T0 + timedelta(hours=6),
        remaining_24h_mg=Decimal("3.5"),
        course_day=1,
        withdrawal=None,
        news2=None,
        findings=findings,
        companions=(),
        checklist=(),
        due={},
        predicted_clonazepam_ng_ml={"now": 0.0, "peak_after_this_dose": None},
    )
