"""What the FHIR mapping asks of a terminology, declared here and supplied by the caller.

Why a protocol: `owm.fhir` maps resources and imports nothing of owm but the
clinical core (the import contract, docs/architecture.md). Turning an RxNorm code
or a medicine's name into owm's medication classes, or a SNOMED CT / ICD-10
condition into what it means in owm-state/1, is the terminology's work
(`owm.terminology`). Whoever reads or writes a Bundle (the service layer, the
command line) passes one in: `owm.terminology.TERMINOLOGY` has this shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

__all__ = ["Terminology"]


class Terminology(Protocol):
    """Medicine classes and ingredients, condition meanings and code system names."""

    @property
    def classes(self) -> tuple[str, ...]:
        """The medication classes of owm-state/1 a medicine can be found in, in order."""
        ...

    def classify(self, *, rxnorm: str | None = None, name: str | None = None) -> frozenset[str]:
        """Every medication class the medicine belongs to; empty when none or unknown."""
        ...

    def ingredient_name(self, *, rxnorm: str | None = None, name: str | None = None) -> str | None:
        """The lower-case ingredient that puts the medicine in its class; None when unknown."""
        ...

    def ingredient_rxnorm(self, ingredient: str) -> str | None:
        """The RxNorm code of a lower-case ingredient name; None when none is known."""
        ...

    def condition_targets(self, codings: Iterable[Mapping[str, Any]]) -> frozenset[str]:
        """What the codings of one concept mean in owm-state/1 (`condition:<code>`,
        `history:<code>`, `allergy:<code>`, `pregnant`); empty when owm does not read them."""
        ...

    def system_name(self, system: str) -> str:
        """A code system's name as a person reads it (its URI when it has none)."""
        ...
