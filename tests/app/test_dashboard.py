"""Serving the admin dashboard and the API reference (/docs): the pages under their CSP, the
assets, and a clear 503 when the build is missing. (What the pages do in a browser is
tests/e2e/test_dashboard.py.)"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.routers.dashboard import CONTENT_SECURITY_POLICY
from app.settings import DASHBOARD_BUILD_DIR, Settings
from tests.http import problem

PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="/admin/assets/styles-AAAA.css">
<script type="module" src="/admin/assets/main-BBBB.js"></script>
</head><body><main id="main"></main></body></html>
"""
DASHBOARD_SOURCE = Path(__file__).resolve().parents[2] / "dashboard"
SCRIPT = "export const answer = 42;\n" + "console.debug('padding');\n" * 200


def serve(settings: Settings, dashboard_dir: Path) -> TestClient:
    """An app whose dashboard build lives in `dashboard_dir` (no lifespan: no database needed)."""
    return TestClient(create_app(settings.model_copy(update={"dashboard_dir": dashboard_dir})))


@pytest.fixture
def built(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "assets" / "main-BBBB.js").write_text(SCRIPT)
    (tmp_path / "assets" / "styles-AAAA.css").write_text("body { margin: 0; }\n")
    return tmp_path


@pytest.fixture
def app_client(settings: Settings, built: Path) -> TestClient:
    return serve(settings, built)


def test_the_page_is_served_under_a_strict_csp(app_client: TestClient) -> None:
    response = app_client.get("/admin")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == PAGE
    assert response.headers["content-security-policy"] == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "x-request-id" in response.headers


def test_assets_are_served_compressed_and_cached_for_good(app_client: TestClient) -> None:
    response = app_client.get("/admin/assets/main-BBBB.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == SCRIPT  # decoded by the client
    assert int(response.headers["content-length"]) < len(gzip.compress(SCRIPT.encode())) + 64
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"
    css = app_client.get("/admin/assets/styles-AAAA.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


@pytest.mark.parametrize(
    "path",
    ["/admin/assets/missing.js", "/admin/assets/%2e%2e/index.html", "/admin/assets/"],
)
def test_anything_else_under_assets_is_a_404_problem(app_client: TestClient, path: str) -> None:
    problem(app_client.get(path), 404)


def test_the_page_only_answers_get(app_client: TestClient) -> None:
    body = problem(app_client.post("/admin", content=b"token=secret"), 405)
    assert body["type"] == "https://rolodex.dev/problems/method-not-allowed"


def test_a_missing_build_answers_503_saying_how_to_build_it(
    settings: Settings, tmp_path: Path
) -> None:
    client = serve(settings, tmp_path / "not-built")
    for path in ("/admin", "/docs", "/admin/assets/main-BBBB.js"):
        body = problem(client.get(path), 503)
        assert body["type"] == "https://rolodex.dev/problems/dashboard-not-built"
        assert body["title"] == "Dashboard not built"
        assert "make dashboard" in body["detail"]


def test_the_page_is_not_part_of_the_json_api(app_client: TestClient) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/admin")]


def test_by_default_the_build_output_folder_is_served(settings: Settings) -> None:
    assert Settings().dashboard_dir == DASHBOARD_BUILD_DIR
    assert DASHBOARD_BUILD_DIR.parts[-3:] == ("app", "static", "dashboard")


def test_the_front_end_unit_tests_pass_under_node() -> None:
    """dashboard/tests/*.test.mjs: the page's own logic (ISO weeks of the date-range filter)."""
    node = shutil.which("node")
    assert node, "Node.js is needed to build and test the dashboard"
    run = subprocess.run(
        [node, "--test", "tests/"],
        cwd=DASHBOARD_SOURCE,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "# fail 0" in run.stdout


def test_the_api_reference_loads_only_same_origin_assets_and_they_are_served(
    settings: Settings,
) -> None:
    """/docs is the built Swagger UI: no CDN, no inline script, the dashboard's CSP, and every
    asset it names answers here (so it works on a machine without internet access)."""
    assert (DASHBOARD_BUILD_DIR / "docs.html").exists(), "run `make dashboard` first"
    client = serve(settings, DASHBOARD_BUILD_DIR)
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    html = response.text
    assert "<script>" not in html
    assert "<style" not in html
    assert "http://" not in html
    assert "https://" not in html
    assert "//" not in html.replace("://", "")
    scripts = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert len(scripts) == 1
    assert len(styles) == 1
    for url in scripts + styles:
        assert url.startswith("/admin/assets/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 10_000, url  # Swagger UI itself, not a stub
    assert "swagger" in client.get(scripts[0]).text.lower()
    assert client.get("/openapi.json").status_code == 200


def test_no_reference_page_is_served_from_a_cdn(app_client: TestClient) -> None:
    """FastAPI's own /redoc (and its CDN-loading /docs) are off."""
    problem(app_client.get("/redoc"), 404)
    assert "cdn" not in app_client.get("/docs").text.lower()
