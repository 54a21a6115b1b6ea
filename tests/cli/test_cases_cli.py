"""``consentgate cases``: queues, decisions, appeals and the clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from consentgate.cases.records import Action, CaseKind, CaseState, Item
from consentgate.cases.service import CaseService
from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.people import Role
from consentgate.service.users import UserStore
from consentgate.settings import Settings
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
AT = "2026-12-01T10:00:00Z"  # START, as --now


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
def seed(settings: Settings) -> Iterator[CaseService]:
    """A case service on the same store whose clock the test sets (``seed.clock.now``)."""
    db = Database(settings.database_url)
    upgrade(db)
    UserStore(db).add("alice", Role.APPEALS)  # may decide appeals, but not on her own decisions
    UserStore(db).add("bob", Role.APPEALS)
    yield CaseService(db, settings, clock=Clock())
    db.dispose()


def run(settings: Settings, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["cases", *args], obj=AppContext(settings=settings))
    return result.exit_code, result.stdout, result.stderr


def ok_json(settings: Settings, *args: str) -> Any:
    code, out, err = run(settings, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def _open(seed: CaseService, kind: CaseKind, at: datetime, notice: str | None = "n1") -> str:
    seed.clock.now = at  # type: ignore[attr-defined]
    return seed.open(kind, Item(url=f"https://example.com/{kind.value}"), notice_id=notice).id


def test_UK_3_when_every_report_is_decided_from_the_cli_then_each_reaches_a_decision_state(
    settings: Settings, seed: CaseService
) -> None:
    ids = [_open(seed, kind, START) for kind in CaseKind]
    for n, case_id in enumerate(ids):
        action = "remove" if n % 2 else "no_action"
        code, out, err = run(
            settings, "decide", case_id, "--action", action, "--reason", "checked",
            "--actor", "alice", "--now", AT,
        )  # fmt: skip
        assert code == 0, err
        assert f"case {case_id}: " in out
    assert ok_json(settings, "list") == []  # no orphan left in any queue
    states = {ok_json(settings, "show", i)["case"]["state"] for i in ids}
    assert states == {CaseState.ACTIONED.value, CaseState.NO_ACTION.value}


def test_UK_5_when_cases_are_listed_then_child_safety_before_an_older_ncii_before_spam(
    settings: Settings, seed: CaseService
) -> None:
    spam = _open(seed, CaseKind.DSA_NOTICE, START - timedelta(hours=3))
    ncii = _open(seed, CaseKind.TAKE_IT_DOWN, START - timedelta(hours=2))
    csam = _open(seed, CaseKind.CHILD_SAFETY, START - timedelta(minutes=5))
    listed = ok_json(settings, "list", "--now", AT)
    assert [c["id"] for c in listed] == [csam, ncii, spam]
    assert [c["id"] for c in ok_json(settings, "list", "--queue", "other")] == [spam]
    code, out, _ = run(settings, "list", "--now", AT)
    assert code == 0
    assert out.index(csam) < out.index(ncii) < out.index(spam)


def test_UK_15_when_a_reporter_appeals_an_intimate_image_case_then_it_is_listed_first(
    settings: Settings, seed: CaseService
) -> None:
    older = [_open(seed, kind, START) for kind in (CaseKind.CHILD_SAFETY, CaseKind.DSA_NOTICE)]
    ncii = _open(seed, CaseKind.UK_INTIMATE_IMAGE, START + timedelta(hours=1))
    now = "2026-12-02T10:00:00Z"
    for case_id in [*older, ncii]:
        run(settings, "decide", case_id, "--action", "no_action", "--reason", "r",
            "--actor", "alice", "--now", now)  # fmt: skip
    for case_id in older:
        code, _, err = run(settings, "appeal", case_id, "--by", "affected_user",
                           "--text", "wrong", "--now", now)  # fmt: skip
        assert code == 0, err
    code, _, err = run(settings, "appeal", ncii, "--by", "reporter", "--text", "still up",
                       "--now", now)  # fmt: skip
    assert code == 0, err
    listed = ok_json(settings, "list", "--state", "appealed")
    assert [c["id"] for c in listed] == [ncii, *older]
    assert [c["expedited"] for c in listed] == [True, False, False]
    assert "intimate_images (expedited)" in run(settings, "list")[1]
    run(settings, "decide-appeal", ncii, "--outcome", "reversed", "--reason", "r",
        "--actor", "bob", "--now", now)  # fmt: skip
    assert [c["id"] for c in ok_json(settings, "list", "--state", "reversed")] == [ncii]
    assert not ok_json(settings, "list", "--state", "reversed")[0]["expedited"]


def test_UK_14_when_the_first_decider_decides_the_appeal_then_exit_4_and_another_reviewer_may(
    settings: Settings, seed: CaseService
) -> None:
    case_id = _open(seed, CaseKind.DSA_NOTICE, START)
    run(settings, "decide", case_id, "--action", "remove", "--reason", "r", "--actor", "alice",
        "--now", AT)  # fmt: skip
    assert run(settings, "appeal", case_id, "--by", "affected_user", "--text", "mine",
               "--now", AT)[0] == 0  # fmt: skip
    for spelling in ("alice", "Alice", " alice ", "ＡＬＩＣＥ"):
        code, _, err = run(settings, "decide-appeal", case_id, "--outcome", "reversed",
                           "--reason", "r", "--actor", spelling, "--now", AT)  # fmt: skip
        assert code == 4 and err.startswith("error: 'alice' made the decision under appeal")
    code, out, err = run(settings, "decide-appeal", case_id, "--outcome", "reversed",
                         "--reason", "r", "--actor", "bob", "--now", AT)  # fmt: skip
    assert code == 0, err
    assert "reversed" in out
    kinds = [e["kind"] for e in ok_json(settings, "show", case_id)["events"]]
    assert kinds == ["received", "decided", "appealed", "appeal_decided"]


def test_EU_11_when_a_reporter_appeals_a_decision_not_to_act_after_five_months_then_accepted(
    settings: Settings, seed: CaseService
) -> None:
    case_id = _open(seed, CaseKind.DSA_NOTICE, START)
    run(settings, "decide", case_id, "--action", "no_action", "--reason", "lawful",
        "--actor", "alice", "--now", AT)  # fmt: skip
    five_months = (START + timedelta(days=152)).isoformat()
    code, _, err = run(settings, "appeal", case_id, "--by", "reporter", "--text", "it is not",
                       "--now", five_months, "--json")  # fmt: skip
    assert code == 0, err
    code, _, err = run(settings, "decide-appeal", case_id, "--outcome", "upheld",
                       "--reason", "r", "--actor", "automated")  # fmt: skip
    assert code == 2 and "no user named 'automated'" in err


def test_EU_11_when_the_six_month_window_has_closed_then_the_appeal_is_exit_2(
    settings: Settings, seed: CaseService
) -> None:
    case_id = _open(seed, CaseKind.DSA_NOTICE, START)
    run(settings, "decide", case_id, "--action", "remove", "--reason", "r", "--actor", "alice",
        "--now", AT)  # fmt: skip
    late = (START + timedelta(days=400)).isoformat()
    code, _, err = run(settings, "appeal", case_id, "--by", "affected_user", "--text", "x",
                       "--now", late)  # fmt: skip
    assert code == 2 and "appeal window closed" in err


def test_when_a_decision_names_a_stale_version_or_repeats_then_exit_3(
    settings: Settings, seed: CaseService
) -> None:
    case_id = _open(seed, CaseKind.DSA_NOTICE, START)
    version = ok_json(settings, "show", case_id)["case"]["version"]
    seed.assign(case_id, to="bob", actor="lead")
    args = ("decide", case_id, "--action", "remove", "--reason", "r", "--actor", "alice")
    code, _, err = run(settings, *args, "--version", str(version))
    assert code == 3 and "changed since version" in err
    assert run(settings, *args, "--version", str(version + 1))[0] == 0
    code, _, err = run(settings, *args)
    assert code == 3 and "already decided" in err


def test_EU_6_when_overdue_is_asked_at_an_instant_then_at_risk_and_breached_cases_are_shown(
    settings: Settings, seed: CaseService
) -> None:
    breached = _open(seed, CaseKind.TAKE_IT_DOWN, datetime(2026, 12, 1, 8, tzinfo=UTC))
    at_risk = _open(seed, CaseKind.TAKE_IT_DOWN, datetime(2026, 12, 1, 22, tzinfo=UTC))
    on_time = _open(seed, CaseKind.DSA_NOTICE, datetime(2026, 12, 2, 10, tzinfo=UTC))
    code, out, _ = run(settings, "overdue", "--now", "2026-12-03T10:00:00Z")
    assert code == 0
    lines = {line.split()[0]: line.split()[-1] for line in out.splitlines()[1:]}
    assert lines == {breached: "breached", at_risk: "at_risk"}
    rows = ok_json(settings, "overdue", "--now", "2026-12-03T10:00:00Z")
    assert [(r["id"], r["clock"]) for r in rows] == [(breached, "breached"), (at_risk, "at_risk")]
    listed = ok_json(settings, "list", "--now", "2026-12-03T10:00:00Z")
    assert {r["id"]: r["clock"] for r in listed}[on_time] == "on_time"
    assert ok_json(settings, "overdue", "--now", "2026-12-01T10:00:00Z") == []


@pytest.mark.parametrize("bad", ["yesterday", "2026-12-03T10:00:00", "2026-13-03T10:00:00Z"])
@pytest.mark.parametrize("command", [["overdue"], ["list"], ["show", "abc"]])
def test_when_now_is_not_an_instant_with_a_zone_then_one_error_line_and_exit_2(
    settings: Settings, command: list[str], bad: str
) -> None:
    code, out, err = run(settings, *command, "--now", bad)
    assert code == 2
    assert err.startswith("error: --now: ") and err.count("\n") == 1
    assert out == ""


def test_when_a_case_does_not_exist_then_exit_3(settings: Settings, seed: CaseService) -> None:
    code, _, err = run(settings, "show", "0" * 32)
    assert code == 3 and err.startswith("error: no case")


def test_when_a_case_is_shown_then_its_events_come_from_the_audit_chain(
    settings: Settings, seed: CaseService
) -> None:
    case_id = _open(seed, CaseKind.DSA_NOTICE, START)
    seed.decide(case_id, Action.REMOVE, reason="unlawful", actor="alice")
    shown = ok_json(settings, "show", case_id)
    assert shown["case"]["clock"] is None  # decided: no longer on the clock
    first = shown["events"][0]["seq"]  # after the users' own events (user_changed)
    assert [(e["seq"], e["kind"], e["actor"]) for e in shown["events"]] == [
        (first, "received", "automated"),
        (first + 1, "decided", "alice"),
    ]
    code, out, _ = run(settings, "show", case_id)
    assert code == 0 and "state: actioned" in out and "unlawful" in out
