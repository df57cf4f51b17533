"""The OpenAPI document: FastAPI's, finished with what the routes cannot say themselves.

- The bearer scheme (CONTRACT.md section 4), so "Authorize" on ``/docs`` sends the key.
  Which operation needs which role comes from :func:`graph_service.security.required_role`,
  the rule the access middleware enforces, so the document cannot drift from it: each
  operation that needs a key says so (optional for reads when ``GRAPH_PUBLIC_READS`` is on),
  with its 401, and 403 when a weaker key is refused. Writes also answer 413 (body limit).
- 400 for an operation that takes a body: one that cannot be read is refused before the
  route runs (FastAPI's refusal, in the service's error shape: graph_service.app).
- 422 in the service's error shape. FastAPI documents its own ``{"detail": [...]}`` for a
  request that fails validation; the service answers ``{"error": {...}}`` instead.
- Errors are JSON on every route, the HTML pages included (FastAPI files an error model of
  a page under ``text/html``).
- A 200 documented with a model is that model. A route that returns ``dict[str, Any]``
  (serialised fast, unchecked) would otherwise carry a generic ``object`` schema beside the
  model's ``$ref``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from graph_service.routes.models import ERROR_TEXT, ErrorBody
from graph_service.security import READ_METHODS, required_role

SCHEME = "bearer"
REF = "#/components/schemas/"
BODY_UNREADABLE = "the request body cannot be read, e.g. it is not UTF-8 (code bad_request)"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def install(app: FastAPI, keys_enabled: bool, public_reads: bool) -> None:
    """Make ``app.openapi()`` answer the finished document (built once, then kept)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish(FastAPI.openapi(app), keys_enabled, public_reads)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def finish(schema: dict[str, Any], keys_enabled: bool, public_reads: bool) -> dict[str, Any]:
    """``schema`` with the bearer scheme, the access responses, the service's 422 shape and
    plain model references on 200 (see the module docstring). Changes it in place."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    error_ref = _error_schema(schemas)
    components.setdefault("securitySchemes", {})[SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key (GRAPH_API_KEYS or GRAPH_API_KEYS_FILE) with the role the "
        "request needs: read for GET, write for other methods under /api/, admin for "
        "DELETE /api/graph. Without keys configured the service is open.",
    }
    for path, item in schema.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            _plain_refs(responses)
            if method.upper() not in READ_METHODS and "parameters" in operation:
                # ?as_of= and ?co_attendance= are a read's (routes.deps.get_store); a
                # write refuses them
                operation["parameters"] = [
                    p
                    for p in operation["parameters"]
                    if p.get("name") not in ("as_of", "co_attendance")
                ]
                if not operation["parameters"]:
                    del operation["parameters"]
            if "422" in responses and _is_fastapi_422(responses["422"]):
                responses["422"] = _error_response(422, error_ref)
            if "requestBody" in operation:
                responses.setdefault("400", _error_response(400, error_ref, BODY_UNREADABLE))
            if not keys_enabled:
                continue
            role = required_role(method.upper(), path)
            # a wrong key is refused everywhere, even on the open paths
            responses.setdefault("401", _error_response(401, error_ref))
            if role is None:
                continue
            optional = public_reads and role == "read"
            operation["security"] = [{SCHEME: []}, {}] if optional else [{SCHEME: []}]
            if role != "read":
                responses.setdefault("403", _error_response(403, error_ref))
            if method.upper() not in READ_METHODS:
                responses.setdefault("413", _error_response(413, error_ref))
    if not _uses(schema, REF + "HTTPValidationError"):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    return schema


def _error_schema(schemas: dict[str, Any]) -> str:
    """The reference of the error shape, added to the components when no route put it there."""
    for name in ("ErrorBody", "graph_service__routes__models__ErrorBody"):
        if name in schemas:
            return REF + name
    generated = ErrorBody.model_json_schema(ref_template=REF + "{model}", mode="serialization")
    for name, body in generated.pop("$defs", {}).items():
        schemas.setdefault(name, body)
    schemas["ErrorBody"] = generated
    return REF + "ErrorBody"


def _error_response(status: int, ref: str, description: str | None = None) -> dict[str, Any]:
    return {
        "description": description or ERROR_TEXT[status],
        "content": {"application/json": {"schema": {"$ref": ref}}},
    }


def _is_fastapi_422(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref") == REF + "HTTPValidationError")


def _plain_refs(responses: dict[str, Any]) -> None:
    for status, response in responses.items():
        content = response.get("content", {})
        for media in content.values():
            schema = media.get("schema")
            if isinstance(schema, dict) and "$ref" in schema and len(schema) > 1:
                media["schema"] = {"$ref": schema["$ref"]}
        # a page's errors are JSON too; FastAPI files a model under the page's media type
        if status[0] in "45" and "text/html" in content and "application/json" not in content:
            content["application/json"] = content.pop("text/html")


def _uses(node: Any, ref: str) -> bool:
    if isinstance(node, dict):
        return node.get("$ref") == ref or any(_uses(v, ref) for v in node.values())
    if isinstance(node, list):
        return any(_uses(v, ref) for v in node)
    return False
