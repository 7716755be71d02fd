"""The API's documentation page (`/docs`), working with no internet.

Why vendored: the default Swagger UI page loads its script and style from a CDN,
which a ward network may not reach. `static/swagger-ui/` holds the files from the
npm package swagger-ui-dist (see its README) and they are served from
`/docs/assets/`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["ASSETS_PATH", "install_docs"]

ASSETS_PATH = "/docs/assets"


def _assets_dir() -> Path:
    return Path(str(resources.files("owm.api").joinpath("static", "swagger-ui")))


def install_docs(app: FastAPI, *, title: str) -> None:
    """Serve Swagger UI for `app.openapi_url` at `/docs` from the vendored files."""
    router = APIRouter(include_in_schema=False)
    openapi_url = app.openapi_url or "/openapi.json"

    @router.get("/docs", response_class=HTMLResponse)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} — API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url="data:,",
            swagger_ui_parameters={"persistAuthorization": True, "tryItOutEnabled": True},
        )

    app.include_router(router)
    app.mount(ASSETS_PATH, StaticFiles(directory=_assets_dir()), name="docs-assets")
