"""Taper plan: how to stop clonazepam after a longer course.

Source: FDA label, Klonopin (panic disorder): "decrease of 0.125 mg bid every 3
days" until stopped. The step, the doses per day and the days per step are the
protocol's `taper` values.

The plan starts from the clonazepam given in the last 24 hours (including a dose
recommended now), rounded down to a whole number of steps, and lowers the daily
amount by one step per dose every `step_every_days` days, on ward calendar dates,
until nothing is left.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from owm.clinical.protocol import Taper

__all__ = ["taper_plan"]


def taper_plan(taper: Taper, daily_mg: Decimal, start: date) -> tuple[dict[str, Any], ...]:
    """Steps of the taper: dates, daily amount and the amount of each dose."""
    per_day_step = taper.step_mg * taper.doses_per_day
    daily = (daily_mg / per_day_step).to_integral_value(rounding=ROUND_FLOOR) * per_day_step
    steps: list[dict[str, Any]] = []
    day = start
    while daily > 0:
        daily -= per_day_step
        if daily <= 0:
            break
        steps.append(
            {
                "from": day.isoformat(),
                "to": (day + timedelta(days=taper.step_every_days - 1)).isoformat(),
                "daily_mg": daily,
                "dose_mg": daily / taper.doses_per_day,
                "doses_per_day": taper.doses_per_day,
            }
        )
        day += timedelta(days=taper.step_every_days)
    steps.append(
        {
            "from": day.isoformat(),
            "to": None,
            "daily_mg": Decimal(0),
            "dose_mg": Decimal(0),
            "doses_per_day": 0,
        }
    )
    return tuple(steps)
