"""`designlens eval DIR` end to end on page sets generated here, and how it reports bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from designlens.cli import app
from designlens.evaluate import evaluate_truths, load_truth
from designlens.evaluate import run as eval_run
from designlens.pipeline import ImageResult

PAINT = {
    "#ffffff": (255, 255, 255),
    "#0d6efd": (13, 110, 253),
    "#212529": (33, 37, 41),
    "#dee2e6": (222, 226, 230),
}
UNPAINTED_SHARE = 0.05  # the truth names #ff0000, which the image never shows


def _paint() -> np.ndarray:
    px = np.full((160, 240, 3), 255, np.uint8)
    px[20:80, 20:120] = PAINT["#0d6efd"]
    px[100:140, 140:220] = PAINT["#212529"]
    px[150, 20:220] = PAINT["#dee2e6"]
    return px


def _truth_doc(image: str, px: np.ndarray, scale: float = 1) -> dict[str, Any]:
    total = px.shape[0] * px.shape[1]
    colors = []
    for hex_, rgb in PAINT.items():
        share = float(np.all(px == rgb, axis=-1).sum() / total)
        colors.append({"hex": hex_, "share": share, "kind": "background", "note": "unknown: ignored"})
    colors.append({"hex": "#ff0000", "share": UNPAINTED_SHARE, "kind": "text"})
    return {
        "schema": "designlens-groundtruth/1",
        "image": image,
        "source": "synthetic",
        "viewport": {"width": px.shape[1], "height": px.shape[0], "device_scale_factor": scale},
        "colors": colors,
        "typography": [{"font_size": 16, "line_height": 24, "font_weight": 400, "area": 500}],
        "spacing": [{"px": 16, "count": 3}],
        "radii": [],
        "shadows": [],
        "extra_field": {"anything": True},
    }


@pytest.fixture
def page_set(tmp_path: Path) -> Path:
    px = _paint()
    Image.fromarray(px).save(tmp_path / "flat.png")
    (tmp_path / "flat.json").write_text(json.dumps(_truth_doc("flat.png", px)))
    Image.fromarray(px).save(tmp_path / "flat.jpg", quality=90)
    (tmp_path / "flat-jpeg.json").write_text(json.dumps(_truth_doc("flat.jpg", px)))
    (tmp_path / "package.json").write_text(json.dumps({"name": "not a truth file"}))
    return tmp_path


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, ["eval", *args])


def test_eval_json_scores_a_generated_page_set_with_known_answers(page_set: Path):
    result = _run(str(page_set), "--json", "--types", "color", "--workers", "2")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    pages = {p["page"]: p for p in report["pages"]}
    assert sorted(pages) == ["flat", "flat-jpeg"]  # package.json is not a truth file
    flat = pages["flat"]
    assert flat["image"] == "flat.png"
    assert flat["color_recall"] == pytest.approx(1 / (1 + UNPAINTED_SHARE))
    assert flat["color_recall_distinct"] == pytest.approx(4 / 5)
    assert flat["color_precision"] == 1.0
    assert flat["color_exact"] == 1.0
    assert flat["color_f1"] == pytest.approx(2 * 0.8 / 1.8)
    assert flat["palette_size"] == 4
    assert flat["seconds"] > 0
    assert pages["flat-jpeg"]["color_recall"] > 0.9  # the JPEG copy shares the truth
    overall = report["overall"]
    assert overall["color_recall"] == pytest.approx(
        (flat["color_recall"] + pages["flat-jpeg"]["color_recall"]) / 2
    )
    # Families whose extractor was not requested are null, not 0.
    for key in ("font_size_recall", "line_height_recall", "spacing_recall", "radius_recall", "spacing_f1"):
        assert flat[key] is None
        assert overall[key] is None
    assert report["errors"] == []


def test_eval_requested_type_without_extractor_is_noted_and_its_scores_null(page_set: Path):
    result = _run(str(page_set), "--json", "--types", "hologram")
    assert result.exit_code == 0
    assert "no extractor for token type 'hologram'" in result.stderr
    report = json.loads(result.stdout)
    assert report["types"] == []
    assert len(report["pages"]) == 2
    assert all(v is None for k, v in report["overall"].items() if k != "seconds")


def test_eval_prints_a_table_per_page_and_overall(page_set: Path):
    result = _run(str(page_set), "--types", "color")
    assert result.exit_code == 0
    assert "flat-jpeg" in result.stdout
    assert "overall (mean)" in result.stdout
    assert f"{1 / (1 + UNPAINTED_SHARE):.3f}" in result.stdout  # flat's color_recall


def test_bad_files_are_named_one_line_each_and_other_pages_still_scored(page_set: Path):
    (page_set / "broken.json").write_text("{ not json")
    doc = _truth_doc("gone.png", _paint())
    (page_set / "orphan.json").write_text(json.dumps(doc))
    doc = _truth_doc("flat.png", _paint())
    doc["colors"][0]["hex"] = "white"
    (page_set / "badhex.json").write_text(json.dumps(doc))
    (page_set / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (page_set / "corrupt.json").write_text(json.dumps(_truth_doc("corrupt.png", _paint())))
    result = _run(str(page_set), "--json")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 4
    assert any("broken.json" in e and "malformed JSON" in e for e in errors)
    assert any("orphan.json" in e and "gone.png" in e and "not found" in e for e in errors)
    assert any("badhex.json" in e and "hex" in e for e in errors)
    assert any("corrupt.json" in e and "corrupt.png" in e for e in errors)
    report = json.loads(result.stdout)
    assert sorted(p["page"] for p in report["pages"]) == ["flat", "flat-jpeg"]
    assert len(report["errors"]) == 4


def test_missing_directory_is_a_usage_error_naming_it(tmp_path: Path):
    result = _run(str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "nope" in result.stderr and "not a directory" in result.stderr


def test_directory_without_truth_files_is_a_usage_error(tmp_path: Path):
    (tmp_path / "other.json").write_text("{}")
    result = _run(str(tmp_path))
    assert result.exit_code == 2
    assert "no ground-truth files" in result.stderr


def test_extraction_is_told_the_page_device_scale_factor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    px = _paint()
    Image.fromarray(px).save(tmp_path / "p.png")
    (tmp_path / "p.json").write_text(json.dumps(_truth_doc("p.png", px, scale=2)))
    (tmp_path / "q.json").write_text(json.dumps({**_truth_doc("p.png", px), "viewport": {}}))
    seen: list[object] = []

    def spy(path: str, types: Any, config: Any, max_pixels: int = 0, scale: object = "auto") -> ImageResult:
        seen.append(scale)
        return ImageResult(path)

    monkeypatch.setattr(eval_run, "process_image", spy)
    truths = [t for t in (load_truth(tmp_path / "p.json"), load_truth(tmp_path / "q.json")) if t]
    pages, errors = evaluate_truths(truths, ["color"], workers=1)
    assert sorted(seen, key=str) == [1.0, 2.0]  # default 1 when the viewport does not say
    assert len(pages) == 2 and errors == []


def test_eval_set_reaches_extraction_and_a_typo_is_a_usage_error(
    page_set: Path, monkeypatch: pytest.MonkeyPatch
):
    seen: list[object] = []

    def spy(path: str, types: Any, config: Any, max_pixels: int = 0, scale: object = "auto") -> ImageResult:
        seen.append(config)
        return ImageResult(path)

    monkeypatch.setattr(eval_run, "process_image", spy)
    result = _run(str(page_set), "--types", "layout", "--workers", "1", "--set", "layout.line_boxes=true")
    assert result.exit_code == 0, result.output
    assert seen and all(c == {"layout": {"line_boxes": True}} for c in seen)
    result = _run(str(page_set), "--types", "layout", "--set", "layout.line_box=true")
    assert result.exit_code == 2 and "layout has no setting 'line_box'" in result.stderr
