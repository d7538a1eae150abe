"""Fixtures for the relate tests: the pinned node tools (for the npm apca-w3 reference)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools"


@pytest.fixture(scope="session")
def tools_dir() -> Path:
    """tools/, with node_modules installed from the committed lockfile when missing."""
    if not (TOOLS / "node_modules" / "apca-w3").exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install tools/package-lock.json"
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TOOLS, check=True)
    return TOOLS
