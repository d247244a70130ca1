"""Import benchmarks (issue 7's importer): bundles of 100, 1,000 and 10,000 items, imported
fresh and then re-imported unchanged.

The importer is built on another branch. Until it is merged, `import_bundles` prints
`{"skipped": "importer not merged"}`; once `export.importer` exists or the API serves
`POST /v1/imports`, it times the import of self-exported bundles of the probe profiles
(the request and report shapes may need adjusting to the merged importer).
"""

from __future__ import annotations

import importlib.util
import time
from typing import Any

import httpx

from bench.api import BASE_URL
from bench.common import emit, percentiles

IMPORTS_PATH = "/v1/imports"


def importer_available(openapi_paths: set[str]) -> bool:
    return importlib.util.find_spec("export.importer") is not None or IMPORTS_PATH in openapi_paths


def import_bundles(
    openapi_paths: set[str], bundles: dict[str, str], token: str, repeat: int = 5
) -> dict[str, Any]:
    """Time POST /v1/imports for each bundle (label → compact JWS), fresh then unchanged."""
    if not importer_available(openapi_paths):
        return {"skipped": "importer not merged"}
    if IMPORTS_PATH not in openapi_paths:
        return {"skipped": f"export.importer exists but the API serves no {IMPORTS_PATH}"}
    results: dict[str, Any] = {}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/jose"}
    with httpx.Client(base_url=BASE_URL, timeout=120) as client:
        for label, bundle in bundles.items():
            started = time.perf_counter()
            fresh = client.post(IMPORTS_PATH, content=bundle, headers=headers)
            fresh_seconds = time.perf_counter() - started
            again: list[float] = []
            status = fresh.status_code
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.post(IMPORTS_PATH, content=bundle, headers=headers)
                again.append(time.perf_counter() - started)
                status = max(status, response.status_code)
            results[label] = {
                "fresh_ms": round(fresh_seconds * 1000, 1),
                "reimport_unchanged": percentiles(again),
                "worst_status": status,
            }
    return results


if __name__ == "__main__":
    emit({"bench": "imports"} | import_bundles(set(), {}, ""))
