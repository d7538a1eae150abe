"""The FastAPI application: routes, guards, problem+json errors, the web page, lifecycle.

`create_app(settings)` builds one app; its lifespan starts the job runners (resuming what a
dead server left unfinished) and stops them on shutdown, leaving running jobs resumable.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles

from designlens import __version__
from designlens.api import problems
from designlens.api.guards import BodyLimit, RateLimiter, ServerTiming, StatusFastPath, bearer, token_matches
from designlens.api.jobs import JobService
from designlens.api.metrics import ServiceMetrics
from designlens.api.problems import Problem
from designlens.api.routes import api_router, system_router
from designlens.api.settings import ServiceSettings
from designlens.api.sse import EventSource, Feeds, StoreSource

STATIC = Path(__file__).parent / "static"
PROBE_TTL = 30.0


def worker_probe(settings: ServiceSettings) -> Callable[[], str]:
    """A readiness check of the worker runtime: start one worker and ping it (cached a while)."""
    state: dict[str, Any] = {"at": -PROBE_TTL, "result": "not probed"}
    lock = threading.Lock()

    async def probe() -> str:
        from designlens.runtime.options import RuntimeOptions
        from designlens.runtime.supervisor import Supervisor

        spec = RuntimeOptions(workers=1, ping_interval=0).pool("probe", RuntimeOptions().pools()[0].argv, 1)
        pool = Supervisor(spec)
        try:
            await asyncio.wait_for(pool.call("ping", {}), 30)
            return "ok"
        except Exception as exc:
            return f"cannot start a worker: {type(exc).__name__}: {exc}"
        finally:
            await pool.close()

    def check() -> str:
        with lock:
            if time.monotonic() - state["at"] >= PROBE_TTL:
                state["result"] = asyncio.run(probe())
                state["at"] = time.monotonic()
            return str(state["result"])

    return check


def mount_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the swagger-ui-bundle package, so the docs need no network either."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="designlens API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js", swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )


def create_app(settings: ServiceSettings) -> FastAPI:
    """The service's ASGI app over `settings` (store, data directory, limits, tokens)."""
    metrics = ServiceMetrics()
    limiter = RateLimiter(settings.limits.rate, settings.limits.burst)
    scheme = HTTPBearer(auto_error=False, description="one of DESIGNLENS_API_TOKENS, when set")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        jobs = JobService(settings, metrics)
        app.state.jobs = jobs
        source: EventSource
        if settings.bus:
            from designlens.bus.redis import LogSource

            source = LogSource(settings.bus, jobs.events_after, prefix=settings.bus_prefix)
        else:
            source = StoreSource(jobs.events_after, settings.poll_interval)
        app.state.feeds = Feeds(source)
        await asyncio.to_thread(jobs.start)
        try:
            yield
        finally:
            await app.state.feeds.close()
            await asyncio.to_thread(jobs.stop)

    def check(authorization: str | None, client: str) -> Problem | None:
        """Bearer token (when tokens are configured), then the rate limit of that token."""
        given = bearer(authorization)
        if settings.tokens and (given is None or not token_matches(given, settings.tokens)):
            reason = "missing" if given is None else "not valid"
            return Problem(
                401, f"bearer token {reason}: send `Authorization: Bearer <token>` with one of the "
                "server's API tokens", headers={"WWW-Authenticate": 'Bearer realm="designlens"'},
            )
        key = f"token:{given}" if settings.tokens else f"client:{client}"
        wait = limiter.take(key)
        if wait > 0:
            return Problem(
                429, f"rate limit of {settings.limits.rate:g} requests/s (burst {settings.limits.burst}) "
                "exceeded; retry later", headers={"Retry-After": RateLimiter.retry_after(wait)},
            )
        return None

    def guard(request: Request) -> None:
        problem = check(request.headers.get("authorization"), request.client.host if request.client else "?")
        if problem is not None:
            raise problem

    async def secured(request: Request) -> None:
        await scheme(request)  # declares the bearer scheme in OpenAPI
        guard(request)

    app = FastAPI(
        title="designlens",
        version=__version__,
        description="Turn UI screenshots into W3C design tokens. Errors are RFC 9457 problem+json.",
        lifespan=lifespan,
        docs_url=None,  # served below from packaged assets: no CDN
        redoc_url=None,
    )
    app.add_middleware(BodyLimit, limit=settings.limits.max_body_bytes)
    app.add_middleware(ServerTiming)
    app.add_middleware(StatusFastPath, check=check)  # outermost: a cached status skips the framework
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.worker_probe = worker_probe(settings)
    problems.install(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            app.openapi_schema = problems.document(
                get_openapi(
                    title=app.title, version=app.version, description=app.description, routes=app.routes
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.include_router(api_router(secured))
    app.include_router(system_router())

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    mount_docs(app)
    return app
