"""Night on the ward (clinical spec section 7): 22:00 to 06:00 in the ward's own time zone.

The decision time is UTC; night is judged on the ward's clock, with daylight
saving as the IANA zone has it. Each row is the base patient moved to that
decision time (every record keeps its distance from it), so only the clock
changes: at night the dose is 1 mg (night-dose), by day 0.5 mg.

Europe/London: BST from 01:00 UTC on 29 March 2026 to 01:00 UTC on 25 October 2026.
America/New_York: EDT from 07:00 UTC on 8 March 2026 to 06:00 UTC on 1 November 2026.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from owm.clinical import default_protocol, evaluate, parse_state

from .support import context, decide, document

LONDON = {"timezone": "Europe/London"}
NEW_YORK = {"timezone": "America/New_York"}


@pytest.mark.parametrize(
    ("at", "ward", "night"),
    [
        # London in winter: the ward's clock is UTC
        pytest.param("2026-11-25T21:59:00Z", LONDON, False, id="London winter 21:59"),
        pytest.param("2026-11-25T22:00:00Z", LONDON, True, id="London winter 22:00"),
        pytest.param("2026-11-26T05:59:00Z", LONDON, True, id="London winter 05:59"),
        pytest.param("2026-11-26T06:00:00Z", LONDON, False, id="London winter 06:00"),
        pytest.param("2026-11-26T00:00:00Z", LONDON, True, id="London winter midnight"),
        pytest.param("2026-11-25T12:00:00Z", LONDON, False, id="London winter noon"),
        # London in summer: BST, one hour ahead of UTC
        pytest.param("2026-07-01T20:59:00Z", LONDON, False, id="London summer 21:59 BST"),
        pytest.param("2026-07-01T21:00:00Z", LONDON, True, id="London summer 22:00 BST"),
        pytest.param("2026-07-02T04:59:00Z", LONDON, True, id="London summer 05:59 BST"),
        pytest.param("2026-07-02T05:00:00Z", LONDON, False, id="London summer 06:00 BST"),
        # the spring change, last Sunday of March: the night is an hour shorter
        pytest.param("2026-03-28T21:59:00Z", LONDON, False, id="London 28 Mar 21:59 GMT"),
        pytest.param("2026-03-28T22:00:00Z", LONDON, True, id="London 28 Mar 22:00 GMT"),
        pytest.param("2026-03-29T00:59:00Z", LONDON, True, id="London 29 Mar 00:59 GMT"),
        pytest.param("2026-03-29T01:00:00Z", LONDON, True, id="London 29 Mar 02:00 BST"),
        pytest.param("2026-03-29T04:59:00Z", LONDON, True, id="London 29 Mar 05:59 BST"),
        pytest.param("2026-03-29T05:00:00Z", LONDON, False, id="London 29 Mar 06:00 BST"),
        pytest.param("2026-03-29T20:59:00Z", LONDON, False, id="London 29 Mar 21:59 BST"),
        pytest.param("2026-03-29T21:00:00Z", LONDON, True, id="London 29 Mar 22:00 BST"),
        # the autumn change, last Sunday of October: the night is an hour longer
        pytest.param("2026-10-24T20:59:00Z", LONDON, False, id="London 24 Oct 21:59 BST"),
        pytest.param("2026-10-24T21:00:00Z", LONDON, True, id="London 24 Oct 22:00 BST"),
        pytest.param("2026-10-25T00:30:00Z", LONDON, True, id="London 25 Oct 01:30 BST"),
        pytest.param("2026-10-25T01:30:00Z", LONDON, True, id="London 25 Oct 01:30 GMT"),
        pytest.param("2026-10-25T05:00:00Z", LONDON, True, id="London 25 Oct 05:00 GMT"),
        pytest.param("2026-10-25T05:59:00Z", LONDON, True, id="London 25 Oct 05:59 GMT"),
        pytest.param("2026-10-25T06:00:00Z", LONDON, False, id="London 25 Oct 06:00 GMT"),
        pytest.param("2026-10-25T21:59:00Z", LONDON, False, id="London 25 Oct 21:59 GMT"),
        pytest.param("2026-10-25T22:00:00Z", LONDON, True, id="London 25 Oct 22:00 GMT"),
        # New York in winter (EST, UTC-5)
        pytest.param("2026-11-26T02:59:00Z", NEW_YORK, False, id="New York 21:59 EST"),
        pytest.param("2026-11-26T03:00:00Z", NEW_YORK, True, id="New York 22:00 EST"),
        pytest.param("2026-11-26T10:59:00Z", NEW_YORK, True, id="New York 05:59 EST"),
        pytest.param("2026-11-26T11:00:00Z", NEW_YORK, False, id="New York 06:00 EST"),
        pytest.param("2026-11-25T22:00:00Z", NEW_YORK, False, id="22:00 UTC is 17:00 in New York"),
        # New York spring change, second Sunday of March
        pytest.param("2026-03-08T02:59:00Z", NEW_YORK, False, id="New York 7 Mar 21:59 EST"),
        pytest.param("2026-03-08T03:00:00Z", NEW_YORK, True, id="New York 7 Mar 22:00 EST"),
        pytest.param("2026-03-08T09:59:00Z", NEW_YORK, True, id="New York 8 Mar 05:59 EDT"),
        pytest.param("2026-03-08T10:00:00Z", NEW_YORK, False, id="New York 8 Mar 06:00 EDT"),
        # New York autumn change, first Sunday of November
        pytest.param("2026-11-01T01:59:00Z", NEW_YORK, False, id="New York 31 Oct 21:59 EDT"),
        pytest.param("2026-11-01T02:00:00Z", NEW_YORK, True, id="New York 31 Oct 22:00 EDT"),
        pytest.param("2026-11-01T10:59:00Z", NEW_YORK, True, id="New York 1 Nov 05:59 EST"),
        pytest.param("2026-11-01T11:00:00Z", NEW_YORK, False, id="New York 1 Nov 06:00 EST"),
    ],
)
def test_night_on_the_ward_clock(at: str, ward: dict[str, str], night: bool) -> None:
    assert context(at=at, ward=ward).is_night is night
    answer = decide(at=at, ward=ward)
    assert answer.action == "give"
    assert answer.dose_mg == (Decimal("1") if night else Decimal("0.5"))
    assert ("night-dose" in answer.codes) is night


def test_the_night_dose_finding_shows_the_ward_time() -> None:
    answer = decide(at="2026-03-29T04:59:00Z", ward=LONDON)
    finding = answer.finding("night-dose")
    assert finding is not None
    assert finding.values["ward_time"] == "05:59"


def test_decision_times_in_another_offset_mean_the_same_instant() -> None:
    """The decision time may be written with any offset; the instant decides, not the text."""
    protocol = default_protocol()
    in_utc = document(at="2026-11-25T22:00:00Z", ward=NEW_YORK)
    in_new_york = {**in_utc, "at": "2026-11-25T17:00:00-05:00"}
    answers = [evaluate(parse_state(doc, protocol), protocol) for doc in (in_utc, in_new_york)]
    assert answers[0].to_json() == answers[1].to_json()
    assert answers[0].dose_mg == Decimal("0.5")  # 17:00 in New York is day
