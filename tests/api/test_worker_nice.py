"""The service's local workers run niced (DESIGNLENS_WORKER_NICE) so the API stays responsive."""

from __future__ import annotations

import shutil

import pytest

from designlens.api.jobs import NICE_ENV, worker_argv
from designlens.errors import UsageError
from designlens.runtime.options import default_worker_argv


def test_workers_are_niced_by_default_and_the_level_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    nice = shutil.which("nice")
    assert nice is not None
    monkeypatch.delenv(NICE_ENV, raising=False)
    assert worker_argv() == (nice, "-n", "10", *default_worker_argv())
    monkeypatch.setenv(NICE_ENV, "19")
    assert worker_argv()[:3] == (nice, "-n", "19")
    monkeypatch.setenv(NICE_ENV, "0")
    assert worker_argv() == default_worker_argv()


@pytest.mark.parametrize("value", ["-5", "20", "high"])
def test_a_niceness_out_of_range_is_a_usage_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(NICE_ENV, value)
    with pytest.raises(UsageError, match=NICE_ENV):
        worker_argv()
