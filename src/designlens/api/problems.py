"""RFC 9457 problem details: every error the API answers is `application/problem+json`.

Handlers turn FastAPI's own errors (404 route, 405, 422 validation) into problems too, so a
client parses one error shape whatever went wrong.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from designlens.errors import DesignlensError

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from starlette.responses import Response

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)


class Problem(DesignlensError):
    """An error answered as problem+json; `detail` names what was wrong."""

    def __init__(
        self, status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem_body(status: int, detail: str, instance: str = "", **extra: Any) -> dict[str, Any]:
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem_response(
    status: int, detail: str, instance: str = "", headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    from starlette.responses import JSONResponse

    return JSONResponse(
        problem_body(status, detail, instance, **extra), status_code=status, headers=headers,
        media_type=MEDIA_TYPE,
    )


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette's 405 names only the first route's)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Say in the OpenAPI schema what the handlers do: every 4xx/5xx answer is problem+json."""
    problem = {"$ref": "#/components/schemas/ProblemDetails"}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for code, response in operation.get("responses", {}).items():
                if code[:1] in ("4", "5"):
                    response["content"] = {MEDIA_TYPE: {"schema": problem}}
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["ProblemDetails"] = {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"}, "instance": {"type": "string"},
        },
    }
    return schema


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return problem_response(exc.status, exc.detail, request.url.path, exc.headers, **exc.extra)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such resource: {request.method} {request.url.path}"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allowed = allowed_methods(request)
            detail = f"method {request.method} is not allowed on {request.url.path} (allowed: {allowed})"
            headers["Allow"] = allowed
        return problem_response(exc.status_code, detail, request.url.path, headers)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()
        ]
        where = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
        return problem_response(422, f"invalid request: {where}", request.url.path, errors=errors)

    async def on_error(request: Request, exc: Exception) -> Response:
        """Anything else: still a problem document, naming the error but no internals."""
        from designlens.errors import UsageError
        from designlens.store.database import StoreError

        if isinstance(exc, UsageError):
            return problem_response(422, str(exc), request.url.path)
        if isinstance(exc, StoreError):
            return problem_response(503, f"the store is unavailable: {exc}", request.url.path)
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        detail = f"internal error ({type(exc).__name__}); see the server log"
        return problem_response(500, detail, request.url.path)

    app.add_exception_handler(Exception, on_error)
    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
