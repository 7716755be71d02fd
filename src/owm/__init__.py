"""owm: opioid withdrawal management, decision support for a clonazepam adjunct course."""

__version__ = "0.1.0"
