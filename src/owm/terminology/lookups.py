"""owm's terminology behind one object: the shape the FHIR mapping asks for.

Why: `owm.fhir` declares what it needs of a terminology (`owm.fhir.terms.Terminology`)
and may not import this package; the service layer and the command line pass
`TERMINOLOGY` to it. The data is read on first use and kept for the process
(see `owm.terminology.lookup` and `owm.terminology.conditions`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from owm.terminology.conditions import NAMES, concept_targets
from owm.terminology.lookup import CLASSES, classify, ingredient_name, is_clonazepam, terminology

__all__ = ["TERMINOLOGY", "Lookups"]


class Lookups:
    """Medicine classes and ingredients (RxNorm and names), condition meanings (SNOMED CT,
    ICD-10) and code system names, from the shipped data."""

    @property
    def classes(self) -> tuple[str, ...]:
        return CLASSES

    def classify(self, *, rxnorm: str | None = None, name: str | None = None) -> frozenset[str]:
        return classify(rxnorm=rxnorm, name=name)

    def ingredient_name(self, *, rxnorm: str | None = None, name: str | None = None) -> str | None:
        return ingredient_name(rxnorm=rxnorm, name=name)

    def is_clonazepam(self, *, rxnorm: str | None = None, name: str | None = None) -> bool:
        return is_clonazepam(rxnorm=rxnorm, name=name)

    def ingredient_rxnorm(self, ingredient: str) -> str | None:
        found = terminology().ingredients.get(ingredient)
        return found.rxcui if found is not None else None

    def condition_targets(self, codings: Iterable[Mapping[str, Any]]) -> frozenset[str]:
        return concept_targets(codings)

    def system_name(self, system: str) -> str:
        return NAMES.get(system, system)


TERMINOLOGY = Lookups()
"""The shipped terminology."""
