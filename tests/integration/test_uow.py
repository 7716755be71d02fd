"""The unit of work and the column types: rollback by default, serialised writers,
UTC times and exact doses on both databases."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from owm.store.models import Ward
from owm.store.types import mg_to_ug, ug_to_mg
from owm.store.uow import FixedClock

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def ward(name: str, zone: str = "Europe/London") -> Ward:
    return Ward(name=name, timezone=zone, protocol_id="clonazepam-adjunct", created_at=NOW)


def names(database) -> list[str]:
    with database.engine.connect() as c:
        return list(c.execute(text("SELECT name FROM ward ORDER BY name")).scalars())


def test_uncommitted_work_is_rolled_back(database):
    with database.uow() as uow:
        uow.session.add(ward("W1"))
        uow.session.flush()
    assert names(database) == []


def test_work_is_rolled_back_on_error(database):
    with pytest.raises(ValueError), database.uow() as uow:
        uow.session.add(ward("W2"))
        uow.session.flush()
        raise ValueError("boom")
    assert names(database) == []


def test_committed_work_stays(database):
    with database.uow() as uow:
        uow.session.add(ward("W3"))
        uow.commit()
    assert names(database) == ["W3"]


def test_a_read_only_unit_of_work_cannot_commit(database):
    with pytest.raises(RuntimeError), database.uow().read() as uow:
        uow.commit()


def test_times_come_back_timezone_aware_in_utc_and_naive_times_are_refused(database):
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    with database.uow() as uow:
        row = ward("W4")
        row.created_at = moment
        uow.session.add(row)
        uow.commit()
    with database.uow().read() as uow:
        stored = uow.session.execute(select(Ward.created_at)).scalar_one()
    assert stored == moment and stored.tzinfo == UTC
    assert stored.hour == 23
    with pytest.raises(Exception, match="no time zone"), database.uow() as uow:
        row = ward("W5")
        row.created_at = datetime(2026, 1, 1, 12, 0)  # noqa: DTZ001 (naive on purpose)
        uow.session.add(row)
        uow.session.flush()


def test_doses_are_whole_micrograms_and_exact():
    assert mg_to_ug(Decimal("0.125")) == 125
    assert ug_to_mg(125) == Decimal("0.125")
    assert ug_to_mg(2000) == Decimal("2")
    assert sum((ug_to_mg(100) for _ in range(10)), Decimal(0)) == Decimal("1")
    with pytest.raises(ValueError):
        mg_to_ug(Decimal("0.0001"))


def test_a_second_writer_waits_for_the_first(database):
    """Two write units of work for the same rows never interleave: the second one starts
    only after the first commits (SQLite: BEGIN IMMEDIATE; PostgreSQL: the row lock)."""
    with database.uow() as uow:
        uow.session.add(ward("counter"))
        uow.commit()
    order: list[str] = []
    first_holding = threading.Event()

    def writer(label: str, hold: float) -> None:
        with database.uow() as uow:
            row = uow.session.execute(
                select(Ward).where(Ward.name == "counter").with_for_update()
            ).scalar_one()
            order.append(f"{label} start")
            first_holding.set()
            time.sleep(hold)
            row.timezone = label
            order.append(f"{label} end")
            uow.commit()

    one = threading.Thread(target=writer, args=("A", 0.3))
    one.start()
    first_holding.wait()
    two = threading.Thread(target=writer, args=("B", 0))
    two.start()
    one.join()
    two.join()
    assert order == ["A start", "A end", "B start", "B end"]


def test_the_fixed_clock_moves_only_when_told():
    clock = FixedClock(NOW)
    assert clock() == NOW
    clock.advance(minutes=5)
    assert clock() == NOW + timedelta(minutes=5)
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 1, 1))  # noqa: DTZ001 (naive on purpose)
