"""Two schemas with one name share one OpenAPI component, so one operation documents the
other's shape (``estimate``'s ``type``, memberships' ``person_id``): names are unique."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

import jamsos.api.urls  # noqa: F401 - imports every app's apis.py


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_api_schema_name_is_unique():
    modules: dict[str, set[str]] = defaultdict(set)
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("jamsos.") and ".tests." not in schema.__module__:
            modules[schema.__name__].add(schema.__module__)
    assert {name: where for name, where in modules.items() if len(where) > 1} == {}
