"""Medicine classes from RxNorm codes and names: the clinical core's classification.

The classification the rules use lives in `owm.clinical.medicines` (clinical spec
section 8: a medicine's class is checked, not trusted); the FHIR reader, the CDS
Hooks service and the ward's pages reach it through this module, so that every
adapter classifies a medicine exactly as the rules do.
"""

from owm.clinical.medicines import (
    CLASSES,
    DATA,
    Terminology,
    classify,
    ingredient_name,
    is_clonazepam,
    is_known,
    terminology,
)

__all__ = [
    "CLASSES",
    "DATA",
    "Terminology",
    "classify",
    "ingredient_name",
    "is_clonazepam",
    "is_known",
    "terminology",
]
