"""The OpenAPI document, with the bodies that routes parse themselves.

``POST /v1/screen`` reads JSON or multipart itself (one route, two media
types), so its body models are added to the components here by hand.

Every operation that may touch the store documents its ``503`` with
``Retry-After`` here, in one place: a store that cannot serve answers so on
every route (``consentgate.store.faults``), whatever the route declares.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel


def install_openapi(app: FastAPI, models: tuple[type[BaseModel], ...]) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in models:
            doc = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in doc.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components[model.__name__] = doc
        _store_unavailable(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]


NO_STORE = frozenset({"/healthz"})  # liveness: the process is up, whatever the store says
RETRY_AFTER = {
    "description": "seconds to wait before retrying",
    "schema": {"type": "integer", "minimum": 1},
}


def _store_unavailable(schema: dict[str, Any]) -> None:
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in schema.get("paths", {}).items():
        if path in NO_STORE:
            continue
        for operation in operations.values():
            answer = operation.setdefault("responses", {}).setdefault(
                "503", {"description": "Service Unavailable", "content": problem}
            )
            answer["description"] = (
                f"{answer['description']}: not ready, or the store cannot serve "
                "(unreachable, full, read-only or locked); retry after `Retry-After`"
            )
            answer.setdefault("headers", {})["Retry-After"] = RETRY_AFTER
