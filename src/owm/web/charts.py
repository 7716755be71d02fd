"""Charts as inline SVG, drawn on the server: no chart library, no script, printable.

Why our own: the ward needs four small time charts (withdrawal score with its
bands, NEWS2 with its response zones, doses as bars, the predicted clonazepam
level), they must work with no internet and print on paper, and a screen reader
must get the same facts. Each chart is an `<svg role="img">` with a `<title>` and
a `<desc>` that says in words what the chart shows (latest value, count, range);
the patient page also lists every value in the timeline.

Time runs left to right in ward local time (24-hour labels); the chart's window
and "now" are arguments, never the clock. Colours come with a pattern or a label:
band names are written inside their shaded zones, future parts are dashed.

    withdrawal_chart(scores, doses, start=, end=, now=, tz=)
    news2_chart(points, start=, end=, now=, tz=)
    level_chart(doses, model, start=, end=, now=, tz=, planned=)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from html import escape

from markupsafe import Markup

from owm.clinical.findings import mg_text
from owm.clinical.instruments import COWS, SOWS, Instrument
from owm.clinical.pk import Model, level_at
from owm.web.templating import ward_datetime, ward_time, zone

__all__ = [
    "Frame",
    "ScorePoint",
    "level_chart",
    "news2_chart",
    "time_ticks",
    "withdrawal_chart",
]

WIDTH = 720
HEIGHT = 240
MARGIN_LEFT = 44
MARGIN_RIGHT = 16
MARGIN_TOP = 14
MARGIN_BOTTOM = 40

_BAND_FILL = {
    "none": "#eef2f5",
    "mild": "#fff8d6",
    "moderate": "#ffe7cc",
    "moderately-severe": "#ffd6d6",
    "severe": "#ffbdbd",
}
_NEWS2_ZONES = (
    ("low", 0, 4, "#eef6ee"),
    ("urgent", 5, 6, "#fff1d6"),
    ("emergency", 7, 20, "#ffd6d6"),
)
_STEPS_HOURS = (1, 2, 3, 4, 6, 12, 24, 48, 72, 168)


@dataclass(frozen=True, slots=True)
class ScorePoint:
    """One charted value: when, the value, and a label for the description."""

    at: datetime
    value: float
    label: str = ""


@dataclass(frozen=True, slots=True)
class Frame:
    """A plotting area: a time window on x, a value range on y, in SVG user units."""

    start: datetime
    end: datetime
    low: float
    high: float
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def left(self) -> float:
        return MARGIN_LEFT

    @property
    def right(self) -> float:
        return self.width - MARGIN_RIGHT

    @property
    def top(self) -> float:
        return MARGIN_TOP

    @property
    def bottom(self) -> float:
        return self.height - MARGIN_BOTTOM

    def x(self, moment: datetime) -> float:
        span = (self.end - self.start).total_seconds() or 1.0
        share = (moment - self.start).total_seconds() / span
        return round(self.left + share * (self.right - self.left), 1)

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        share = (value - self.low) / span
        return round(self.bottom - share * (self.bottom - self.top), 1)

    def inside(self, moment: datetime) -> bool:
        return self.start <= moment <= self.end


def time_ticks(start: datetime, end: datetime, tz: str, most: int = 8) -> list[datetime]:
    """Tick times on whole local hours, at most `most`, with a step from 1 h to 1 week."""
    hours = max((end - start).total_seconds() / 3600, 1e-9)
    step = next((s for s in _STEPS_HOURS if hours / s <= most), _STEPS_HOURS[-1])
    local = start.astimezone(zone(tz))
    first = local.replace(minute=0, second=0, microsecond=0)
    if first < local:
        first += timedelta(hours=1)
    while first.hour % step and step <= 24:
        first += timedelta(hours=1)
    ticks: list[datetime] = []
    moment = first
    while moment <= end and len(ticks) < most + 2:
        ticks.append(moment)
        moment += timedelta(hours=step)
    return ticks


def _svg_open(frame: Frame, title: str, desc: str, chart_id: str) -> list[str]:
    return [
        f'<svg class="chart" id="{chart_id}" role="img" viewBox="0 0 {frame.width} {frame.height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _time_axis(frame: Frame, tz: str) -> list[str]:
    parts = [
        f'<line class="axis" x1="{frame.left}" y1="{frame.bottom}" x2="{frame.right}" y2="{frame.bottom}"/>'
    ]
    ticks = time_ticks(frame.start, frame.end, tz)
    for tick in ticks:
        x = frame.x(tick)
        local = tick.astimezone(zone(tz))
        label = ward_time(tick, tz)
        parts.append(
            f'<line class="grid-line" x1="{x}" y1="{frame.top}" x2="{x}" y2="{frame.bottom}"/>'
        )
        parts.append(f'<text x="{x}" y="{frame.bottom + 14}" text-anchor="middle">{label}</text>')
        if local.hour == 0 or tick == ticks[0]:
            parts.append(
                f'<text x="{x}" y="{frame.bottom + 27}" text-anchor="middle">{local.day} {local:%b}</text>'
            )
    return parts


def _value_axis(frame: Frame, values: Sequence[float], unit: str = "") -> list[str]:
    parts = [
        f'<line class="axis" x1="{frame.left}" y1="{frame.top}" x2="{frame.left}" y2="{frame.bottom}"/>'
    ]
    for value in values:
        y = frame.y(value)
        text = f"{value:g}{unit}"
        parts.append(
            f'<text x="{frame.left - 5}" y="{y + 4}" text-anchor="end">{escape(text)}</text>'
        )
    return parts


def _now_line(frame: Frame, now: datetime, tz: str) -> list[str]:
    if not frame.inside(now):
        return []
    x = frame.x(now)
    return [
        f'<line x1="{x}" y1="{frame.top}" x2="{x}" y2="{frame.bottom}" stroke="#102a43" '
        'stroke-width="1.5" stroke-dasharray="2 3"/>',
        f'<text x="{x + 3}" y="{frame.top + 10}">now {ward_time(now, tz)}</text>',
    ]


def _polyline(frame: Frame, points: Sequence[ScorePoint], css: str, dashed: bool = False) -> str:
    coords = " ".join(f"{frame.x(p.at)},{frame.y(p.value)}" for p in points)
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    return f'<polyline points="{coords}" fill="none" stroke="{css}" stroke-width="2.5"{dash}/>'


def _markers(frame: Frame, points: Sequence[ScorePoint], tz: str, colour: str) -> list[str]:
    parts = []
    for p in points:
        tip = escape(f"{ward_datetime(p.at, tz)}: {p.label or format(p.value, 'g')}")
        parts.append(
            f'<circle cx="{frame.x(p.at)}" cy="{frame.y(p.value)}" r="4" fill="{colour}">'
            f"<title>{tip}</title></circle>"
        )
    return parts


def _instrument_for(code: str) -> Instrument:
    return SOWS if code == "SOWS" else COWS


def withdrawal_chart(
    scores: Sequence[ScorePoint],
    doses: Sequence[tuple[datetime, Decimal]],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    tz: str,
    instrument: str = "COWS",
    chart_id: str = "chart-withdrawal",
) -> Markup:
    """Withdrawal score over time on its bands (shaded and named), doses as bars below."""
    scale = _instrument_for(instrument)
    top = scale.max_total
    frame = Frame(start, end, 0, top)
    shown = [p for p in scores if frame.inside(p.at)]
    given = [(t, mg) for t, mg in doses if frame.inside(t)]
    if shown:
        latest = shown[-1]
        desc = (
            f"{len(shown)} {instrument} scores from {ward_datetime(shown[0].at, tz)} to "
            f"{ward_datetime(latest.at, tz)}; latest {latest.value:g} ({latest.label}). "
        )
    else:
        desc = f"No {instrument} score in this window. "
    desc += f"{len(given)} clonazepam doses shown as bars" + (
        f", {sum((mg for _, mg in given), Decimal(0)).normalize():f} mg in all." if given else "."
    )
    parts = _svg_open(frame, f"{instrument} withdrawal score and clonazepam doses", desc, chart_id)
    for band in scale.bands:
        y_top, y_bottom = frame.y(min(band.high + 1, top)), frame.y(band.low)
        parts.append(
            f'<rect x="{frame.left}" y="{y_top}" width="{frame.right - frame.left}" '
            f'height="{round(y_bottom - y_top, 1)}" fill="{_BAND_FILL.get(band.name, "#f4f4f4")}"/>'
        )
        parts.append(
            f'<text x="{frame.right - 4}" y="{y_top + 12}" text-anchor="end" fill="#4a5560">'
            f"{escape(band.name.replace('-', ' '))}</text>"
        )
    parts += _time_axis(frame, tz)
    parts += _value_axis(frame, [b.low for b in scale.bands] + [top])
    # Doses: bars from the bottom, height proportional to mg on a 0-2 mg scale (a fifth
    # of the chart), labelled with the amount.
    bar_room = (frame.bottom - frame.top) / 5
    for moment, mg in given:
        x = frame.x(moment)
        height = round(bar_room * min(float(mg), 2.0) / 2.0, 1)
        parts.append(
            f'<rect x="{x - 4}" y="{round(frame.bottom - height, 1)}" width="8" height="{height}" '
            f'fill="#0b4f9c"><title>{escape(ward_datetime(moment, tz))}: clonazepam '
            f"{mg_text(mg)} mg</title></rect>"
        )
        parts.append(
            f'<text x="{x}" y="{round(frame.bottom - height - 3, 1)}" text-anchor="middle" '
            f'fill="#0b4f9c">{mg_text(mg)}</text>'
        )
    if len(shown) > 1:
        parts.append(_polyline(frame, shown, "#102a43"))
    parts += _markers(frame, shown, tz, "#102a43")
    parts += _now_line(frame, now, tz)
    parts.append("</svg>")
    return Markup("".join(parts))


def news2_chart(
    points: Sequence[ScorePoint],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    tz: str,
    chart_id: str = "chart-news2",
) -> Markup:
    """NEWS2 over time on its response zones: low 0-4, urgent 5-6, emergency 7 and above."""
    high = max([12.0] + [p.value + 1 for p in points])
    frame = Frame(start, end, 0, high, height=200)
    shown = [p for p in points if frame.inside(p.at)]
    desc = (
        f"{len(shown)} NEWS2 scores; latest {shown[-1].value:g} at {ward_datetime(shown[-1].at, tz)}."
        if shown
        else "No complete set of vital signs in this window."
    )
    parts = _svg_open(frame, "NEWS2 over time", desc, chart_id)
    for name, low, upper, fill in _NEWS2_ZONES:
        y_top, y_bottom = frame.y(min(upper + 1, high)), frame.y(low)
        parts.append(
            f'<rect x="{frame.left}" y="{y_top}" width="{frame.right - frame.left}" '
            f'height="{round(y_bottom - y_top, 1)}" fill="{fill}"/>'
        )
        parts.append(
            f'<text x="{frame.right - 4}" y="{y_top + 12}" text-anchor="end" fill="#4a5560">{name}</text>'
        )
    parts += _time_axis(frame, tz)
    parts += _value_axis(frame, [0, 5, 7, high])
    if len(shown) > 1:
        parts.append(_polyline(frame, shown, "#5b1f7a"))
    parts += _markers(frame, shown, tz, "#5b1f7a")
    parts += _now_line(frame, now, tz)
    parts.append("</svg>")
    return Markup("".join(parts))


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    base = 10**exponent
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * base:
            return float(step * base)
    return float(10 * base)  # pragma: no cover - the loop always returns


def level_chart(
    doses: Sequence[tuple[datetime, Decimal]],
    model: Model,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    tz: str,
    planned: tuple[datetime, Decimal] | None = None,
    samples: int = 120,
    chart_id: str = "chart-level",
) -> Markup:
    """Predicted clonazepam level (ng/mL) from the doses given, drawn ahead of now.

    Up to `now` the line is solid; after it the line is dashed: the accumulated drug
    washing out, and, when `planned` (time, mg) is given, that next dose added from its
    time on, drawn as an outlined bar. The level is a model's prediction for a 70 kg
    adult, not a measurement and not a dosing target.
    """
    step = (end - start) / samples
    moments = [start + step * i for i in range(samples + 1)]
    past_doses = list(doses)
    with_plan = [*past_doses, planned] if planned is not None else past_doses
    # A planned dose adds nothing before its time (the model is zero before a dose).
    levels = [level_at(model, with_plan, m) for m in moments]
    high = _nice_ceiling(max([1.0, *levels]) * 1.1)
    frame = Frame(start, end, 0, high, height=200)
    level_now = level_at(model, past_doses, now)
    peak_ahead = max((lv for m, lv in zip(moments, levels, strict=True) if m > now), default=0.0)
    desc = f"Predicted clonazepam level now {level_now:.1f} ng/mL"
    if planned is not None:
        desc += (
            f"; with the next planned dose of {mg_text(planned[1])} mg at "
            f"{ward_time(planned[0], tz)}, up to {peak_ahead:.1f} ng/mL in this window"
        )
    desc += ". Model prediction for a 70 kg adult, not a measurement and not a dosing target."
    parts = _svg_open(frame, "Predicted clonazepam level (ng/mL)", desc, chart_id)
    parts += _time_axis(frame, tz)
    parts += _value_axis(frame, [0, high / 2, high])
    past = [ScorePoint(m, lv) for m, lv in zip(moments, levels, strict=True) if m <= now]
    ahead = [ScorePoint(m, lv) for m, lv in zip(moments, levels, strict=True) if m >= now]
    if past and ahead and past[-1].at < now:
        joint = ScorePoint(now, level_now)
        past.append(joint)
        ahead.insert(0, joint)
    if len(past) > 1:
        parts.append(_polyline(frame, past, "#0b4f9c"))
    if len(ahead) > 1:
        parts.append(_polyline(frame, ahead, "#0b4f9c", dashed=True))
    bar_room = (frame.bottom - frame.top) / 6
    for moment, mg in past_doses:
        if frame.inside(moment):
            x = frame.x(moment)
            height = round(bar_room * min(float(mg), 2.0) / 2.0, 1)
            parts.append(
                f'<rect x="{x - 3}" y="{round(frame.bottom - height, 1)}" width="6" '
                f'height="{height}" fill="#0b4f9c" opacity="0.6"/>'
            )
    if planned is not None and frame.inside(planned[0]):
        x = frame.x(planned[0])
        height = round(bar_room * min(float(planned[1]), 2.0) / 2.0, 1)
        parts.append(
            f'<rect x="{x - 4}" y="{round(frame.bottom - height, 1)}" width="8" height="{height}" '
            f'fill="none" stroke="#0b4f9c" stroke-width="2" stroke-dasharray="3 2">'
            f"<title>next planned dose {mg_text(planned[1])} mg, not before "
            f"{escape(ward_datetime(planned[0], tz))}</title></rect>"
        )
        parts.append(
            f'<text x="{x}" y="{round(frame.bottom - height - 4, 1)}" text-anchor="middle">'
            f"next {mg_text(planned[1])} mg</text>"
        )
    parts += _now_line(frame, now, tz)
    parts.append("</svg>")
    return Markup("".join(parts))
