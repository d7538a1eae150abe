"""The CLI end to end: exports, exit codes, one clear line per bad input, nothing else lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from designlens.cli import app
from tests.synthetic import UI_PAINT, bomb_png, draw_ui

runner = CliRunner()


def color_hexes(node: object) -> list[str]:
    """Every color token's hex in a DTCG document."""
    if not isinstance(node, dict):
        return []
    if node.get("$type") == "color" and isinstance(node.get("$value"), dict):
        return [node["$value"]["hex"]]
    return [h for key, child in node.items() if not key.startswith("$") for h in color_hexes(child)]


@pytest.fixture
def shots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "shots"
    folder.mkdir()
    draw_ui().save(folder / "settings.png")
    Image.new("RGB", (400, 300), "#0f766e").save(folder / "teal.png")
    return folder


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_extract_writes_dtcg_and_css_and_exits_0(shots: Path, tmp_path: Path) -> None:
    code, out, err = run("extract", str(shots), "-o", str(tmp_path / "out"), "--json", "--workers", "2")
    assert code == 0, err
    summary = json.loads(out)
    assert sorted(summary["files"]) == ["tokens.css", "tokens.json"]
    assert summary["failures"] == []
    doc = json.loads((tmp_path / "out" / "tokens.json").read_text())
    hexes = set(color_hexes(doc))
    assert set(UI_PAINT) | {"#0f766e"} <= hexes
    css = (tmp_path / "out" / "tokens.css").read_text()
    assert "--color-white: #ffffff;" in css


def test_each_bad_input_gets_one_line_naming_it_and_the_good_images_are_still_exported(
    shots: Path, tmp_path: Path
) -> None:
    (shots / "empty.png").write_bytes(b"")
    (shots / "truncated.png").write_bytes((shots / "teal.png").read_bytes()[:90])
    (shots / "notes.png").write_text("not an image\n")
    (shots / "bomb.png").write_bytes(bomb_png())
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    code, out, err = run(
        "extract", str(shots), str(tmp_path / "missing.png"), str(nothing), str(logo),
        "-o", str(tmp_path / "out"), "--json",
    )
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    for name, reason in [
        ("empty.png", "empty file"),
        ("truncated.png", "truncated"),
        ("notes.png", "not a supported image"),
        ("bomb.png", "decompression bomb"),
        ("missing.png", "no such file"),
        ("nothing", "holds no images"),
        ("logo.svg", "not a supported image"),
    ]:
        assert any(name in line and reason in line for line in lines), (name, err)
    assert len(json.loads(out)["failures"]) == 7
    doc = json.loads((tmp_path / "out" / "tokens.json").read_text())
    assert "white" in doc["color"]  # the good images were processed and exported


def test_unknown_type_or_format_or_scale_is_a_usage_error_with_exit_2(shots: Path, tmp_path: Path) -> None:
    for extra in (["--types", "wobble"], ["--formats", "pdf"], ["--scale", "huge"]):
        code, _, err = run("extract", str(shots), "-o", str(tmp_path / "o"), *extra)
        assert code == 2, (extra, err)
        assert "error:" in err
    assert not (tmp_path / "o").exists()


def test_same_input_gives_byte_identical_exports(shots: Path, tmp_path: Path) -> None:
    assert run("extract", str(shots), "-o", str(tmp_path / "a"))[0] == 0
    assert run("extract", str(shots), "-o", str(tmp_path / "b"), "--workers", "1")[0] == 0
    for name in ("tokens.json", "tokens.css"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_non_empty_folder_not_made_by_designlens_is_never_overwritten(shots: Path, tmp_path: Path) -> None:
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    code, _, err = run("extract", str(shots), "-o", str(precious))
    assert code == 2 and "not made by designlens" in err
    assert (precious / "thesis.txt").read_text() == "years of work"
    # ...while a folder designlens wrote is replaced as a whole
    assert run("extract", str(shots), "-o", str(tmp_path / "out"))[0] == 0
    (tmp_path / "out" / "stale.txt").write_text("old")
    assert run("extract", str(shots), "-o", str(tmp_path / "out"))[0] == 0
    assert not (tmp_path / "out" / "stale.txt").exists()


def test_summary_table_shows_tokens_and_where_files_went(shots: Path, tmp_path: Path) -> None:
    code, out, _ = run("extract", str(shots / "teal.png"), "-o", str(tmp_path / "out"))
    assert code == 0
    assert "#0f766e" in out and "tokens.json" in out and str(tmp_path / "out") in out.replace("\n", "")


def test_console_script_is_installed_and_reports_its_version() -> None:
    exe = Path(sys.executable).with_name("designlens")
    result = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip()[0].isdigit()


def test_an_extractor_that_gives_up_says_why_on_stderr_and_in_json_also_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Image.new("RGB", (640, 400), "#ffffff").save(tmp_path / "blank.png")
    args = ["extract", str(tmp_path / "blank.png"), "--cache", str(tmp_path / "cache"), "--json"]
    for run_no in (1, 2):  # the second run is served by the result cache
        code, out, err = run(*args, "-o", str(tmp_path / f"out{run_no}"))
        assert code == 0, err
        said = json.loads(out)["images"][0]["warnings"]
        assert any(w.startswith("typography: ") and "no text lines" in w for w in said), said
        assert any(line.startswith("warning: ") and "blank.png" in line and "no text lines" in line
                   for line in err.splitlines())


def test_set_passes_an_extractor_setting_and_a_typo_is_a_usage_error(shots: Path, tmp_path: Path) -> None:
    base = ("extract", str(shots / "settings.png"), "--types", "color", "--workers", "1", "--json")
    code, _out, err = run(*base, "-o", str(tmp_path / "a"))
    assert code == 0, err
    default = set(color_hexes(json.loads((tmp_path / "a" / "tokens.json").read_text())))
    code, _out, err = run(*base, "-o", str(tmp_path / "b"), "--set", "color.merge_delta_e=60")
    assert code == 0, err
    merged = set(color_hexes(json.loads((tmp_path / "b" / "tokens.json").read_text())))
    assert len(merged) < len(default)  # a wide merge radius folds near colors together
    code, _out, err = run(*base, "-o", str(tmp_path / "c"), "--set", "color.merge_delta=3")
    assert code == 2 and "color has no setting 'merge_delta'" in err and "merge_delta_e" in err
    code, _out, err = run(*base, "-o", str(tmp_path / "c"), "--set", "colour.merge_delta_e=3")
    assert code == 2 and "no extractor or aggregator for 'colour'" in err
    code, _out, err = run(*base, "-o", str(tmp_path / "c"), "--set", "merge_delta_e")
    assert code == 2 and "TYPE.KEY=VALUE" in err


def test_set_reaches_aggregators_too_and_checks_their_keys() -> None:
    """A group's config goes to its aggregator as well (pipeline.aggregate), so `--set`
    takes the keys aggregators publish: spacing has no extractor of its own."""
    from designlens.plugins import settings

    items = ['spacing.base_prior={"8": 0.9}', "typography.size_tolerance=0.1", "layout.line_boxes=false"]
    got = settings(items)
    assert got == {"spacing": {"base_prior": {"8": 0.9}}, "typography": {"size_tolerance": 0.1},
                   "layout": {"line_boxes": False}}
    with pytest.raises(ValueError, match=r"spacing has no setting 'base_priors'.*base_prior"):
        settings(["spacing.base_priors={}"])
