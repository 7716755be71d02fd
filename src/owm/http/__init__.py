"""What every HTTP adapter shares: the app factory, settings, sign-in and errors.

The REST API (`owm.api`), the ward's pages (`owm.web`) and the CDS Hooks service
(`owm.cds`) are three adapters on one FastAPI application; they share how a request
finds its database and clock (`runtime`, `deps`), who is signed in (`sessions`,
`csrf`, `signin`, `ratelimit`), how an error is answered (`errors`) and how SQLite
writes queue (`write_gate`). `owm.http.app.create_app` is the composition root:
the one module that puts the three adapters together.

This package reaches the store only through the service layer and the unit of
work (see docs/architecture.md).
"""
