"""Score a page set: extract each page's image through the library, compare with its truth.

Extraction goes through `pipeline.process_image` + `pipeline.aggregate`, the same calls
`designlens extract` makes, so eval measures what users get. Images run in parallel
worker processes; an image shared by several truth files is extracted once per scale.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from designlens import plugins
from designlens.errors import InputError
from designlens.evaluate.predict import Prediction, prediction_from_tokens
from designlens.evaluate.scores import SCORES, Score, mean_scores, score_page
from designlens.evaluate.truth import GroundTruth, find_truths
from designlens.pipeline import aggregate, process_image


@dataclass(frozen=True)
class PageScore:
    """One truth file's scores, and the seconds its image took to extract."""

    truth: GroundTruth
    scores: dict[str, Score]
    seconds: float

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"page": self.truth.name, "image": self.truth.image.name}
        out.update(self.scores)
        if out.get("palette_size") is not None:
            out["palette_size"] = int(out["palette_size"])
        out["seconds"] = round(self.seconds, 4)
        return out


@dataclass
class EvalReport:
    types: tuple[str, ...]  # token types extracted
    skipped: tuple[str, ...]  # requested types with no extractor installed (their scores are null)
    pages: list[PageScore] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)  # files that could not be scored

    @property
    def overall(self) -> dict[str, Score]:
        """Mean over pages of each score (pages without data skipped), plus mean seconds."""
        rows = [{**p.scores, "seconds": p.seconds} for p in self.pages]
        return mean_scores(rows, (*SCORES, "seconds"))

    def as_json(self) -> dict[str, Any]:
        return {
            "pages": [p.as_json() for p in self.pages],
            "overall": self.overall,
            "types": list(self.types),
            "errors": [{"file": e.source, "error": e.reason} for e in self.errors],
        }


def predict_image(
    image: str, scale: float, types: Sequence[str], config: Mapping[str, Any]
) -> tuple[Prediction | None, float, str | None]:
    """Extract one image as `designlens extract` would: (prediction or None, seconds, error)."""
    start = time.perf_counter()
    result = process_image(image, types, config, scale=scale)
    if result.error is not None:
        return None, time.perf_counter() - start, result.error
    # Tokens of a group (name prefix) with no aggregator yet are scored raw rather than failing
    # the page: `designlens extract` would stop there, but the other families still count.
    known = plugins.aggregators()
    owned = tuple(t for t in result.tokens if t.name.split(".")[0] in known)
    tokens = aggregate([replace(result, tokens=owned)], types, config)
    tokens.extend(t for t in result.tokens if t not in owned and t.name not in tokens)
    return prediction_from_tokens(tokens, types), time.perf_counter() - start, None


def _extract_all(
    jobs: Sequence[tuple[str, float]], types: Sequence[str], config: Mapping[str, Any], workers: int
) -> dict[tuple[str, float], tuple[Prediction | None, float, str | None]]:
    if workers <= 1 or len(jobs) <= 1:
        return {job: predict_image(job[0], job[1], types, config) for job in jobs}
    out: dict[tuple[str, float], tuple[Prediction | None, float, str | None]] = {}
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        futures: list[tuple[tuple[str, float], Future[tuple[Prediction | None, float, str | None]]]] = [
            (job, pool.submit(predict_image, job[0], job[1], types, config)) for job in jobs
        ]
        for job, future in futures:
            try:
                out[job] = future.result()
            except Exception as exc:  # a dead worker takes only its image down
                out[job] = (None, 0.0, f"worker failed: {type(exc).__name__}: {exc}")
    return out


def resolve_types(requested: Sequence[str] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(types to extract, requested types with no extractor). None requests every installed type."""
    installed = plugins.extractors()
    if requested is None:
        return tuple(sorted(installed)), ()
    wanted = tuple(dict.fromkeys(requested))
    return tuple(t for t in wanted if t in installed), tuple(t for t in wanted if t not in installed)


def evaluate_truths(
    truths: Sequence[GroundTruth],
    types: Sequence[str],
    *,
    config: Mapping[str, Any] | None = None,
    workers: int | None = None,
) -> tuple[list[PageScore], list[InputError]]:
    """Score already-loaded truths; pages whose image fails are returned as errors."""
    jobs = list(dict.fromkeys((str(t.image), t.scale) for t in truths))
    n = workers or os.cpu_count() or 1
    predicted = _extract_all(jobs, tuple(types), dict(config or {}), n)
    pages: list[PageScore] = []
    errors: list[InputError] = []
    for truth in truths:
        prediction, seconds, error = predicted[(str(truth.image), truth.scale)]
        if prediction is None:
            errors.append(InputError(str(truth.path), f"{truth.image.name}: {error}"))
            continue
        pages.append(PageScore(truth, score_page(truth, prediction), seconds))
    return pages, errors


def evaluate_dir(
    directory: str | os.PathLike[str],
    types: Sequence[str] | None = None,
    *,
    config: Mapping[str, Any] | None = None,
    workers: int | None = None,
) -> EvalReport:
    """Score every ground-truth page in `directory`.

    Raises InputError when the directory is missing or holds no ground truth; broken
    files and failing images are collected in the report and the other pages still count.
    """
    truths, errors = find_truths(Path(directory))
    run_types, skipped = resolve_types(types)
    pages, failed = evaluate_truths(truths, run_types, config=config, workers=workers)
    return EvalReport(run_types, skipped, pages, errors + failed)
