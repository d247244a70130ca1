"""The pages built from `dashboard/`: the admin dashboard at `GET /admin`, the API reference at
`GET /docs` (Swagger UI from npm `swagger-ui-dist`, reading `/openapi.json`), and their assets
under `/admin/assets/`.

The page is static HTML, JS and CSS built from `dashboard/` (esbuild; `make dashboard`) into
`Settings.dashboard_dir`; the running service needs no Node. The page holds no data and no
secret: the admin pastes an access token, which the page keeps in the tab's sessionStorage and
sends to the JSON API as `Authorization: Bearer`. It is served under a strict
Content-Security-Policy (no inline script or style, same-origin connections only), and so is the
API reference: neither loads anything from another origin, so both work without internet access.
When the build output is missing, the pages and their assets answer a 503 problem saying how to
build them. See docs/dashboard.md.
"""

from __future__ import annotations

from pathlib import Path

import anyio
from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.deps import SettingsDep
from app.errors import ServiceUnavailableError

PAGE_PATH = "/admin"
API_DOCS_PATH = "/docs"
ASSETS_PATH = "/admin/assets"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
"""The page's CSP: its own scripts and styles only, API calls to this origin only, no framing."""

_COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
PAGE_HEADERS = {
    **_COMMON_HEADERS,
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}
ASSET_HEADERS = {
    **_COMMON_HEADERS,
    # Asset names carry a content hash (a new build makes new names), so they never go stale.
    "Cache-Control": "public, max-age=31536000, immutable",
}
NOT_BUILT = (
    "The admin dashboard and API reference have not been built on this server: run "
    "`make dashboard` (or `npm ci && npm run build` in dashboard/), then reload. The OpenAPI "
    "document itself is at /openapi.json."
)


class DashboardNotBuiltError(ServiceUnavailableError):
    slug, title = "dashboard-not-built", "Dashboard not built"


router = APIRouter(include_in_schema=False)


def _built_page(directory: Path, name: str) -> HTMLResponse:
    """A built page's HTML, read on every request so a rebuild shows without a restart."""
    try:
        html = (directory / name).read_bytes()
    except FileNotFoundError:
        raise DashboardNotBuiltError(NOT_BUILT) from None
    return HTMLResponse(html, headers=PAGE_HEADERS)


@router.get(PAGE_PATH, response_class=HTMLResponse, name="page")
def page(settings: SettingsDep) -> HTMLResponse:
    """The dashboard's HTML."""
    return _built_page(settings.dashboard_dir, "index.html")


@router.get(API_DOCS_PATH, response_class=HTMLResponse, name="api-docs")
def api_docs(settings: SettingsDep) -> HTMLResponse:
    """The API reference (Swagger UI) for this instance's /openapi.json."""
    return _built_page(settings.dashboard_dir, "docs.html")


class DashboardAssets(StaticFiles):
    """The built JS and CSS; a missing build answers the same 503 as the page."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, check_dir=False)
        self._root = anyio.Path(directory)

    async def check_config(self) -> None:
        """A missing folder is checked per request (503), not refused once with a 500."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not await self._root.is_dir():
            raise DashboardNotBuiltError(NOT_BUILT)
        response = await super().get_response(path, scope)
        response.headers.update(ASSET_HEADERS)
        return response


def install_dashboard(app: FastAPI, dashboard_dir: Path) -> None:
    """Serve the dashboard at /admin, the API reference at /docs and their assets (gzip-compressed) under /admin/assets/."""
    app.include_router(router)
    app.mount(
        ASSETS_PATH,
        GZipMiddleware(DashboardAssets(dashboard_dir / "assets"), minimum_size=1024),
        name="dashboard-assets",
    )
