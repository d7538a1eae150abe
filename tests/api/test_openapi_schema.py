"""schemathesis against the app's own OpenAPI schema: whatever a client sends, no 500, and every
answer matches what the schema documents (status codes, problem+json, Allow headers)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from designlens.api.app import create_app
from tests.api.conftest import make_settings

pytestmark = pytest.mark.timeout(120)

_ROOT = tempfile.TemporaryDirectory(prefix="designlens-schemathesis-")
APP = create_app(make_settings(Path(_ROOT.name), max_running_jobs=1, grace=0.2))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_request_the_schema_allows_gets_a_documented_answer_and_never_a_500(
    case: schemathesis.Case,
) -> None:
    # A schema-valid URL may still be refused (private address, no such host): 422 is right there.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
