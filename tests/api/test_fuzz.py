"""Property-based fuzzing of the whole OpenAPI: no generated request gets a 500.

Schemathesis generates requests from the published schema (valid and invalid
bodies, both media types of /v1/screen, odd paths and headers) and sends them
with an admin key, so every route is reached past authentication.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from consentgate.api.app import create_app
from consentgate.service.keys import Scope
from consentgate.service.wiring import Services
from tests.api.conftest import make_settings
from tests.api.fakes import fake_engine


@pytest.fixture
def admin_app(tmp_path: Path) -> Iterator[Any]:
    config = make_settings(f"sqlite:///{tmp_path / 'fuzz.db'}", rate_limit_per_s=0)
    app = create_app(lambda: Services.build(config, engine_factory=fake_engine), background=False)
    runtime = app.state.runtime
    runtime.start(background=False)
    app.state.fuzz_key = runtime.ready_services().keys.create([Scope.ADMIN]).key
    yield app
    runtime.close()


def test_when_any_request_is_generated_from_the_schema_then_no_500(admin_app: Any) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", admin_app)
    headers = {"Authorization": f"Bearer {admin_app.state.fuzz_key}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4

    for operation in operations:
        strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )

        @given(case=strategy)
        @settings(
            max_examples=40,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def no_server_error(case: Any) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.path, response.text)
            if response.status_code >= 400:
                assert response.headers["content-type"][0] == "application/problem+json"

        no_server_error()
