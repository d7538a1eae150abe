from __future__ import annotations

import sys

import pytest

from tests.runtime.rt_helpers import FAULTPLUG


@pytest.fixture
def faultplug(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the fault plugin visible to this process (entry points) and to the workers it spawns."""
    monkeypatch.syspath_prepend(str(FAULTPLUG))
    monkeypatch.setenv("PYTHONPATH", str(FAULTPLUG))
    sys.modules.pop("faultplug", None)
