"""The main job: sources -> images -> per-image extraction -> aggregation -> exports.

Images are independent units of work and fail alone: one corrupt file never sinks the batch.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from designlens import plugins
from designlens.errors import DesignlensError, InputError, PluginError, UsageError
from designlens.events import EventBus
from designlens.extract.scale import detect_scale
from designlens.images import DEFAULT_MAX_PIXELS, DecodedImage, decode
from designlens.relate.graph import TokenGraph
from designlens.sources import ImageRef, resolve_paths
from designlens.tokens import Token, TokenSet

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


@dataclass
class ExtractionResult:
    job_id: str
    tokens: TokenSet
    graph: TokenGraph
    images: list[ImageResult] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)  # inputs that never became images

    @property
    def failures(self) -> list[tuple[str, str]]:
        """(source, reason) for everything that failed, inputs and images alike."""
        out = [(e.source, e.reason) for e in self.errors]
        out += [(r.source, r.error) for r in self.images if r.error is not None]
        return out


Scale = float | Literal["auto"]


def process_image(
    path: str,
    types: Sequence[str],
    config: Mapping[str, Any],
    max_pixels: int = DEFAULT_MAX_PIXELS,
    scale: Scale = "auto",
) -> ImageResult:
    """Decode one image and run the extractors of `types` on it (runs in a worker process)."""
    start = time.perf_counter()
    ref = ImageRef(path)
    try:
        image = decode(ref.read(), ref.path, max_pixels=max_pixels)
        image = with_scale(image, scale)
        found = plugins.extractors()
        tokens: list[Token] = []
        for token_type in types:
            extractor = found.get(token_type)
            if extractor is None:
                raise UsageError(f"no extractor for token type {token_type!r}")
            tokens.extend(extractor.extract(image, config.get(token_type, {})))
    except InputError as exc:
        return ImageResult(path, error=exc.reason, seconds=time.perf_counter() - start)
    except Exception as exc:  # a plugin's bug must fail this image only
        return ImageResult(
            path, error=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - start
        )
    return ImageResult(
        path, image.id, image.width, image.height, tuple(tokens), None, time.perf_counter() - start,
        image.scale,
    )


def with_scale(image: DecodedImage, scale: Scale) -> DecodedImage:
    """The image with its device scale set: given, or detected when `auto`."""
    value = detect_scale(image.pixels) if scale == "auto" else float(scale)
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
) -> ExtractionResult:
    """Run the whole job on files, directories or globs; never raises for a bad image."""
    config = dict(config or {})
    bus = bus or EventBus()
    job_id = uuid.uuid4().hex[:12]
    known = plugins.extractors()
    unknown = [t for t in types if t not in known]
    if unknown:
        raise UsageError(f"unknown token type(s): {', '.join(unknown)} (have: {', '.join(sorted(known))})")
    refs, errors = resolve_paths(paths)
    bus.publish(
        "job.created", job_id, {"inputs": len(refs) + len(errors), "images": len(refs), "types": list(types)}
    )
    for err in errors:
        bus.publish("instance.failed", job_id, {"source": err.source, "error": err.reason})
    results = _run_all(refs, types, config, workers, bus, job_id, max_pixels, scale)
    # The same bytes reached twice are one image.
    unique: dict[str, ImageResult] = {}
    for r in results:
        key = r.image_id or f"failed:{r.source}"
        unique.setdefault(key, r)
    kept = list(unique.values())
    tokens = aggregate(kept, types, config)
    for token in tokens:
        bus.publish("token.extracted", job_id, {"name": token.name, "type": token.type})
    graph = relate(tokens)
    failed = sum(1 for r in kept if r.error) + len(errors)
    bus.publish("job.completed", job_id, {"tokens": len(tokens), "failed": failed})
    return ExtractionResult(job_id, tokens, graph, kept, errors)


def _run_all(
    refs: Sequence[ImageRef],
    types: Sequence[str],
    config: Mapping[str, Any],
    workers: int | None,
    bus: EventBus,
    job_id: str,
    max_pixels: int,
    scale: Scale,
) -> list[ImageResult]:
    n = workers or os.cpu_count() or 1
    results: list[ImageResult] = []

    def done(result: ImageResult) -> None:
        results.append(result)
        if result.error is None:
            bus.publish(
                "instance.completed",
                job_id,
                {"source": result.source, "tokens": len(result.tokens), "seconds": result.seconds},
            )
        else:
            bus.publish("instance.failed", job_id, {"source": result.source, "error": result.error})

    if n <= 1 or len(refs) <= 1:
        for ref in refs:
            bus.publish("instance.started", job_id, {"source": ref.path})
            done(process_image(ref.path, types, config, max_pixels, scale))
        return sorted(results, key=lambda r: r.source)
    with ProcessPoolExecutor(max_workers=min(n, len(refs))) as pool:
        futures: list[tuple[ImageRef, Future[ImageResult]]] = []
        for ref in refs:
            bus.publish("instance.started", job_id, {"source": ref.path})
            futures.append((ref, pool.submit(process_image, ref.path, types, config, max_pixels, scale)))
        for ref, future in futures:
            try:
                done(future.result())
            except Exception as exc:  # a worker that died takes only its image down
                done(ImageResult(ref.path, error=f"worker failed: {type(exc).__name__}: {exc}"))
    return sorted(results, key=lambda r: r.source)


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
