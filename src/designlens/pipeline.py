"""The main job: sources -> images -> per-image extraction -> aggregation -> exports.

Images are independent units of work and fail alone: one corrupt file never sinks the batch.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from designlens import plugins
from designlens.cache import ResultCache, config_hash
from designlens.errors import DesignlensError, InputError, Interrupted, PluginError, UsageError
from designlens.events import EventBus
from designlens.extract.scale import detect_scale
from designlens.images import DEFAULT_MAX_PIXELS, DecodedImage, decode
from designlens.sources import ImageRef, resolve_paths
from designlens.tokens import Token, TokenSet

if TYPE_CHECKING:
    from designlens.relate.graph import TokenGraph
    from designlens.runtime.instance import Outcome
    from designlens.runtime.options import RuntimeOptions
    from designlens.store.joblog import JobLog

OUTPUT_MARKER = ".designlens-output"


@dataclass(frozen=True)
class ImageResult:
    """What one image gave: tokens, or the error that stopped it."""

    source: str
    image_id: str = ""
    width: int = 0
    height: int = 0
    tokens: tuple[Token, ...] = ()
    error: str | None = None
    seconds: float = 0.0
    scale: float = 1.0
    warnings: tuple[str, ...] = ()


@dataclass
class ExtractionResult:
    job_id: str
    tokens: TokenSet
    graph: TokenGraph
    images: list[ImageResult] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)  # inputs that never became images
    stats: dict[str, Any] = field(default_factory=dict)  # runtime: pools, cache, instance counts

    def __repr__(self) -> str:
        # Short on purpose: asyncio.run() (3.11) formats the finished main task, result
        # included, when it restores the SIGINT handler: the full dataclass repr of a big
        # batch took ~0.1 s of a run served from the cache.
        return (f"ExtractionResult(job_id={self.job_id!r}, tokens={len(self.tokens)}, "
                f"images={len(self.images)}, errors={len(self.errors)})")

    @property
    def failures(self) -> list[tuple[str, str]]:
        """(source, reason) for everything that failed, inputs and images alike."""
        out = [(e.source, e.reason) for e in self.errors]
        out += [(r.source, r.error) for r in self.images if r.error is not None]
        return out


Scale = float | Literal["auto"]


@dataclass(frozen=True)
class InstanceOutput:
    """What one instance (one image x one token type) gave."""

    image_id: str
    width: int
    height: int
    scale: float
    tokens: tuple[Token, ...]
    warnings: tuple[str, ...] = ()  # why an extractor gave up on part of the image


_KEPT = threading.local()  # per thread: (bytes, max_pixels, DecodedImage) of the last decode


def _decode(data: bytes, source: str, max_pixels: int, keep: bool) -> DecodedImage:
    """Decode; with `keep`, reuse this thread's last image when the same bytes come again.

    A worker gets an image's instances one per token type, back to back; decoding (and
    scale detection, remembered per image id) is up to a third of an instance's time. One
    image per thread is kept, and only when asked (a worker), so a library caller holds no
    pixels after the call. The bytes are compared, not hashed again (a memcmp is far cheaper
    than SHA-256; the id is hashed once, in the decode). Pixels are read-only, so no
    extractor can spoil the next one's.
    """
    kept: tuple[bytes, int, DecodedImage] | None = getattr(_KEPT, "last", None)
    if kept is not None and kept[1] == max_pixels and kept[0] == data:
        return replace(kept[2], source=source)
    _KEPT.last = None  # free the old image before decoding the new one
    image = decode(data, source, max_pixels=max_pixels)
    if keep:
        _KEPT.last = (data, max_pixels, image)
    return image


def run_extractor(
    image: DecodedImage, extractor: plugins.Extractor, config: Mapping[str, Any]
) -> InstanceOutput:
    """One extractor on one decoded image, with the warnings it gave as strings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tokens = tuple(extractor.extract(image, config))
    said = tuple(dict.fromkeys(f"{extractor.token_type}: {w.message}" for w in caught))
    return InstanceOutput(image.id, image.width, image.height, image.scale, tokens, said)


def extract_instance(
    data: bytes,
    source: str,
    extractor: plugins.Extractor,
    config: Mapping[str, Any],
    max_pixels: int = DEFAULT_MAX_PIXELS,
    scale: Scale = "auto",
    keep_decoded: bool = False,
) -> InstanceOutput:
    """Decode one image's bytes and run one extractor on it: the unit a worker runs.

    `keep_decoded` keeps the decoded image for the next call with the same bytes (workers).
    Raises InputError for a bad image; whatever the plugin raises passes through.
    """
    image = with_scale(_decode(data, source, max_pixels, keep_decoded), scale)
    return run_extractor(image, extractor, config)


def process_image(
    path: str,
    types: Sequence[str],
    config: Mapping[str, Any],
    max_pixels: int = DEFAULT_MAX_PIXELS,
    scale: Scale = "auto",
) -> ImageResult:
    """Decode one image and run the extractors of `types` on it, in this process."""
    start = time.perf_counter()
    ref = ImageRef(path)
    try:
        data = ref.read()
        found = plugins.extractors()
        tokens: list[Token] = []
        said: list[str] = []
        out: InstanceOutput | None = None
        image: DecodedImage | None = None
        for token_type in types:
            extractor = found.get(token_type)
            if extractor is None:
                raise UsageError(f"no extractor for token type {token_type!r}")
            if image is None:  # decoded once for all types
                image = with_scale(decode(data, ref.path, max_pixels=max_pixels), scale)
            out = run_extractor(image, extractor, config.get(token_type, {}))
            tokens.extend(out.tokens)
            said.extend(out.warnings)
    except InputError as exc:
        return ImageResult(path, error=exc.reason, seconds=time.perf_counter() - start)
    except Exception as exc:  # a plugin's bug must fail this image only
        return ImageResult(
            path, error=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - start
        )
    if out is None:
        return ImageResult(path, seconds=time.perf_counter() - start)
    return ImageResult(
        path, out.image_id, out.width, out.height, tuple(tokens), None, time.perf_counter() - start,
        out.scale, tuple(said),
    )


_DETECTED_SCALES: dict[str, float] = {}  # image id -> detected scale, for this process


def with_scale(image: DecodedImage, scale: Scale) -> DecodedImage:
    """The image with its device scale set: given, or detected when `auto`.

    Detection is remembered per image id, so the instances of one image (one per token
    type) that land in the same worker detect it once.
    """
    if scale == "auto":
        value = _DETECTED_SCALES.get(image.id)
        if value is None:
            if len(_DETECTED_SCALES) >= 1024:
                _DETECTED_SCALES.clear()
            value = _DETECTED_SCALES[image.id] = detect_scale(image.pixels)
    else:
        value = float(scale)
    if value <= 0:
        raise UsageError(f"scale must be positive, got {scale!r}")
    return replace(image, scale=value)


GROUP_ORDER = ("color", "spacing", "sizing", "radius", "border", "font", "typography", "shadow")


def aggregate(results: Iterable[ImageResult], types: Sequence[str], config: Mapping[str, Any]) -> TokenSet:
    """Merge every image's raw tokens with the registered aggregators.

    Raw tokens are grouped by the first segment of their name (`color.…`, `spacing.…`,
    `radius.…`): an aggregator owns a group, whichever extractor produced the tokens, so
    border colors found by the layout extractor join the color tokens. `types` selects
    extractors and does not filter here.
    """
    found = plugins.aggregators()
    groups: dict[str, list[Token]] = {}
    for r in results:
        if r.error is None:
            for t in r.tokens:
                groups.setdefault(t.name.split(".")[0], []).append(t)
    order = sorted(groups, key=lambda g: (GROUP_ORDER.index(g) if g in GROUP_ORDER else len(GROUP_ORDER), g))
    tokens = TokenSet()
    for group in order:
        aggregator = found.get(group)
        if aggregator is None:
            raise PluginError(f"no aggregator registered for token group {group!r}")
        tokens.extend(aggregator.aggregate(groups[group], config.get(group, {})))
    return tokens


def relate(tokens: TokenSet) -> TokenGraph:
    # imported here: workers import this module for extract_instance and need no graph (networkx)
    from designlens.relate.graph import TokenGraph

    graph = TokenGraph()
    for analyzer in plugins.analyzers():
        for rel in analyzer.analyze(tokens):
            graph.add(rel)
    return graph


def extract(
    paths: Sequence[str],
    *,
    types: Sequence[str] = ("color",),
    config: Mapping[str, Any] | None = None,
    workers: int | None = None,
    bus: EventBus | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    scale: Scale = "auto",
    db: str | None = None,
    cache: ResultCache | str | os.PathLike[str] | None = None,
    resume: str | None = None,
    runtime: RuntimeOptions | None = None,
    handle_signals: bool = False,
) -> ExtractionResult:
    """Run the whole job on files, directories or globs; never raises for a bad image.

    `db` (a SQLAlchemy URL or SQLite path) keeps a job log: a killed run given the same
    arguments again, or `resume=JOB_ID`, finishes without redoing completed instances.
    `cache` (a ResultCache or a directory) skips the pixel work for images seen before.
    With `handle_signals`, SIGINT/SIGTERM stop dispatch and raise Interrupted.
    Raises UsageError (unknown type, unknown job), Interrupted, or StoreError.
    """
    return asyncio.run(
        extract_async(
            paths, types=types, config=config, workers=workers, bus=bus, max_pixels=max_pixels,
            scale=scale, db=db, cache=cache, resume=resume, runtime=runtime, handle_signals=handle_signals,
        )
    )


def job_key(spec: Mapping[str, Any]) -> str:
    """What identifies "the same command": inputs (absolute), types, config, scale, pixel limit."""
    text = json.dumps(spec, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


async def extract_async(
    paths: Sequence[str],
    *,
    types: Sequence[str] = ("color",),
    config: Mapping[str, Any] | None = None,
    workers: int | None = None,
    bus: EventBus | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    scale: Scale = "auto",
    db: str | None = None,
    cache: ResultCache | str | os.PathLike[str] | None = None,
    resume: str | None = None,
    runtime: RuntimeOptions | None = None,
    handle_signals: bool = False,
) -> ExtractionResult:
    """`extract` for callers already inside an event loop (the HTTP service)."""
    from designlens.cache import DiskCache
    from designlens.runtime.backends.select import open_backend
    from designlens.runtime.options import RuntimeOptions
    from designlens.runtime.scheduler import Plan, Scheduler

    bus = bus or EventBus()
    runtime = runtime or RuntimeOptions()
    if workers:
        runtime = replace(runtime, workers=workers)
    joblog = _open_joblog(db) if db or resume else None
    if resume and joblog is None:
        raise UsageError("--resume needs a store (--db)")
    spec: dict[str, Any] = {
        "paths": [os.path.abspath(p) for p in paths], "inputs": list(paths), "cwd": os.getcwd(),
        "types": list(types), "config": dict(config or {}), "scale": scale, "max_pixels": max_pixels,
    }
    shown = list(paths)  # inputs as the caller wrote them: errors and provenance name them so
    row = None
    if joblog is not None:
        if resume:
            row = joblog.find(resume)
            if row is None:
                raise UsageError(f"no job {resume!r} in the store {joblog.store.url}")
            spec = {
                "types": ["color"], "config": {}, "scale": "auto", "max_pixels": DEFAULT_MAX_PIXELS,
                **dict(row.spec),
            }
            same_dir = spec.get("cwd") == os.getcwd()
            shown = list(spec.get("inputs", spec["paths"]) if same_dir else spec["paths"])
        else:
            row = joblog.resumable(job_key(spec))
    types, scale, max_pixels = spec["types"], spec["scale"], spec["max_pixels"]
    config = spec["config"]
    known = plugins.extractors()
    unknown = [t for t in types if t not in known]
    if unknown:
        raise UsageError(f"unknown token type(s): {', '.join(unknown)} (have: {', '.join(sorted(known))})")
    job_id = row.id if row is not None else uuid.uuid4().hex[:12]
    done = {}
    if joblog is not None:
        bus.subscribe(joblog.record)
        done = joblog.begin(job_id, job_key(spec), spec, resume=row is not None)
    refs, errors = resolve_paths(shown)
    settings = {"scale": scale, "max_pixels": max_pixels}
    plan = Plan(
        job_id=job_id, refs=refs, types=list(types),
        extractors={t: f"{known[t].name}@{known[t].version}" + _route_tag(runtime, t) for t in types},
        configs={t: dict(config.get(t, {})) for t in types},
        config_hashes={t: config_hash(config.get(t, {}), **settings) for t in types},
        max_pixels=max_pixels, scale=scale,
    )
    result_cache = DiskCache(cache) if isinstance(cache, (str, os.PathLike)) else cache
    bus.publish(
        "job.created", job_id,
        {"inputs": len(refs) + len(errors), "images": len(refs), "types": list(types),
         "instances": len(refs) * len(types) + len(errors), "resumed": row is not None},
    )
    for err in errors:
        bus.publish("instance.failed", job_id, {"source": err.source, "error": err.reason})
    backend = open_backend(runtime, joblog.store if joblog is not None else None, bus)
    scheduler = Scheduler(plan, backend, bus, joblog, result_cache, done, grace=runtime.grace)
    loop = asyncio.get_running_loop()
    if handle_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, scheduler.stop.set)
    try:
        report = await scheduler.run()
    finally:
        if handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
        await backend.close()
    stats = {"pools": backend.stats(), "instances": dict(report.counts), "pending": report.pending}
    if isinstance(result_cache, DiskCache):
        stats["cache"] = {"hits": result_cache.hits, "misses": result_cache.misses}
    if report.interrupted:
        if joblog is not None:
            joblog.finish("cancelled" if joblog.status == "cancelling" else "interrupted")
        raise Interrupted(job_id, report.pending)
    images, ok = _image_results(report.outcomes, types)
    tokens = aggregate(ok, types, config)
    for token in tokens:
        bus.publish("token.extracted", job_id, {"name": token.name, "type": token.type})
    graph = relate(tokens)
    for rel in graph:
        bus.publish("relationship.discovered", job_id, {"source": rel.source, "target": rel.target,
                                                        "type": rel.type})
    errors = errors + report.read_errors
    failed = sum(1 for r in images if r.error) + len(errors)
    bus.publish("job.completed", job_id, {"tokens": len(tokens), "failed": failed})
    if joblog is not None:
        from designlens.runtime.codec import token_to_data

        joblog.finish(
            "completed",
            [token_to_data(t) for t in tokens],
            [{"source": r.source, "target": r.target, "type": r.type, "weight": r.weight,
              "attributes": dict(r.attributes)} for r in graph],
        )
        joblog.store.close()
    return ExtractionResult(job_id, tokens, graph, images, errors, stats)


def _open_joblog(db: str | None) -> JobLog:
    from designlens.store import database_url
    from designlens.store.database import Store
    from designlens.store.joblog import JobLog

    return JobLog(Store(database_url(db)))


def _route_tag(runtime: RuntimeOptions, token_type: str) -> str:
    """An external worker's results are cached apart from the built-in one's."""
    argv = runtime.routes.get(token_type)
    return f"+{hashlib.sha256(' '.join(argv).encode()).hexdigest()[:12]}" if argv else ""


def _image_results(
    outcomes: Iterable[Outcome], types: Sequence[str]
) -> tuple[list[ImageResult], list[ImageResult]]:
    """Per image: what it gave for reporting (with errors), and its good tokens for aggregation.

    Tokens come in `types` order within an image and images in source order, whatever
    order the instances finished in: same input, same bytes out.
    """
    by_image: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_image.setdefault(outcome.instance.image_id, []).append(outcome)
    order = {t: i for i, t in enumerate(types)}
    report: list[ImageResult] = []
    good: list[ImageResult] = []
    for parts in by_image.values():
        parts.sort(key=lambda o: order.get(o.instance.token_type, len(order)))
        first = parts[0]
        outs = [o.output for o in parts if o.output is not None]
        tokens = tuple(t for o in outs for t in o.tokens)
        errs = {o.instance.token_type: o.error for o in parts if o.error is not None}
        if not errs:
            error = None
        elif len(set(errs.values())) == 1 and len(errs) == len(parts):
            error = next(iter(errs.values()))
        else:
            error = "; ".join(f"{t}: {e}" for t, e in errs.items())
        meta = outs[0] if outs else None
        result = ImageResult(
            first.instance.source, first.instance.image_id, meta.width if meta else 0,
            meta.height if meta else 0, tokens, error, sum(o.seconds for o in parts),
            meta.scale if meta else 1.0, tuple(w for o in outs for w in o.warnings),
        )
        report.append(result)
        good.append(replace(result, error=None))
    report.sort(key=lambda r: r.source)
    good.sort(key=lambda r: r.source)
    return report, good


def render_exports(
    tokens: TokenSet, graph: TokenGraph, formats: Sequence[str], options: Mapping[str, Any] | None = None
) -> dict[str, bytes]:
    """File name -> bytes for each requested format."""
    found = plugins.exporters()
    unknown = [f for f in formats if f not in found]
    if unknown:
        raise UsageError(f"unknown format(s): {', '.join(unknown)} (have: {', '.join(sorted(found))})")
    return {found[f].file_name: found[f].export(tokens, graph, options or {}) for f in formats}


def write_exports(files: Mapping[str, bytes], out_dir: str | os.PathLike[str]) -> Path:
    """Write all files into `out_dir` atomically: a temp dir beside it, then a rename.

    An existing `out_dir` is replaced only if designlens made it (it holds our marker)
    or it is empty, so a mistyped `-o` never deletes someone's files.
    """
    out = Path(out_dir).resolve()
    if out.exists():
        if not out.is_dir():
            raise UsageError(f"{out}: output path exists and is not a directory")
        if any(out.iterdir()) and not (out / OUTPUT_MARKER).exists():
            raise UsageError(f"{out}: output directory is not empty and was not made by designlens")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        for name, data in files.items():
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (tmp / OUTPUT_MARKER).write_text("written by designlens; safe to replace\n")
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


__all__ = [
    "DesignlensError",
    "ExtractionResult",
    "ImageResult",
    "extract",
    "render_exports",
    "write_exports",
]
