"""Plugins: built-ins load through the entry points, and so does a third-party package."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from designlens import plugins

TINY = Path(__file__).parent / "plugins" / "designlens_tiny"


def test_builtins_are_loaded_through_the_same_entry_points_as_third_party_plugins() -> None:
    loaded, _ = plugins.discover("extractors")
    by_name = {p.entry_name: p for p in loaded}
    assert "color" in by_name
    assert by_name["color"].package == "designlens"
    assert isinstance(by_name["color"].plugin, plugins.Extractor)
    assert "dtcg" in plugins.exporters() and "css" in plugins.exporters()
    assert "color" in plugins.aggregators()


def test_unknown_plugin_kind_is_a_plugin_error() -> None:
    with pytest.raises(plugins.PluginError, match="wobble"):
        plugins.discover("wobble")


@pytest.fixture(scope="module")
def tiny_installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pip-installs the tiny plugin package into its own folder (not the shared venv)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--target", str(target), str(TINY)],
        check=True,
    )
    return target


def _designlens(args: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-c", "from designlens.cli import run; run()", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120,
    )


def test_installed_third_party_plugin_is_listed_with_its_version(
    tiny_installed: Path, tmp_path: Path
) -> None:
    result = _designlens(["plugins", "--json"], tiny_installed, tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    corner = next(r for r in rows if r["name"] == "corner")
    assert corner == {"kind": "extractors", "name": "corner", "version": "0.3.1",
                      "package": "designlens-tiny 0.3.1", "status": "ok"}
    assert any(r["name"] == "color" and r["package"].startswith("designlens ") for r in rows)


def test_a_broken_plugin_is_reported_and_the_others_still_load(tiny_installed: Path, tmp_path: Path) -> None:
    rows = json.loads(_designlens(["plugins", "--json"], tiny_installed, tmp_path).stdout)
    broken = next(r for r in rows if r["name"] == "broken")
    assert broken["status"].startswith("broken:") and "missing_module" in broken["status"]


def test_third_party_extractor_and_exporter_run_in_a_real_job(tiny_installed: Path, tmp_path: Path) -> None:
    Image.new("RGB", (32, 32), (10, 200, 30)).save(tmp_path / "a.png")
    out = tmp_path / "out"
    result = _designlens(
        ["extract", str(tmp_path / "a.png"), "-o", str(out), "--types", "corner",
         "--formats", "names,dtcg", "--workers", "1"],
        tiny_installed, tmp_path,
    )
    assert result.returncode == 0, result.stderr
    # the corner pixel went through the built-in color aggregator and out through the plugin
    assert re.fullmatch(r"color\.green\.\d+\n", (out / "names.txt").read_text())


def test_plugins_found_once_are_found_again_after_the_import_path_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The entry-point scan is remembered per process, but a plugin put on sys.path is seen."""
    fault_dir = Path(__file__).parent / "runtime" / "faultplug"
    assert "faults" not in plugins.extractors()
    monkeypatch.syspath_prepend(str(fault_dir))
    assert "faults" in plugins.extractors()
    monkeypatch.undo()
    assert "faults" not in plugins.extractors()


def test_each_discovery_makes_its_own_plugin_objects() -> None:
    """The scan is remembered, the objects are not: threads never share a plugin's state."""
    first, second = plugins.aggregators(), plugins.aggregators()
    assert first.keys() == second.keys() and first
    assert all(first[k] is not second[k] for k in first)
