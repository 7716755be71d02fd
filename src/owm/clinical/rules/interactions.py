"""Interactions: other medicines that change what clonazepam does.

Source: FDA boxed warning (2016): "Concomitant use of benzodiazepines and opioids
may result in profound sedation, respiratory depression, coma, and death";
FDA Drug Safety Communication (2017): do not withhold methadone or buprenorphine
from patients taking benzodiazepines; MHRA (2020): close monitoring after any
change of methadone; FDA (2019): gabapentinoids with CNS depressants and
respiratory depression; FDA label: CYP3A inhibitors raise and inducers lower
clonazepam levels; alpha-2 agonists (clonidine, lofexidine) add hypotension and
sedation.

Every class is the checked one (declared class, name and RxNorm code united,
clinical spec section 8): methadone declared "other" is still an opioid.

When: an active opioid, methadone and buprenorphine included.
Then: opioid-benzodiazepine, escalate to a physician (never stop the opioid).
When: an active CNS depressant (gabapentinoid, z-drug, muscle relaxant, sedating
antihistamine, antipsychotic, barbiturate, benzodiazepine), or another
benzodiazepine given within `windows.other_benzodiazepine_hours`.
Then: cns-depressant, escalate.
When: an active CYP3A inhibitor. Then: cyp3a-inhibitor, escalate.
When: an active alpha-2 agonist. Then: alpha2-agonist, a warning to check BP.
When: an active CYP3A inducer. Then: cyp3a-inducer, information (lower levels).
"""

from __future__ import annotations

from collections.abc import Iterator

from owm.clinical.context import CNS_DEPRESSANT_CLASSES, Context
from owm.clinical.findings import Finding
from owm.clinical.state import Medication

__all__ = [
    "RULES",
    "alpha2_agonist",
    "cns_depressant",
    "cyp3a_inducer",
    "cyp3a_inhibitor",
    "opioid",
]


def opioid(ctx: Context) -> Iterator[Finding]:
    """An active opioid, methadone and buprenorphine included."""
    opioids = ctx.active("opioid")
    if opioids:
        names = ", ".join(m.name for m in opioids)
        yield ctx.finding(
            "opioid-benzodiazepine",
            f"Active opioid ({names}) with a benzodiazepine: risk of profound sedation and "
            "stopped breathing. A physician decides; do not stop methadone or buprenorphine.",
            medicines=[m.name for m in opioids],
        )


def cns_depressant(ctx: Context) -> Iterator[Finding]:
    """Another active CNS depressant, or another benzodiazepine given recently."""
    active = ctx.active(*CNS_DEPRESSANT_CLASSES)

    def is_protocol_drug(medicine: Medication) -> bool:
        reading = ctx.reading(medicine)
        return reading.ingredient == ctx.protocol.drug or (
            medicine.name.strip().lower() == ctx.protocol.drug
        )

    duplicate = [m.name for m in active if is_protocol_drug(m)]
    medicines = [m.name for m in active if not is_protocol_drug(m)]
    given = [f"{a.drug} (given)" for a in ctx.other_benzodiazepines_given]
    names = medicines + given
    if duplicate and not names:
        message = (
            f"{ctx.protocol.drug.capitalize()} is already listed as a current medicine: a second "
            "prescription would double the dose. A physician decides."
        )
    elif names:
        message = (
            f"Another sedating medicine ({', '.join(names)}) adds to clonazepam's sedation: "
            "a physician decides."
            + (
                f" {ctx.protocol.drug.capitalize()} is also listed as a current medicine."
                if duplicate
                else ""
            )
        )
    else:
        return
    yield ctx.finding("cns-depressant", message, medicines=duplicate + names)


def cyp3a_inhibitor(ctx: Context) -> Iterator[Finding]:
    """An active CYP3A inhibitor raises clonazepam levels."""
    found = ctx.active("cyp3a-inhibitor")
    if found:
        yield ctx.finding(
            "cyp3a-inhibitor",
            f"{', '.join(m.name for m in found)} (CYP3A inhibitor) can raise clonazepam levels: "
            "a physician decides.",
            medicines=[m.name for m in found],
        )


def alpha2_agonist(ctx: Context) -> Iterator[Finding]:
    """An alpha-2 agonist adds hypotension and sedation."""
    found = [m.name for m in ctx.active("alpha2-agonist")]
    if found:
        yield ctx.finding(
            "alpha2-agonist",
            f"{', '.join(found)} with clonazepam: added low blood pressure and drowsiness; "
            "check blood pressure before each dose.",
            medicines=found,
        )


def cyp3a_inducer(ctx: Context) -> Iterator[Finding]:
    """An active CYP3A inducer lowers clonazepam levels."""
    found = [m.name for m in ctx.active("cyp3a-inducer")]
    if found:
        yield ctx.finding(
            "cyp3a-inducer",
            f"{', '.join(found)} (CYP3A inducer) can lower clonazepam levels and its effect.",
            medicines=found,
        )


RULES = (opioid, cns_depressant, cyp3a_inhibitor, alpha2_agonist, cyp3a_inducer)
