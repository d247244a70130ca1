"""The bundle JSON Schema served by the instance at the path of the URL each bundle names.

A partner validates a received bundle's whole claims set against the schema the bundle names in
`rolodex.schema`; the issuing instance serves it (public, cacheable, `application/schema+json`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from graph.db import Graph
from portability.verify import peek_claims
from tests.conftest import TokenFactory
from tests.support.person_graph import SUBJECT, build_person_graph


async def test_a_fresh_bundle_validates_against_the_schema_it_names(
    client: TestClient, tokens: TokenFactory, graph: Graph
) -> None:
    await build_person_graph(graph)
    exported = client.post(
        f"/v1/people/{SUBJECT}/bundles",
        json={"audience": "self"},
        headers=tokens.headers(SUBJECT, "mentee"),
    )
    assert exported.status_code == 201, exported.text
    claims = peek_claims(exported.json()["bundle"])
    named = claims["rolodex"]["schema"]

    served = client.get(urlsplit(named).path)  # anonymous: no Authorization header

    assert served.status_code == 200, served.text
    assert served.headers["content-type"] == "application/schema+json"
    assert served.headers["cache-control"].startswith("public, max-age=")
    schema = served.json()
    assert schema["$id"] == named
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    assert [error.message for error in validator.iter_errors(claims)] == []
    # The schema describes the whole claims set: the body alone is not a valid instance.
    assert not validator.is_valid(claims["rolodex"])
    assert not validator.is_valid({**claims, "rolodex": {**claims["rolodex"], "version": 1}})


def test_every_supported_version_is_served_and_others_are_not_found(client: TestClient) -> None:
    v1 = client.get("/schemas/bundle/v1.json")
    assert v1.status_code == 200
    assert v1.json()["$id"] == "https://rolodex.dev/schemas/bundle/v1.json"

    missing = client.get("/schemas/bundle/v3.json")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert "versions: 1, 2" in missing.json()["detail"]


@pytest.mark.parametrize("path", ["/schemas/bundle/vtwo.json", "/schemas/bundle/v2.xml"])
def test_malformed_schema_paths_are_refused(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (404, 422)
    assert response.headers["content-type"] == "application/problem+json"
