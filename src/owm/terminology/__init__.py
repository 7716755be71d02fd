"""Medicine terminology: RxNorm codes and names to owm's medication classes.

`classify(rxnorm=..., name=...)` gives every class of `owm-state/1` a medicine
belongs to (opioid, benzodiazepine, gabapentinoid, z-drug, muscle-relaxant,
sedating-antihistamine, antipsychotic, barbiturate, alpha2-agonist,
cyp3a-inhibitor, cyp3a-inducer); `is_clonazepam` and `ingredient_name` answer
the two questions the CDS Hooks service and the FHIR import ask most. The data
and where it came from are in `data/` (see `data/README.md`).
`TERMINOLOGY` holds all of it in the shape the FHIR mapping asks for
(`owm.fhir.terms.Terminology`), for the callers that pass it in.
"""

from owm.terminology.lookup import CLASSES, classify, ingredient_name, is_clonazepam
from owm.terminology.lookups import TERMINOLOGY

__all__ = ["CLASSES", "TERMINOLOGY", "classify", "ingredient_name", "is_clonazepam"]
