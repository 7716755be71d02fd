"""The REST API under `/api`: routes and schemas only.

Each route parses its input (`owm.api.schemas`), calls one service function with
a unit of work and the signed-in actor (`owm.http.deps`), and renders the result;
services own their transactions, so a route never commits. `owm.api.routes.ROUTERS`
lists one router per resource; the app factory (`owm.http.app`) includes them.
`owm.api.docs` serves the OpenAPI documentation page from vendored files.
"""
