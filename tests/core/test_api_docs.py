"""The API's OpenAPI document and its docs page, served without any outside host."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_lists_the_plan_endpoints(client):
    schema = client.get("/api/openapi.json").json()

    assert schema["info"]["title"] == "Phaen API"
    for path in ("/api/plans", "/api/alignment-links", "/api/reports/chain/{element_code}"):
        assert path in schema["paths"]


def test_docs_page_loads_swagger_from_our_own_static_files(client):
    page = client.get("/api/docs").content.decode()

    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page
