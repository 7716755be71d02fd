"""Classification: medicines whose class is checked, and records owm could not map.

Source: clinical spec section 8, "Medicines: the class is checked, not trusted"
and "A condition, allergy or medicine that an import or a FHIR Bundle holds but
owm cannot map"; FDA boxed warning (2016): an opioid declared as something else
still causes profound sedation with a benzodiazepine.

When: a medicine's declared class disagrees with what owm's terminology says of
its name or its RxNorm code. Then: medicine-class-mismatch, a warning naming both
(the rules use the union of the classes, so nothing is lost).
When: a medicine neither its name nor its code is known to the terminology,
declared "other", and not classified by a physician or pharmacist. Then:
unknown-medicine, escalate.
When: the state lists records an import could not map. Then: unmapped-record,
escalate, naming each.
"""

from __future__ import annotations

from collections.abc import Iterator

from owm.clinical.context import Context
from owm.clinical.findings import Finding

__all__ = ["RULES", "class_mismatch", "unknown_medicine", "unmapped_record"]


def _said(classes: frozenset[str]) -> str:
    return ", ".join(sorted(classes)) or "no class of owm's"


def class_mismatch(ctx: Context) -> Iterator[Finding]:
    """The declared class disagrees with the terminology."""
    found = []
    for medication in ctx.state.medications:
        reading = ctx.reading(medication)
        if reading.mismatch:
            found.append(
                {
                    "medicine": medication.name,
                    "declared": reading.declared,
                    "by_name": sorted(reading.by_name) if reading.by_name is not None else None,
                    "by_rxnorm": sorted(reading.by_code) if reading.by_code is not None else None,
                    "used": sorted(reading.classes),
                }
            )
    if found:
        parts = [
            f"{f['medicine']} is declared {f['declared']} but owm's terminology says "
            f"{_said(frozenset(f['by_rxnorm'] or f['by_name'] or ()))}"
            for f in found
        ]
        yield ctx.finding(
            "medicine-class-mismatch",
            "; ".join(parts) + ". owm uses both classes; correct the record.",
            medicines=found,
        )


def unknown_medicine(ctx: Context) -> Iterator[Finding]:
    """A medicine owm cannot classify, declared "other" and not yet classified by anyone."""
    unknown = [
        m.name
        for m in ctx.state.medications
        if m.active and m.class_ == "other" and m.classified_by is None and not ctx.reading(m).known
    ]
    if unknown:
        yield ctx.finding(
            "unknown-medicine",
            f"owm does not know {', '.join(unknown)}: a physician or pharmacist classifies "
            "it before clonazepam (it may be a sedative or an opioid).",
            medicines=unknown,
        )


def unmapped_record(ctx: Context) -> Iterator[Finding]:
    """Records an import held that owm could not read as its own codes."""
    if ctx.state.unmapped:
        labels = [u.label for u in ctx.state.unmapped]
        yield ctx.finding(
            "unmapped-record",
            "owm could not read these records: " + "; ".join(labels) + ". A physician "
            "reviews them before clonazepam (one may be a contraindication).",
            records=[u.model_dump(exclude_none=True) for u in ctx.state.unmapped],
        )


RULES = (class_mismatch, unknown_medicine, unmapped_record)
