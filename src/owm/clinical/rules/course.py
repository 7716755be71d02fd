"""Course: the stop must be planned when clonazepam has gone on for long.

Source: FDA label, Klonopin, "Dosage and Administration" (panic disorder):
"a gradual decrease ... 0.125 mg bid every 3 days"; seed article: withdrawal
on abrupt stop, taper.

When: course day above `thresholds.taper_after_days`.
Then: taper-needed (a warning), and the answer carries a taper plan.
"""

from __future__ import annotations

from collections.abc import Iterator

from owm.clinical.context import Context
from owm.clinical.findings import Finding

__all__ = ["RULES", "taper_needed"]


def taper_needed(ctx: Context) -> Iterator[Finding]:
    """Long enough on clonazepam that stopping must be gradual."""
    threshold = ctx.protocol.thresholds.taper_after_days
    if ctx.course_day > threshold:
        yield ctx.finding(
            "taper-needed",
            f"Day {ctx.course_day} of clonazepam (more than {threshold} days): do not stop "
            "suddenly; follow the taper plan.",
            course_day=ctx.course_day,
            taper_after_days=threshold,
        )


RULES = (taper_needed,)
