"""Input the database or a date cannot hold is refused with 422, never a 500 (issue 10
"Bad API input gives 500"), and every number a client may send has bounds in the schema."""

from __future__ import annotations

from typing import Any

import pytest

from jamsos.api.urls import api

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/contributions/transparency?regency=13.03&year=0",
        "/api/contributions/transparency?regency=13.03&year=99999",
        "/api/contributions/bills?source_id=1234567890123456789012",
        "/api/contributions/bills/1234567890123456789012",
        "/api/enrollment/memberships/totals?year=0",
        "/api/registry/persons/99999999999999999999",
        "/api/enrollment/memberships?page=99999999999999999999999",
    ],
)
def test_out_of_range_numbers_answer_422(client, personas, url):
    client.force_login(personas.dinas_operator)
    response = client.get(url)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_request"


def _is_unbounded_integer(node: dict[str, Any]) -> bool:
    if node.get("type") != "integer" or "enum" in node:
        return False
    has_min = "minimum" in node or "exclusiveMinimum" in node
    has_max = "maximum" in node or "exclusiveMaximum" in node
    return not (has_min and has_max)


def _walk(node: Any, where: str, components: dict[str, Any], found: list[str]) -> None:
    while isinstance(node, dict) and "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[1]]
    if not isinstance(node, dict):
        return
    for sub in [*node.get("anyOf", []), *node.get("oneOf", []), *node.get("allOf", [])]:
        _walk(sub, where, components, found)
    if _is_unbounded_integer(node):
        found.append(where)
    if node.get("type") == "array":
        _walk(node.get("items", {}), where + "[]", components, found)
    for name, prop in node.get("properties", {}).items():
        _walk(prop, f"{where}.{name}", components, found)


def _unbounded_integers() -> list[str]:
    """Every integer a client sends (parameter, body field, list item) without both a
    minimum and a maximum in the OpenAPI document."""
    schema = api.get_openapi_schema(path_prefix="/api")
    components = schema.get("components", {}).get("schemas", {})
    found: list[str] = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                where = f"{label} ?{parameter['name']}"
                _walk(parameter.get("schema", {}), where, components, found)
            for body in operation.get("requestBody", {}).get("content", {}).values():
                _walk(body.get("schema", {}), f"{label} body", components, found)
    return found


def test_every_integer_input_is_bounded():
    unbounded = _unbounded_integers()
    assert not unbounded, "\n".join(unbounded)
