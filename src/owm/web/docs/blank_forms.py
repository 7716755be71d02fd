"""Blank paper forms for downtime, made from the instruments themselves.

Why from `owm.clinical.instruments`: the paper form must allow exactly the values
the system accepts, with the same anchor texts the nurse sees on screen, so that
scores charted on paper can be entered later without translation. Nothing is
typed twice: a change to an instrument changes its printed form.

Each form has rows to write the patient's details, one row per item (or level)
with every allowed value and its anchor, and columns to score several times on
one sheet. The POSS form also prints what the unit's protocol does at each
unacceptable level (from the protocol's thresholds: hold, emergency).
"""

from __future__ import annotations

from dataclasses import dataclass

from owm.clinical import Protocol
from owm.clinical.explain import sedation_form_notes
from owm.clinical.instruments import COWS, INSTRUMENTS, POSS, RASS, Instrument, SedationScale

__all__ = ["COLUMNS", "FORM_CODES", "BlankForm", "BlankRow", "blank_form"]

COLUMNS = 4
"""How many assessments one printed sheet has room for."""

FORM_CODES: tuple[str, ...] = ("COWS", "SOWS", "POSS", "OOWS", "RASS")
"""The forms that can be printed; the first three are the downtime pack."""


@dataclass(frozen=True, slots=True)
class BlankRow:
    """One item (or the level of a sedation scale): label and every allowed value's anchor."""

    key: str
    label: str
    anchors: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class BlankForm:
    code: str
    title: str
    source: str
    rows: tuple[BlankRow, ...]
    bands: tuple[tuple[str, str], ...]
    max_total: int | None
    notes: tuple[str, ...]
    checklist: tuple[str, ...] = ()
    columns: int = COLUMNS

    @property
    def scored(self) -> bool:
        """Whether item values add up to a total (withdrawal scales) or one level is chosen."""
        return self.max_total is not None


def _band_text(low: int, high: int, top: int) -> str:
    if low == high:
        return str(low)
    if high >= top:
        return f"{low} or more"
    return f"{low}-{high}"


def _withdrawal_form(instrument: Instrument) -> BlankForm:
    rows = tuple(
        BlankRow(item.key, item.label, tuple((str(v), text) for v, text in item.anchors))
        for item in instrument.items
    )
    top = instrument.max_total
    bands = tuple(
        (band.name.replace("-", " "), _band_text(band.low, band.high, top))
        for band in instrument.bands
    )
    notes: tuple[str, ...] = ()
    if instrument is COWS:
        notes = (
            "Score every item; write the total. Item 1 can be taken from a measured pulse.",
            "A form that cannot be completed is written as 'unable to assess' with the reason, "
            "never as 0.",
        )
    elif instrument.code == "SOWS":
        notes = ("The patient rates each item: 0 not at all to 4 extremely.",)
    else:
        notes = ("Observe for about 5 minutes; 1 for each sign present.",)
    return BlankForm(
        code=instrument.code,
        title=instrument.title,
        source=instrument.source,
        rows=rows,
        bands=bands,
        max_total=top,
        notes=notes,
    )


def _sedation_form(scale: SedationScale, protocol: Protocol) -> BlankForm:
    notes = sedation_form_notes(protocol, scale.code)
    notes.append(f"Protocol {protocol.id} version {protocol.version}.")
    return BlankForm(
        code=scale.code,
        title=scale.title,
        source=scale.source,
        rows=(BlankRow("level", "Level", tuple(scale.levels)),),
        bands=(),
        max_total=None,
        notes=tuple(notes),
        checklist=protocol.emergency_checklist,
    )


def blank_form(code: str, protocol: Protocol) -> BlankForm:
    """The blank form of `code` (one of FORM_CODES, any case); KeyError when unknown."""
    wanted = code.upper()
    if wanted not in FORM_CODES:
        raise KeyError(code)
    if wanted in INSTRUMENTS:
        return _withdrawal_form(INSTRUMENTS[wanted])
    return _sedation_form(POSS if wanted == "POSS" else RASS, protocol)
