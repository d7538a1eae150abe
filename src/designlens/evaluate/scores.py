"""The scores of eval/GROUND_TRUTH.md: pure functions of truth and prediction lists.

Every score is a float in 0..1 or None ("no data": nothing to measure on this page, or
the family was not extracted). None is never 0: means over pages skip it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from designlens.colorspace import delta_e_2000, rgb_to_lab
from designlens.evaluate.predict import PredictedGrid, Prediction
from designlens.evaluate.truth import GroundTruth, TruthColor, TruthGrid, TruthLength, TruthPaint, TruthText
from designlens.tokens import Color

Score = float | None

COLOR_DELTA_E = 2.0  # CIEDE2000: colors this close are the same paint
MIN_COLOR_SHARE = 0.001  # truth colors below this share are not asked for by the recalls
PX_TOLERANCE = 1.0  # CSS px
BORDER_TOLERANCE = 0.5  # CSS px: border widths are 1, 2, 3 px; within 1 px would take 2 for 1
GRID_TOLERANCE = 2.0  # CSS px: column width and gutter (the detector's and the truth's own tolerance)
MIN_SPACING_COUNT = 2

SCORES = (
    "color_recall",
    "color_recall_distinct",
    "color_precision",
    "color_exact",
    "color_f1",
    "font_size_recall",
    "font_size_precision",
    "font_size_f1",
    "line_height_recall",
    "spacing_recall",
    "spacing_precision",
    "spacing_f1",
    "radius_recall",
    "radius_precision",
    "radius_f1",
    "border_width_recall",
    "border_width_precision",
    "border_color_recall",
    "border_color_precision",
    "grid_columns_correct",
    "grid_correct",
    "palette_size",
)


def f1(recall: Score, precision: Score) -> Score:
    """Harmonic mean; 0 when recall is 0 (even with nothing predicted), None when unknown."""
    if recall == 0:
        return 0.0
    if recall is None or precision is None:
        return None
    if recall + precision == 0:
        return 0.0
    return 2 * recall * precision / (recall + precision)


def _lab(hexes: Sequence[str]) -> np.ndarray:
    return rgb_to_lab(np.array([Color(h).rgb for h in hexes], dtype=np.float64).reshape(-1, 3))


def color_scores(truth: Sequence[TruthColor], predicted: Sequence[str]) -> dict[str, Score]:
    """color_recall, color_recall_distinct, color_precision, color_exact for one page."""
    shares: dict[str, float] = {}
    for c in truth:  # a truth color is a distinct hex; its shares over kinds add up
        shares[c.hex] = shares.get(c.hex, 0.0) + c.share
    every = sorted(shares)
    asked = [h for h in every if shares[h] >= MIN_COLOR_SHARE]
    out: dict[str, Score] = {
        "color_recall": None, "color_recall_distinct": None, "color_precision": None, "color_exact": None,
    }
    if asked and not predicted:
        out["color_recall"] = out["color_recall_distinct"] = 0.0
    if not predicted:
        return out
    pred = list(predicted)
    if asked:
        de = delta_e_2000(_lab(asked)[:, None, :], _lab(pred)[None, :, :])
        matched = de.min(axis=1) <= COLOR_DELTA_E
        weights = np.array([shares[h] for h in asked])
        out["color_recall"] = float(weights[matched].sum() / weights.sum())
        out["color_recall_distinct"] = float(matched.mean())
        if matched.any():
            nearest = de.argmin(axis=1)
            exact = [pred[int(nearest[i])] == asked[i] for i in np.flatnonzero(matched)]
            out["color_exact"] = float(np.mean(exact))
    if every:
        de_all = delta_e_2000(_lab(pred)[:, None, :], _lab(every)[None, :, :])
        out["color_precision"] = float((de_all.min(axis=1) <= COLOR_DELTA_E).mean())
    else:
        out["color_precision"] = 0.0  # the page paints nothing we know of: every prediction is wrong
    return out


def _near(values: Sequence[float], others: Sequence[float], tolerance: float = PX_TOLERANCE) -> np.ndarray:
    """For each value: is some other value within `tolerance` px?"""
    if not values:
        return np.zeros(0, dtype=bool)
    if not others:
        return np.zeros(len(values), dtype=bool)
    d = np.abs(np.asarray(values, dtype=np.float64)[:, None] - np.asarray(others, dtype=np.float64)[None, :])
    return np.asarray(d.min(axis=1) <= tolerance + 1e-9)


def weighted_recall(
    values: Sequence[float],
    weights: Sequence[float],
    predicted: Sequence[float],
    tolerance: float = PX_TOLERANCE,
) -> Score:
    """Weight of truth values matched within `tolerance` px over all their weight; None with no weight."""
    w = np.asarray(weights, dtype=np.float64)
    if w.size == 0 or w.sum() <= 0:
        return None
    return float(w[_near(values, predicted, tolerance)].sum() / w.sum())


def precision(predicted: Sequence[float], truth: Sequence[float], tolerance: float = PX_TOLERANCE) -> Score:
    """Share of predicted values within `tolerance` px of a truth value; None when nothing was predicted."""
    if not predicted:
        return None
    return float(_near(predicted, truth, tolerance).mean())


def _border_scores(
    widths: Sequence[TruthLength] | None, paints: Sequence[TruthPaint] | None, pred: Prediction
) -> dict[str, Score]:
    """Beyond the format (truth from designlens' own builder): border widths within ±0.5 px,
    and the painted colours of visible border sides matched within ΔE2000 2 by colours the
    prediction names as borders. Recalls weigh by count (border sides, elements)."""
    out: dict[str, Score] = {}
    if widths is not None and pred.border_widths is not None:
        px = [w.px for w in widths]
        counts = [w.count for w in widths]
        out["border_width_recall"] = weighted_recall(px, counts, pred.border_widths, BORDER_TOLERANCE)
        out["border_width_precision"] = precision(pred.border_widths, px, BORDER_TOLERANCE)
    if paints is not None and pred.border_colors is not None:
        asked = [p for p in paints if p.count > 0]
        got = list(pred.border_colors)
        if asked:
            if got:
                de = delta_e_2000(_lab([p.hex for p in asked])[:, None, :], _lab(got)[None, :, :])
                hit = de.min(axis=1) <= COLOR_DELTA_E
            else:
                hit = np.zeros(len(asked), dtype=bool)
            weights = np.array([p.count for p in asked], dtype=np.float64)
            out["border_color_recall"] = float(weights[hit].sum() / weights.sum())
        if got:
            known = [p.hex for p in paints]
            if known:
                de = delta_e_2000(_lab(got)[:, None, :], _lab(known)[None, :, :])
                out["border_color_precision"] = float((de.min(axis=1) <= COLOR_DELTA_E).mean())
            elif widths is not None and not widths:
                out["border_color_precision"] = 0.0  # no border shows: every border colour is wrong
    return out


def _grid_matches(guess: PredictedGrid, row: TruthGrid, geometry: bool) -> bool:
    """Same column count; with `geometry`, also column width and gutter within GRID_TOLERANCE."""
    if guess.columns != row.columns:
        return False
    if not geometry:
        return True

    def near(value: float | None, truth: float) -> bool:
        return value is not None and abs(value - truth) <= GRID_TOLERANCE + 1e-9

    return near(guess.column_width, row.column_width) and near(guess.gutter, row.gutter)


def _grid_scores(
    truth: Sequence[TruthGrid] | None, predicted: Sequence[PredictedGrid] | None
) -> dict[str, Score]:
    """Beyond the format (truth from designlens' own builder): is the predicted column grid a
    row the page lays out? `grid_columns_correct` asks for the column count of some truth row,
    `grid_correct` also for that row's column width and gutter. A page with no truth row
    asks for no prediction (1.0 when none, else 0.0); a page with one and no prediction is 0.0.
    Several predicted grids score the share of them that match."""
    if truth is None or predicted is None:
        return {}
    out: dict[str, Score] = {}
    for key, geometry in (("grid_columns_correct", False), ("grid_correct", True)):
        if not predicted:
            out[key] = 0.0 if truth else 1.0
        else:
            out[key] = float(np.mean([any(_grid_matches(g, r, geometry) for r in truth) for g in predicted]))
    return out


def _text_scores(truth: Sequence[TruthText], pred: Prediction) -> dict[str, Score]:
    sizes = [t.font_size for t in truth]
    size_recall = None if pred.font_sizes is None else weighted_recall(
        sizes, [t.area for t in truth], pred.font_sizes
    )
    size_precision = None if pred.font_sizes is None else precision(pred.font_sizes, sizes)
    lines = [(t.line_height, t.area) for t in truth if t.line_height is not None]
    line_recall = None if pred.line_heights is None else weighted_recall(
        [v for v, _ in lines], [a for _, a in lines], pred.line_heights
    )
    return {
        "font_size_recall": size_recall,
        "font_size_precision": size_precision,
        "font_size_f1": f1(size_recall, size_precision),
        "line_height_recall": line_recall,
    }


def _spacing_scores(truth: Sequence[TruthLength], predicted: Sequence[float]) -> dict[str, Score]:
    asked = [s for s in truth if s.count >= MIN_SPACING_COUNT]
    recall = weighted_recall([s.px for s in asked], [s.count for s in asked], predicted)
    prec = precision(predicted, [s.px for s in truth])
    return {"spacing_recall": recall, "spacing_precision": prec, "spacing_f1": f1(recall, prec)}


def score_page(truth: GroundTruth, pred: Prediction) -> dict[str, Score]:
    """Every score of one page, keyed as in SCORES."""
    out: dict[str, Score] = dict.fromkeys(SCORES)
    if pred.colors is not None:
        out["palette_size"] = float(len(pred.colors))
        if truth.colors is not None:
            out.update(color_scores(truth.colors, pred.colors))
            out["color_f1"] = f1(out["color_recall_distinct"], out["color_precision"])
    if truth.typography is not None:
        out.update(_text_scores(truth.typography, pred))
    if truth.spacing is not None and pred.spacing is not None:
        out.update(_spacing_scores(truth.spacing, pred.spacing))
    if truth.radii is not None and pred.radii is not None:
        out["radius_recall"] = weighted_recall(
            [r.px for r in truth.radii], [r.count for r in truth.radii], pred.radii
        )
        # beyond the format's scores: a radius token no corner has is as wrong as a missed one
        out["radius_precision"] = precision(pred.radii, [r.px for r in truth.radii])
        out["radius_f1"] = f1(out["radius_recall"], out["radius_precision"])
    out.update(_border_scores(truth.borders, truth.border_colors, pred))
    out.update(_grid_scores(truth.grids, pred.grids))
    return out


def mean_scores(pages: Sequence[Mapping[str, Score]], keys: Sequence[str] = SCORES) -> dict[str, Score]:
    """Mean over pages of each key, skipping None; None when no page has it."""
    out: dict[str, Score] = {}
    for key in keys:
        values = [v for p in pages if (v := p.get(key)) is not None]
        out[key] = float(np.mean(values)) if values else None
    return out
