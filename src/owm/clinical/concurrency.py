"""Opioid with benzodiazepine in the EHR's orders: whether CDC recommendation 11 applies.

Source: 2022 CDC Clinical Practice Guideline for Prescribing Opioids for Pain,
recommendation 11 ("use particular caution when prescribing opioid pain medication
and benzodiazepines concurrently"); FDA boxed warning (2016); FDA Drug Safety
Communication (2017): never withhold or stop methadone or buprenorphine because of
a benzodiazepine.

The CDS Hooks card only renders this decision:
- patient-view: an active opioid and an active benzodiazepine;
- order-select / order-sign: a draft benzodiazepine while another medicine (current
  or drafted with it) is an opioid, or a draft opioid while another is a
  benzodiazepine. The draft that started it names the card's lead
  (benzodiazepine first).
Only draft benzodiazepine orders that are not methadone or buprenorphine may be
suggested for cancelling; methadone and buprenorphine are named so the card says
not to withhold them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

__all__ = ["MOUD_INGREDIENTS", "Concurrency", "ConcurrentMedicine", "opioid_with_benzodiazepine"]

MOUD_INGREDIENTS: frozenset[str] = frozenset({"methadone", "buprenorphine"})
"""Medicines for opioid use disorder: never suggested for stopping (FDA 2017)."""


class ConcurrentMedicine(Protocol):
    """What the decision needs of a medicine order (the CDS adapter's `Medicine`)."""

    @property
    def key(self) -> str: ...
    @property
    def is_opioid(self) -> bool: ...
    @property
    def is_benzodiazepine(self) -> bool: ...
    @property
    def is_moud(self) -> bool: ...


M = TypeVar("M", bound=ConcurrentMedicine)


@dataclass(frozen=True)
class Concurrency(Generic[M]):
    """The decision: which medicines meet, what started it, what may be cancelled."""

    trigger: Literal["benzodiazepine", "opioid"]
    benzodiazepines: tuple[M, ...]
    opioids: tuple[M, ...]
    moud: tuple[M, ...]
    cancellable: tuple[M, ...]


def _others(medicine: M, pool: Sequence[M]) -> list[M]:
    return [m for m in pool if m.key != medicine.key]


def opioid_with_benzodiazepine(
    current: Sequence[M],
    drafts: Sequence[M],
    triggers: Sequence[M],
    *,
    patient_view: bool,
    covered: frozenset[str] = frozenset(),
) -> Concurrency[M] | None:
    """The rec. 11 decision, or None when no opioid and benzodiazepine meet.

    `triggers`: the draft orders of the hook (order-select, order-sign); `covered`:
    keys of orders whose own card already carries this finding.
    """
    pool = [m for m in (*current, *drafts) if m.key not in covered]
    trigger: Literal["benzodiazepine", "opioid"]
    if patient_view:
        benzodiazepines = [m for m in current if m.is_benzodiazepine and m.key not in covered]
        opioids = [m for m in current if m.is_opioid]
        if not (benzodiazepines and opioids):
            return None
        trigger = "benzodiazepine"
        cancellable: list[M] = []
    else:
        started = [m for m in triggers if m.key not in covered]
        benzo_started = [
            m for m in started if m.is_benzodiazepine and any(o.is_opioid for o in _others(m, pool))
        ]
        opioid_started = [
            m for m in started if m.is_opioid and any(b.is_benzodiazepine for b in _others(m, pool))
        ]
        if not (benzo_started or opioid_started):
            return None
        benzodiazepines = [m for m in pool if m.is_benzodiazepine]
        opioids = [m for m in pool if m.is_opioid]
        trigger = "benzodiazepine" if benzo_started else "opioid"
        cancellable = [
            m for m in triggers if m.is_benzodiazepine and not m.is_moud and m.key not in covered
        ]
    return Concurrency(
        trigger=trigger,
        benzodiazepines=tuple(benzodiazepines),
        opioids=tuple(opioids),
        moud=tuple(m for m in opioids if m.is_moud),
        cancellable=tuple(cancellable),
    )
