"""The ward board with 200 patients, rendered on the server: print figures, never assert.

    .venv/bin/python bench/web_board.py [PATIENTS]

Builds a fresh SQLite ward (in a temporary folder) of PATIENTS patients (default
200) through the service functions, each with two COWS (a trend), vital signs, a
POSS and a dose, then times:

- baseline: a trivial template (`<p>{{ x }}</p>`) rendered by the same Jinja2
  environment, per render;
- board render: the board fragment (`_board.html`, what the page embeds and htmx
  polls) from the ward's handoff report already read (target <= 100 ms);
- board build + render: the handoff use case (every patient's decision from the
  stored record, nothing logged) and the render, as `GET /board/fragment` does
  after authentication (target well under 1 s), and two of its parts: reading
  the ward's records (one query per kind of record) and deciding on them;
- for comparison, the same decisions made one patient at a time (`decide`, the
  single-patient path the dosing guard uses: about ten queries per patient).

Each figure is the median of several runs, with its ratio to the baseline.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from owm.service.actor import Actor
from owm.service.admission import admit
from owm.service.assessments import record_assessment
from owm.service.dosing import give_dose
from owm.service.handoff import HandoffReport, handoff_report
from owm.service.observations import record_sedation, record_vitals
from owm.service.recommendation import decide, decide_many
from owm.service.state_builder import load_records
from owm.service.users import create_user
from owm.service.wards import create_ward
from owm.store.engine import make_engine
from owm.store.migrate import migrate
from owm.store.models import Episode, Patient
from owm.store.uow import FixedClock, UnitOfWork, session_factory
from owm.web.board import render_board
from owm.web.templating import environment

COWS_MILD = {
    "resting_pulse": 1,
    "sweating": 1,
    "restlessness": 1,
    "pupil_size": 1,
    "bone_joint_aches": 1,
    "runny_nose_tearing": 1,
    "gi_upset": 1,
    "tremor": 1,
    "yawning": 1,
    "anxiety_irritability": 1,
    "gooseflesh": 0,
}
COWS_MODERATE = {**COWS_MILD, "restlessness": 3, "bone_joint_aches": 2, "anxiety_irritability": 2}
TZ = "Europe/London"
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _median_seconds(call: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        begin = time.perf_counter()
        call()
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples)


def build_ward(url: str, patients: int) -> tuple[Callable[[], UnitOfWork], Actor, int]:
    """A migrated database with one ward, one nurse and `patients` patients mid-course."""
    migrate(url)
    sessions = session_factory(make_engine(url))
    clock = FixedClock(START)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions, clock=clock)

    system = Actor.system("bench")
    ward = create_ward(
        uow(), system, name="Bench ward", timezone=TZ, protocol_id="clonazepam-adjunct"
    )
    user = create_user(
        uow(), system, username="nurse", full_name="Bench Nurse", role="nurse", password=None
    )
    nurse = Actor(user.id, "nurse")
    episodes = []
    for n in range(patients):
        result = admit(
            uow(),
            nurse,
            ward_id=ward.id,
            name=f"Patient {n:03d}",
            mrn=f"B{n:05d}",
            bed=str(n + 1),
            age_years=30 + n % 30,
            first_line_offered=True,
            first_line_choice="declined",
        )
        episodes.append(result.episode.id)
    clock.advance(minutes=30)
    for episode in episodes:
        record_assessment(uow(), nurse, episode_id=episode, instrument="COWS", items=COWS_MILD)
    clock.advance(minutes=30)
    for n, episode in enumerate(episodes):
        record_assessment(uow(), nurse, episode_id=episode, instrument="COWS", items=COWS_MODERATE)
        record_vitals(
            uow(),
            nurse,
            episode_id=episode,
            respiratory_rate=16,
            spo2=97,
            oxygen=False,
            systolic_bp=120,
            pulse=80,
            consciousness="alert",
            temperature_c="37.0",
        )
        record_sedation(uow(), nurse, episode_id=episode, scale="POSS", level="1")
        if n % 2 == 0:
            give_dose(uow(), nurse, episode_id=episode, dose_mg="0.5", idempotency_key=f"bench-{n}")
    clock.advance(minutes=45)
    return uow, nurse, ward.id


def main(argv: list[str]) -> None:
    patients = int(argv[1]) if len(argv) > 1 else 200
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        print(f"web board: building a ward of {patients} patients in {url} ...")
        begin = time.perf_counter()
        uow, nurse, ward_id = build_ward(url, patients)
        print(f"  built in {time.perf_counter() - begin:.1f} s")

        trivial = environment().from_string("<p>{{ x }}</p>")
        baseline = _median_seconds(lambda: trivial.render(x=1), 2000)

        report: HandoffReport = handoff_report(uow(), nurse, ward_id=ward_id, record_shown=False)
        html = render_board(report, ward_tz=TZ)
        rows = html.count("<tr id=")
        render = _median_seconds(lambda: render_board(report, ward_tz=TZ), 20)

        def build_and_render() -> Any:
            fresh = handoff_report(uow(), nurse, ward_id=ward_id, record_shown=False)
            return render_board(fresh, ward_tz=TZ)

        full = _median_seconds(build_and_render, 5)

        def open_episodes(reading: UnitOfWork) -> list[tuple[Patient, Episode]]:
            found = reading.session.execute(
                select(Patient, Episode)
                .join(Episode, Episode.patient_id == Patient.id)
                .where(Patient.ward_id == ward_id, Episode.discharged_at.is_(None))
            ).all()
            return [(patient, episode) for patient, episode in found]

        def timed_part(part: Callable[[UnitOfWork, list[tuple[Patient, Episode]]], object]) -> Any:
            def run() -> None:
                with uow().read() as reading:
                    pairs = open_episodes(reading)
                    part(reading, pairs)

            return _median_seconds(run, 5)

        now = uow().now()
        loading = timed_part(lambda r, pairs: load_records(r.session, pairs, now))
        deciding = timed_part(lambda r, pairs: decide_many(r.session, pairs, now))
        single = timed_part(lambda r, pairs: [decide(r.session, e, now) for _, e in pairs])

    def line(name: str, seconds: float, target: str = "") -> None:
        print(
            f"  {name:<46} {seconds * 1000:>10.3f} ms  {target:<18} "
            f"x{seconds / baseline:,.0f} baseline"
        )

    print(f"  rows rendered: {rows}; fragment size {len(html) / 1024:.0f} KiB")
    print(f"  {'baseline: trivial template render':<46} {baseline * 1e6:>10.2f} us")
    line(f"board render, {patients} patients", render, "(target <= 100 ms)")
    line("board build (handoff use case) + render", full, "(target < 1 s)")
    line("  per patient (build + render)", full / max(patients, 1))
    line("  of which: read the ward's records", loading)
    line("  of which: read the records and decide", deciding)
    line("decide one patient at a time (single path)", single)
    print(f"  batch decisions vs one at a time: x{single / deciding:.1f} faster")


if __name__ == "__main__":
    main(sys.argv)
