"""owm's HTTP side: the REST API, the sign-in pages and the CDS Hooks service (FastAPI).

`create_app()` (owm.api.app) builds the app; `owm serve` runs it with uvicorn.
"""

from owm.api.app import create_app

__all__ = ["create_app"]
