"""The terminology adapters read an EHR's medicines and conditions with.

Why in the service layer: the CDS Hooks adapter reads the EHR's FHIR resources
itself (it answers within a hook call and stores nothing of them), and like every
adapter it reaches owm's data through the service layer, never the packages
below it (docs/architecture.md). It is the terminology the service layer's own
FHIR import (`owm.service.fhir_import`) passes to the mapping.
"""

from __future__ import annotations

from owm.terminology import TERMINOLOGY

__all__ = ["TERMINOLOGY"]
