"""The /api/v1 routes and the service endpoints (/healthz, /metrics), as one APIRouter."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from designlens.api.jobs import ZIP_NAME, JobService, all_formats, normalize_list
from designlens.api.problems import MEDIA_TYPE, Problem
from designlens.api.uploads import Upload, check_pixels, expand
from designlens.store.repositories import JobRow, StoredEvent

DEFAULT_TYPES = ("color", "layout")
SSE_SCHEMA = {"type": "string", "description": "`event:`, `id:`, `data:` frames; `: keep-alive` comments"}
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # no proxy buffering either
PROBLEM = {"content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}


class ProblemDetails(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None


class UrlJob(BaseModel):
    urls: list[str] = Field(min_length=1, description="http(s) URLs of screenshots")
    types: list[str] | None = Field(default=None, description="token types (default: color, layout)")
    formats: list[str] | None = Field(default=None, description="export formats (default: all)")


class JobCreated(BaseModel):
    id: str
    status: str
    events_url: str
    skipped: list[str] = Field(default_factory=list, description="zip members that are not images")


class JobList(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


_JOB_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        "types": {"type": "string", "description": "comma separated"},
                        "formats": {"type": "string", "description": "comma separated, or all"},
                    },
                }
            },
            "application/json": {"schema": UrlJob.model_json_schema()},
        },
    }
}


async def service(request: Request) -> JobService:
    # async on purpose: a sync dependency costs every request a hop through the threadpool
    svc: JobService = request.app.state.jobs
    return svc


Service = Annotated[JobService, Depends(service)]


def existing_job(job_id: str, svc: Service) -> JobRow:
    return svc.job(job_id)


Job = Annotated[JobRow, Depends(existing_job)]


def _summary(svc: JobService, row: JobRow) -> dict[str, Any]:
    return {
        "id": row.id, "status": row.status, "created_at": row.created_at, "updated_at": row.updated_at,
        "images": len(row.spec.get("paths", [])), "types": list(row.spec.get("types", [])),
        "url": f"/api/v1/jobs/{row.id}",
    }


def api_router(guard: Any) -> APIRouter:
    """The /api/v1 routes; `guard` is the dependency that authenticates and rate-limits."""
    api = APIRouter(prefix="/api/v1", dependencies=[Depends(guard)], responses={
        401: {"description": "missing or wrong bearer token", **PROBLEM},
        429: {"description": "rate limit; see Retry-After", **PROBLEM},
    })

    @api.post(
        "/jobs", status_code=202, response_model=JobCreated, openapi_extra=_JOB_BODY,
        responses={400: PROBLEM, 413: PROBLEM, 415: PROBLEM, 422: PROBLEM},
    )
    async def create_job(request: Request, svc: Service) -> JobCreated:
        """Start a job: multipart `files` (images or zips of images) or JSON `{"urls": [...]}`."""
        import anyio.to_thread

        from designlens.api.fetch import fetch_all

        settings = request.app.state.settings
        limits = settings.limits
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "multipart/form-data":
            # Generous part counts: the body cap bounds the work, and our own check answers 413.
            try:
                form = await request.form(
                    max_files=10 * limits.max_images + 10, max_fields=20, max_part_size=1 << 16
                )
            except HTTPException as exc:
                if exc.status_code != 400:
                    raise
                raise Problem(400, f"malformed multipart body: {exc.detail}") from None
            raw: list[Upload] = []
            for item in form.getlist("files"):
                if isinstance(item, str):
                    raise Problem(422, "`files` must be file uploads, not text fields")
                raw.append(Upload(item.filename or "upload", await item.read()))
            if len(raw) > limits.max_images:
                raise Problem(413, f"more than {limits.max_images} files in one job (the limit)")
            types = normalize_list([str(v) for v in form.getlist("types")], DEFAULT_TYPES)
            formats = normalize_list([str(v) for v in form.getlist("formats")], ["all"])
            await form.close()
        elif ctype == "application/json":
            try:
                body = UrlJob.model_validate_json(await request.body())
            except ValueError as exc:
                raise Problem(422, f"invalid JSON body: {_first_error(exc)}") from None
            if len(body.urls) > limits.max_images:
                n, cap = len(body.urls), limits.max_images
                raise Problem(413, f"{n} URLs, over the limit of {cap} images per job")
            raw = await fetch_all(body.urls, limits, settings.url_allow)
            types = normalize_list(body.types, DEFAULT_TYPES)
            formats = normalize_list(body.formats, ["all"])
        else:
            raise Problem(
                415, f"content type {ctype or 'missing'!r}: send multipart/form-data (files) or "
                "application/json (urls)",
            )
        def unpack() -> tuple[list[Upload], list[str]]:  # unzipping is CPU work: off the event loop
            uploads, skipped = expand(raw, limits)
            for upload in uploads:
                check_pixels(upload, limits.max_pixels)
            return uploads, skipped

        uploads, skipped = await anyio.to_thread.run_sync(unpack)
        job = await anyio.to_thread.run_sync(svc.create, uploads, types, all_formats(formats, svc.exporters))
        return JobCreated(id=job.id, status=job.status, events_url=f"/api/v1/jobs/{job.id}/events",
                          skipped=skipped)

    @api.get("/jobs", response_model=JobList)
    def list_jobs(
        svc: Service,
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> JobList:
        """Jobs, newest first."""
        rows, total = svc.page(limit, offset)
        return JobList(items=[_summary(svc, r) for r in rows], total=total, limit=limit, offset=offset)

    @api.get("/jobs/{job_id}", responses={404: PROBLEM, 200: {"content": {"application/json": {}}}})
    async def get_job(svc: Service, job_id: str) -> Response:
        """Status, counts per instance state, errors per image, timings."""
        return Response(await svc.status_async(job_id), media_type="application/json")

    @api.delete("/jobs/{job_id}", status_code=202, responses={404: PROBLEM, 409: PROBLEM})
    def cancel_job(svc: Service, row: Job) -> dict[str, Any]:
        """Cancel a queued or running job; its instances stop and it is recorded as cancelled."""
        return {"id": row.id, "status": svc.cancel(row.id)}

    @api.get("/jobs/{job_id}/events", response_class=StreamingResponse, responses={
        200: {"description": "Server-Sent Events", "content": {"text/event-stream": {"schema": SSE_SCHEMA}}},
        404: PROBLEM,
    })
    async def job_events(
        request: Request, svc: Service, row: Job,
        last_event_id: Annotated[str | None, Header()] = None,
    ) -> Response:
        """The job's events as SSE: `event` is the name, `id` the log sequence, `data` JSON.

        Reconnect with `Last-Event-ID` to get exactly the events after it; the stream ends
        after `job.completed` or `job.failed`."""
        after = int(last_event_id) if last_event_id and last_event_id.strip().isdigit() else 0
        settings = request.app.state.settings

        def render(event: StoredEvent) -> str:  # once per event and API process, not per stream
            return json.dumps(svc.public_event(row, event))

        async def frames() -> AsyncIterator[bytes]:
            # One write per batch of events, framed here: the framework's per-event SSE path
            # (two task hops and a timer per event) was most of the API's CPU under live streams.
            async for batch in request.app.state.feeds.stream(row.id, after, settings.keepalive, render):
                yield b": keep-alive\n\n" if batch is None else b"".join(item.wire for item in batch)

        return StreamingResponse(frames(), media_type="text/event-stream", headers=SSE_HEADERS)

    @api.get("/jobs/{job_id}/tokens", responses={404: PROBLEM, 409: PROBLEM})
    def job_tokens(svc: Service, row: Job) -> FileResponse:
        """The job's DTCG token document (the same bytes as its tokens.json export)."""
        return FileResponse(svc.exports(row.id) / "tokens.json", media_type="application/json")

    @api.get("/jobs/{job_id}/relationships", responses={404: PROBLEM, 409: PROBLEM})
    def job_relationships(svc: Service, row: Job) -> dict[str, Any]:
        """The relationship graph: contrast pairs, scales, roles, aliases."""
        return svc.graph(row.id).to_json()

    @api.get("/jobs/{job_id}/exports/{file}", responses={404: PROBLEM, 409: PROBLEM})
    def job_export(svc: Service, row: Job, file: str) -> FileResponse:
        """One export file (tokens.css, tailwind.css, report.html, ...) or exports.zip with all."""
        folder = svc.exports(row.id)
        names = {p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}
        if file not in names:
            raise Problem(404, f"no export {file!r} (have: {', '.join(sorted(names))})")
        media = "application/zip" if file == ZIP_NAME else None
        return FileResponse(folder / file, media_type=media, filename=file)

    @api.get("/jobs/{job_id}/images/{image_id}", responses={404: PROBLEM})
    def job_image(svc: Service, row: Job, image_id: str) -> FileResponse:
        """One of the job's images, as uploaded (the web page's thumbnails)."""
        path = svc.images.image_path(image_id)
        if path is None or str(path) not in row.spec.get("paths", []):
            raise Problem(404, f"job {row.id} has no image {image_id!r}")
        return FileResponse(path)

    @api.get("/jobs/{job_id}/images/{image_id}/overlay", responses={404: PROBLEM, 422: PROBLEM})
    def job_image_overlay(svc: Service, row: Job, image_id: str) -> FileResponse:
        """The image with its layout analysis drawn on it: boxes, spacing and radii in CSS px."""
        return FileResponse(svc.overlay(row, image_id), media_type="image/png")

    @api.get("/plugins")
    def list_plugins(svc: Service) -> list[dict[str, str]]:
        """The plugins this server loaded, and any that failed to load."""
        return svc.plugin_rows

    return api


def system_router() -> APIRouter:
    system = APIRouter()

    @system.get("/healthz", responses={503: PROBLEM})
    def healthz(request: Request) -> JSONResponse:
        """Liveness and readiness: the store answers and a worker process starts and pongs."""
        from sqlalchemy import text

        svc: JobService = request.app.state.jobs
        checks: dict[str, Any] = {}
        try:
            with svc.store.transaction() as conn:
                conn.execute(text("SELECT 1"))
            checks["store"] = "ok"
        except Exception as exc:
            checks["store"] = f"unreachable: {type(exc).__name__}: {exc}"
        workers = request.app.state.worker_probe()
        checks["workers"] = workers
        alive = sum(t.is_alive() for t in svc._threads)
        checks["runners"] = alive
        ok = checks["store"] == "ok" and workers == "ok" and alive > 0
        body = {"status": "ok" if ok else "unavailable", "checks": checks}
        return JSONResponse(body, status_code=200 if ok else 503)

    @system.get("/metrics", response_class=Response)
    def metrics(request: Request) -> Response:
        """Prometheus metrics: jobs, instances by state, extraction latency, restarts, queue."""
        from designlens.api.metrics import CONTENT_TYPE

        metrics = request.app.state.metrics
        source = request.app.state.feeds.source
        metrics.sse_reads.labels("store").set(source.store_reads)
        metrics.sse_reads.labels("bus").set(source.bus_reads)
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    return system


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        items = errors()
        if items:
            e = items[0]
            return f"{'.'.join(str(p) for p in e.get('loc', ())) or 'body'}: {e.get('msg', '')}"
    return str(exc)
