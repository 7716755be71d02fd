"""owm's core benchmarks: print figures, each beside a baseline measured in the same run.

    .venv/bin/python bench/run.py            # all three
    .venv/bin/python bench/run.py decide     # or one of: decide, pk, cli

- decide: `parse_state` and `evaluate` in-process over the clinical vignettes
  (tests/data/vignettes, or the shipped example when that folder is absent):
  decisions per second, p50 and p99 latency (target: evaluate p50 <= 100 us).
  Baseline: an empty Python function call timed the same way.
- pk: `pk.ward_curves` for 10,000 patients x 96 h at 5-minute steps, each patient
  on 0.5 mg three times a day since 4 days before the grid (target <= 0.3 s).
  Baseline: numpy writing one exp() into an array of the same size.
- cli: `owm evaluate` on the example as a fresh process, median of several runs
  (target <= 0.3 s). Baseline: `python -c pass` with the same interpreter.

Figures are printed, never asserted: machines differ, and the ratios to the
baselines are what compares between runs. Nothing here is part of the test run.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VIGNETTES = ROOT / "tests" / "data" / "vignettes"
EXAMPLE = ROOT / "examples" / "state-moderate-withdrawal.json"


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _latencies(call: Callable[[], object], rounds: int) -> list[float]:
    """Seconds per call, one sample per call."""
    clock = time.perf_counter_ns
    samples = []
    for _ in range(rounds):
        start = clock()
        call()
        samples.append((clock() - start) / 1e9)
    return samples


def _line(name: str, value: str, target: str = "", ratio: str = "") -> None:
    print(f"  {name:<44} {value:>14}  {target:<14} {ratio}")


def _states() -> list[dict[str, Any]]:
    """The vignettes' valid states (the bad-input one is left out), or the example."""
    states = []
    if VIGNETTES.is_dir():
        for path in sorted(VIGNETTES.glob("*.json")):
            vignette = json.loads(path.read_text(encoding="utf-8"))
            if "exit_status" not in vignette.get("expect", {}):
                states.append(vignette["state"])
    if not states:
        states.append(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    return states


def bench_decide(rounds: int = 2000) -> None:
    from owm.clinical import default_protocol, evaluate, parse_state

    protocol = default_protocol()
    documents = _states()
    parsed = [parse_state(d, protocol) for d in documents]
    for state in parsed:  # warm up: caches, first-call costs
        evaluate(state, protocol)

    def nothing() -> None:
        return None

    baseline = _latencies(nothing, rounds * len(parsed))
    base50 = _percentile(baseline, 0.5)

    decide: list[float] = []
    parse: list[float] = []
    for _ in range(rounds):
        for document, state in zip(documents, parsed, strict=True):
            decide += _latencies(lambda s=state: evaluate(s, protocol), 1)  # type: ignore[misc]
            parse += _latencies(lambda d=document: parse_state(d, protocol), 1)  # type: ignore[misc]

    start = time.perf_counter()
    count = 0
    for _ in range(max(1, rounds // 4)):
        for state in parsed:
            evaluate(state, protocol)
            count += 1
    throughput = count / (time.perf_counter() - start)

    print(f"decide: {len(parsed)} vignette states x {rounds} rounds")
    _line("empty function call p50 (baseline)", f"{base50 * 1e6:.2f} us")
    for name, samples, target in (
        ("evaluate", decide, "<= 100 us"),
        ("parse_state", parse, ""),
    ):
        p50, p99 = _percentile(samples, 0.5), _percentile(samples, 0.99)
        _line(f"{name} p50", f"{p50 * 1e6:.1f} us", target, f"x{p50 / base50:,.0f} baseline")
        _line(f"{name} p99", f"{p99 * 1e6:.1f} us")
    _line("evaluate decisions per second", f"{throughput:,.0f}")


def bench_pk(patients: int = 10_000, hours: int = 96, step_minutes: int = 5) -> None:
    import numpy as np

    from owm.clinical import default_protocol
    from owm.clinical.pk import Model, ward_curves

    model = Model.from_protocol(default_protocol().pharmacokinetics)
    step = step_minutes / 60
    steps = hours * 60 // step_minutes
    rng = np.random.default_rng(2026)
    # 0.5 mg at 8-hourly times from 4 days before the grid to its end, with jitter
    per_patient = (hours + 96) // 8
    nominal = np.arange(per_patient) * 8.0 - 96.0
    when = (nominal[None, :] + rng.uniform(-1, 1, (patients, per_patient))).ravel()
    index = np.repeat(np.arange(patients, dtype=np.int64), per_patient)
    mg = np.full(when.shape, 0.5)

    def baseline() -> object:
        grid = np.arange(steps + 1) * step
        return np.exp(-model.k * np.broadcast_to(grid, (patients, steps + 1)))

    def curves() -> object:
        return ward_curves(model, index, when, mg, patients, step, steps)

    curves()
    base = min(_timed(baseline) for _ in range(3))
    best = min(_timed(curves) for _ in range(3))
    print(
        f"pk: {patients:,} patients x {hours} h at {step_minutes}-minute steps, {len(when):,} doses"
    )
    _line("numpy exp() over the same grid (baseline)", f"{base:.3f} s")
    _line("pk.ward_curves", f"{best:.3f} s", "<= 0.3 s", f"x{best / base:.1f} baseline")


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def bench_cli(runs: int = 9) -> None:
    from owm.clinical.instruments import OOWS

    python = sys.executable
    owm = Path(python).parent / "owm"
    command = [str(owm)] if owm.exists() else [python, "-m", "owm"]

    def run(args: list[str]) -> tuple[float, float]:
        """Wall time and CPU time (user + system) of one fresh process."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime

    def median_of(args: list[str]) -> tuple[float, float]:
        samples = [run(args) for _ in range(runs)]
        return statistics.median(w for w, _ in samples), statistics.median(c for _, c in samples)

    oows = [f"{key}=0" for key in OOWS.item_keys]
    run([python, "-c", "pass"])
    run([*command, "evaluate", str(EXAMPLE)])
    base, base_cpu = median_of([python, "-c", "pass"])
    print(f"cli: median of {runs} fresh processes (wall time; CPU time in brackets)")
    _line("python -c pass (baseline)", f"{base * 1e3:.0f} ms ({base_cpu * 1e3:.0f})")
    for name, args, target in (
        ("owm evaluate EXAMPLE", [*command, "evaluate", str(EXAMPLE)], "<= 300 ms"),
        ("owm score oows ...", [*command, "score", "oows", *oows], ""),
    ):
        wall, cpu = median_of(args)
        _line(
            name, f"{wall * 1e3:.0f} ms ({cpu * 1e3:.0f})", target, f"x{wall / base:.1f} baseline"
        )


BENCHES: dict[str, Callable[[], None]] = {"decide": bench_decide, "pk": bench_pk, "cli": bench_cli}


def main(argv: list[str]) -> None:
    chosen = argv or list(BENCHES)
    unknown = [name for name in chosen if name not in BENCHES]
    if unknown:
        sys.exit(f"unknown benchmark {unknown[0]!r}; allowed: {', '.join(BENCHES)}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs, load {load}")
    print("(other work on the machine inflates every figure; the ratios hold up better)")
    for name in chosen:
        BENCHES[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
