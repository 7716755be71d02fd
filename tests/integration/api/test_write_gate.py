"""The SQLite write gate: arrival order, re-entry by its holder, reads never wait."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from owm.http.write_gate import GatedUnitOfWork, WriteGate
from owm.store.engine import make_engine
from owm.store.uow import session_factory, system_clock


def test_waiting_threads_pass_in_the_order_they_arrived() -> None:
    gate = WriteGate()
    order: list[int] = []
    gate.acquire()
    threads = []
    for n in range(5):
        thread = threading.Thread(
            target=lambda n=n: (gate.acquire(), order.append(n), gate.release())
        )
        thread.start()
        threads.append(thread)
        time.sleep(0.05)  # let each thread take its ticket before the next one starts
    gate.release()
    for thread in threads:
        thread.join(timeout=10)
    assert order == [0, 1, 2, 3, 4]


def test_the_holder_can_enter_again_without_deadlock() -> None:
    gate = WriteGate()
    gate.acquire()
    gate.acquire()
    gate.release()
    gate.release()
    passed = threading.Event()
    thread = threading.Thread(target=lambda: (gate.acquire(), passed.set(), gate.release()))
    thread.start()
    thread.join(timeout=10)
    assert passed.is_set()


def test_a_read_does_not_wait_for_a_writer_and_a_write_does(tmp_path: Path) -> None:
    """On SQLite, for which create_app makes the gate (an empty database will do)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    gate = WriteGate()
    sessions = session_factory(engine)

    def uow() -> GatedUnitOfWork:
        return GatedUnitOfWork(sessions, clock=system_clock, gate=gate)

    events: list[str] = []
    with uow():
        reader = threading.Thread(target=lambda: _enter(uow().read(), events, "read"))
        writer = threading.Thread(target=lambda: _enter(uow(), events, "write"))
        reader.start()
        reader.join(timeout=10)
        writer.start()
        time.sleep(0.2)
        events.append("first writer done")
    writer.join(timeout=10)
    engine.dispose()
    assert events == ["read", "first writer done", "write"]


def _enter(unit: GatedUnitOfWork, events: list[str], name: str) -> None:
    with unit:
        events.append(name)
