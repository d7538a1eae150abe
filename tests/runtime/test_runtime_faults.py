"""Fault tests through the CLI: each fault fails its own instance with a clear error, the worker
is restarted, the batch completes, everything else is exported, and the exit code is 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runtime.rt_helpers import make_screens, run_cli

FAULTS = {
    # kind: (what the error says, whether the worker had to be restarted)
    "raise": ("PluginError: ValueError: boom on raise.png", False),
    "abort": ("killed by SIGABRT", True),
    "hang": ("timed out after 6 s", True),
    "hog": ("MemoryError", True),
    "garbage": ("broke the protocol", True),
}


def _images(node: dict[str, object]) -> set[str]:
    """Image ids in the provenance of every token under a DTCG group."""
    if "$value" in node:
        meta = node["$extensions"]["designlens"]  # type: ignore[index]
        return {p["image"] for p in meta.get("provenance", [])}
    return {i for k, v in node.items() if not k.startswith("$") for i in _images(v)}  # type: ignore[arg-type]


def _run_batch(tmp_path: Path, bad: str, *extra: str) -> tuple[int, dict[str, object], str, Path]:
    make_screens(tmp_path / "shots", ["ok-1.png", "ok-2.png", "ok-3.png", bad])
    out = tmp_path / "out"
    proc = run_cli(
        ["extract", "shots", "--types", "color,faults", "--formats", "dtcg", "-o", str(out), "--db",
         str(tmp_path / "db.sqlite"), "--no-cache", "--workers", "2", "--timeout", "6", "--memory-limit",
         "2048", "--json", *extra],
        tmp_path,
    )
    return proc.returncode, json.loads(proc.stdout), proc.stderr, out


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_faulty_plugin_fails_only_its_instance_and_the_rest_is_exported(tmp_path: Path, kind: str) -> None:
    message, restarts = FAULTS[kind]
    code, summary, stderr, out = _run_batch(tmp_path, f"{kind}.png")
    assert code == 1, stderr
    [failure] = summary["failures"]  # type: ignore[misc]
    assert failure["source"].endswith(f"{kind}.png")
    assert failure["error"].startswith("faults: ") and message in failure["error"]
    assert f"{kind}.png" in stderr and message in stderr
    pool = summary["runtime"]["pools"]["default"]  # type: ignore[index]
    assert (pool["restarts"] >= 1) is restarts
    document = json.loads((out / "tokens.json").read_text())
    assert len(document["faults"]) == 3  # one token per good image
    assert len(_images(document["color"])) == 4  # the faulty image's color instance still ran


def test_missing_worker_binary_fails_its_instances_and_the_rest_is_exported(tmp_path: Path) -> None:
    code, summary, _, out = _run_batch(
        tmp_path, "ok-4.png", "--worker-cmd", "faults=/nonexistent/designlens-worker"
    )
    assert code == 1
    failures = summary["failures"]
    assert len(failures) == 4  # type: ignore[arg-type]
    assert all("/nonexistent/designlens-worker" in f["error"] and "No such file" in f["error"]
               for f in failures)  # type: ignore[union-attr]
    document = json.loads((out / "tokens.json").read_text())
    assert "faults" not in document and document["color"]


def test_external_javascript_worker_serves_a_token_type(tmp_path: Path) -> None:
    from tests.runtime.rt_helpers import JS_WORKER

    code, summary, stderr, out = _run_batch(tmp_path, "ok-4.png", "--worker-cmd", f"faults=node {JS_WORKER}")
    assert code == 0, stderr
    document = json.loads((out / "tokens.json").read_text())
    assert len(document["faults"]) == 4
    assert all(t["$extensions"]["designlens"]["worker"] == "javascript" for t in document["faults"].values())
    assert summary["runtime"]["pools"]["faults"]["calls"] == 4  # type: ignore[index]


def test_stats_flag_prints_calls_errors_restarts_and_latency(tmp_path: Path) -> None:
    make_screens(tmp_path / "shots", ["a.png", "abort.png"])
    proc = run_cli(["extract", "shots", "--types", "color,faults", "-o", str(tmp_path / "out"), "--db",
                    str(tmp_path / "db.sqlite"), "--no-cache", "--workers", "1", "--stats"], tmp_path)
    assert proc.returncode == 1
    for column in ("calls", "errors", "restarts", "p50 ms", "p99 ms"):
        assert column in proc.stderr
    assert "instances: run 3, cached 0, resumed 0, failed 1" in proc.stderr
