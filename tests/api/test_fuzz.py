"""Property-based fuzzing of the whole OpenAPI, on SQLite and PostgreSQL: never a 500.

Schemathesis generates requests from the published schema (valid and invalid
bodies, both media types of /v1/screen, odd paths and query strings) and sends
them with an admin key, so every route is reached past authentication. Prompts
are kept (``store_prompts=all``) so that prompt text reaches the store too.

Generated strings may contain NUL (schemathesis allows it by default) and the
schema's text fields publish the characters they refuse, so negative mode sends
control characters; integers past a column's range come from negative mode (the
schema publishes each bound). A second pass takes valid requests and makes one
field hostile: a NUL or control character, an unpaired surrogate, an integer past
INTEGER or BIGINT, a malformed or oversized CSV. PostgreSQL is the store that
refuses NUL and out-of-range integers outright, so it is the one that matters. A
prompt is screened whatever it holds, so a hostile prompt is a 200 whose kept copy
the store must still accept.

Bounded: ``EXAMPLES`` per operation and mode, derandomized, no example database,
and a timeout per store.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from consentgate.api.app import create_app
from consentgate.service.keys import Scope
from consentgate.service.wiring import Services
from consentgate.settings import PromptStorage
from tests.api.conftest import make_settings
from tests.api.fakes import fake_engine
from tests.conftest import scratch_database

EXAMPLES = 25
BUDGET_S = 240

HOSTILE_TEXT = ["\x00", "a\x00b", "\x1b[2J", "line\x0bbreak", "\x7f"]
HOSTILE_JSON_TEXT = [*HOSTILE_TEXT, "\udcff"]  # a JSON body can carry an unpaired surrogate
HOSTILE_INT = [2**31, 2**63, -(2**63) - 1, 10**30]
MD5 = "0123456789abcdef0123456789abcdef"
HOSTILE_LISTS = [
    f"md5,note\n{MD5},a\x00b\n",
    f"md5,source,external_id\n{MD5},\x00,\x00\n",
    f'md5,note\n{MD5},\r"x\n',
    f"md5,note\n{MD5},{'n' * 131_073}\n",
    f"{MD5}\x00\n",
]

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def admin_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """The app with fake detectors, a bank ``0`` with entries 1 and 2, and an admin key.

    ``0`` and ``1`` are what Hypothesis tries first for a bank name and an entry id,
    so generated requests reach existing rows, not only 404s.
    """
    if request.param == "sqlite":
        yield from _app(f"sqlite:///{tmp_path / 'fuzz.db'}")
        return
    with scratch_database(request.getfixturevalue("postgres_url"), "cg_fuzz") as url:
        yield from _app(url)


def _app(url: str) -> Iterator[Any]:
    config = make_settings(url, rate_limit_per_s=0, store_prompts=PromptStorage.ALL)
    # Built once: schemathesis runs the app's lifespan again (and keeps it for the
    # process), which must find these services, not build a second set that outlives
    # the scratch database.
    services = Services.build(config, engine_factory=fake_engine)
    app = create_app(lambda: services, background=False)
    runtime = app.state.runtime
    runtime.start(background=False)
    banks = services.banks.service
    banks.create_bank("0", "ncii")
    banks.add_entry("0", md5=MD5)
    banks.add_entry("0", md5="f" * 32)
    app.state.fuzz_key = services.keys.create([Scope.ADMIN]).key
    yield app
    runtime.close()


def _operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_dict(app.openapi())
    schema.app = app  # calls go to the app in-process, as from_asgi would
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    return operations


def _check(case: Any, headers: dict[str, str]) -> None:
    response = case.call(headers=headers)
    where = (case.method, case.path, case.path_parameters, case.query, repr(case.body)[:300])
    assert response.status_code < 500, (where, response.text)
    if response.status_code >= 400:
        assert response.headers["content-type"][0] == "application/problem+json", where


@pytest.mark.timeout(BUDGET_S)
def test_when_any_request_is_generated_from_the_schema_then_no_500(admin_app: Any) -> None:
    headers = {"Authorization": f"Bearer {admin_app.state.fuzz_key}"}
    for operation in _operations(admin_app):
        strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )

        @given(case=strategy)
        @FUZZ
        def no_server_error(case: Any) -> None:
            _check(case, headers)

        no_server_error()


def _hostile_slots(case: Any) -> list[tuple[str, Any, list[Any]]]:
    """(where, key, values) for every field of a valid case that one hostile value can take."""
    slots: list[tuple[str, Any, list[Any]]] = []
    json_body = isinstance(case.body, dict) and case.media_type == "application/json"
    for where, fields in (
        ("body", case.body),
        ("query", case.query),
        ("path", case.path_parameters),
    ):
        if not isinstance(fields, dict):
            continue
        for key, value in fields.items():
            if isinstance(value, bool):
                continue
            if isinstance(value, int):
                slots.append((where, key, HOSTILE_INT))
            elif isinstance(value, str) and where != "path":
                texts = HOSTILE_JSON_TEXT if where == "body" and json_body else HOSTILE_TEXT
                slots.append((where, key, texts))
            elif isinstance(value, list) and where == "body" and json_body:
                # a list of strings (a conversation's history): a hostile turn, or too many
                slots.append((where, key, [[t] for t in HOSTILE_JSON_TEXT] + [["x"] * 21]))
    if isinstance(case.body, str):
        slots.append(("body", None, HOSTILE_LISTS))
    return slots


@pytest.mark.timeout(BUDGET_S)
def test_when_one_field_of_a_valid_request_is_hostile_then_no_500(admin_app: Any) -> None:
    headers = {"Authorization": f"Bearer {admin_app.state.fuzz_key}"}
    for operation in _operations(admin_app):

        @given(case=operation.as_strategy(GenerationMode.POSITIVE), data=st.data())
        @FUZZ
        def no_server_error(case: Any, data: st.DataObject) -> None:
            slots = _hostile_slots(case)
            if not slots:
                return
            where, key, values = data.draw(st.sampled_from(slots), label="field")
            value = data.draw(st.sampled_from(values), label="value")
            if key is None:
                case.body = value
            else:
                {"body": case.body, "query": case.query, "path": case.path_parameters}[where][
                    key
                ] = value
            _check(case, headers)

        no_server_error()


TURN = st.text(max_size=200) | st.sampled_from(HOSTILE_JSON_TEXT) | st.just("x" * 20_001)
HISTORY = (
    st.lists(TURN, max_size=22)
    | st.lists(st.integers() | st.none() | st.booleans(), min_size=1, max_size=3)
    | st.text(max_size=50)
    | st.integers()
    | st.none()
    | st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)
)


@pytest.mark.timeout(BUDGET_S)
def test_when_a_screen_carries_any_history_then_200_or_a_422_that_names_it(admin_app: Any) -> None:
    """/v1/screen's history, fuzzed: whatever it holds, never a 500; a refusal names the field."""
    from fastapi.testclient import TestClient

    headers = {"Authorization": f"Bearer {admin_app.state.fuzz_key}"}
    with TestClient(admin_app) as client:

        @given(
            history=HISTORY,
            prompt=st.text(min_size=1, max_size=100),
            mode=st.sampled_from(["edit", "generate"]),
        )
        @FUZZ
        def answered(history: Any, prompt: str, mode: str) -> None:
            body = {"mode": mode, "prompt": prompt, "history": history}
            r = client.post("/v1/screen", json=body, headers=headers)
            assert r.status_code in (200, 422), (body, r.text)
            if r.status_code == 422:
                field = r.json().get("field") or ""
                assert field.startswith(("history", "prompt")), (body, r.text)

        answered()
