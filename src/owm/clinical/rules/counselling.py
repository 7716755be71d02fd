"""Counselling: what the patient must be told with clonazepam.

Source: seed article (alcohol is contraindicated; no driving; psychotherapy
support is mandatory); FDA label (risks of abrupt discontinuation).

When: always.
Then: counselling (information), listing the protocol's counselling points.
"""

from __future__ import annotations

from collections.abc import Iterator

from owm.clinical.context import Context
from owm.clinical.findings import Finding

__all__ = ["RULES", "patient"]


def patient(ctx: Context) -> Iterator[Finding]:
    """The counselling points of the protocol."""
    yield ctx.finding(
        "counselling",
        "Tell the patient: " + " ".join(ctx.protocol.counselling),
        points=list(ctx.protocol.counselling),
    )


RULES = (patient,)
