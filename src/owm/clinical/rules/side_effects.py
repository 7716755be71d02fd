"""Side effects: what has been recorded, so everyone sees it.

Source: seed article, the 11 groups of side effects to watch; FDA label,
"Adverse Reactions".

When: a side effect is recorded in this episode up to now.
Then: side-effect (a warning naming each group and when it was last seen).
"""

from __future__ import annotations

from collections.abc import Iterator

from owm.clinical.context import Context
from owm.clinical.findings import Finding

__all__ = ["RULES", "recorded"]


def recorded(ctx: Context) -> Iterator[Finding]:
    """Side effects recorded so far."""
    last_seen: dict[str, object] = {}
    for record in sorted(ctx.state.side_effects, key=lambda r: r.at):
        if record.at <= ctx.at:
            last_seen[record.code] = record.at
    if last_seen:
        names = ", ".join(code.replace("-", " ") for code in last_seen)
        yield ctx.finding(
            "side-effect",
            f"Side effects recorded: {names}. Check whether they persist before each dose.",
            side_effects=sorted(last_seen),
        )


RULES = (recorded,)
