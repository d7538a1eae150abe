"""Accuracy floor: color scores on three committed eval pages must not drop below today's.

Floors are the scores measured when this test was written (color extractor of commit
9d15615, 2026-11-22) minus a margin of 0.03. A change that lowers them is a regression to fix,
or a deliberate trade to argue for in the commit that lowers a floor.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from designlens.evaluate import PageScore, evaluate_truths, load_truth

PAGES = Path(__file__).resolve().parent.parent / "eval" / "pages"
MARGIN = 0.03
MEASURED = {  # color_recall, color_recall_distinct, color_precision, color_exact, color_f1
    "dashboard": (0.9963, 0.9286, 1.0, 1.0, 0.963),  # light, Bootstrap, PNG
    "dark-dashboard": (0.9988, 0.9474, 0.9545, 0.8333, 0.9509),  # dark theme, PNG
    "data-table-jpeg": (0.9817, 0.6364, 0.6667, 0.4286, 0.6512),  # JPEG copy of a light page
}
KEYS = ("color_recall", "color_recall_distinct", "color_precision", "color_exact", "color_f1")


@pytest.fixture(scope="module")
def scored() -> dict[str, PageScore]:
    truths = [load_truth(PAGES / f"{name}.json") for name in MEASURED]
    pages, errors = evaluate_truths([t for t in truths if t is not None], ["color"], workers=2)
    assert errors == []
    return {p.truth.name: p for p in pages}


@pytest.mark.parametrize("page", sorted(MEASURED))
def test_color_scores_stay_above_todays_floor(scored: dict[str, PageScore], page: str):
    scores = scored[page].scores
    low = {
        key: (round(scores[key] or 0.0, 4), floor - MARGIN)
        for key, floor in zip(KEYS, MEASURED[page], strict=True)
        if (scores[key] or 0.0) < floor - MARGIN
    }
    assert not low, f"{page}: below floor (score, floor): {low}"
