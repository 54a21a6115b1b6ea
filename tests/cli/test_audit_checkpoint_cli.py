"""``consentgate audit checkpoint`` and ``verify --checkpoint``: the rewrite an insider cannot hide.

The attack (hardening item 6): whoever can write the database edits a
``decided`` event (alice -> bob), deletes the last event, recomputes every later
hash with the documented algorithm, moves the head and fixes the ``cases`` rows.
The plain chain check passes (its documented limit); the checkpoint a witness
took before the edit does not.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, delete, select, text, update

from consentgate.cases.records import Action, CaseKind, Item
from consentgate.cases.service import CaseService
from consentgate.cli.context import AppContext
from consentgate.cli.main import cli
from consentgate.settings import Settings
from consentgate.store.cases_tables import audit_events, audit_head, cases
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from tests.tamper import as_superuser

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
SEED = base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, audit_signing_key=SEED)  # type: ignore[arg-type]


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """Three cases, each opened and decided by alice (events 1-6; 2, 4, 6 are `decided`)."""
    database = Database(settings.database_url)
    upgrade(database)
    for day in range(3):
        at = START + timedelta(days=day)
        service = CaseService(database, settings, clock=lambda at=at: at)  # type: ignore[misc]
        case = service.open(CaseKind.DSA_NOTICE, Item(url=f"https://example.com/{day}"))
        service.decide(case.id, Action.REMOVE, reason=f"reason {day}", actor="alice")
    yield database
    database.dispose()


def run(settings: Settings, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["audit", *args], obj=AppContext(settings=settings))
    return result.exit_code, result.stdout, result.stderr


def _checkpoint(settings: Settings, path: Path) -> dict[str, object]:
    code, _, err = run(settings, "checkpoint", "-o", str(path))
    assert code == 0, err
    return dict(json.loads(path.read_text()))


def _rewrite(conn: Connection, *, drop_last: bool) -> None:
    """The insider: alice -> bob on event 2, maybe drop event 6, recompute every hash and
    the head (sha256(prev_hash + canonical JSON), docs/cases.md), and fix the cases rows."""
    rows = list(conn.execute(select(audit_events).order_by(audit_events.c.seq)))
    if drop_last:
        conn.execute(delete(audit_events).where(audit_events.c.seq == rows[-1].seq))
        rows = rows[:-1]
    prev = "0" * 64
    for row in rows:
        actor = "bob" if row.seq == 2 else row.actor
        body = {"seq": row.seq, "at": row.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "actor": actor, "kind": row.kind, "case_id": row.case_id,
                "reason": row.reason, "data": row.data}  # fmt: skip
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(prev.encode() + canonical.encode()).hexdigest()
        conn.execute(update(audit_events).where(audit_events.c.seq == row.seq)
                     .values(actor=actor, prev_hash=prev, hash=digest))  # fmt: skip
        prev = digest
    conn.execute(update(audit_head).values(seq=len(rows), hash=prev))
    for row in conn.execute(select(cases)).all():
        record = dict(row.record)
        if record["decided_by"] == "alice" and row.id == rows[1].case_id:
            record["decided_by"] = "bob"
        if drop_last and row.version == 2 and row.id not in {r.case_id for r in rows[1::2]}:
            record |= {"state": "open", "version": 1, "action": None, "decided_by": None,
                       "decided_at": None}  # fmt: skip
        fixed = {"record": record, "state": record["state"], "version": record["version"]}
        conn.execute(update(cases).where(cases.c.id == row.id).values(**fixed))


def test_when_nothing_changed_since_the_checkpoint_then_verify_checkpoint_exits_0(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    signed = _checkpoint(settings, tmp_path / "cp.json")
    assert set(signed) == {"algorithm", "events", "head", "last_seq", "last_at", "time",
                           "public_key", "signature"}  # fmt: skip
    assert signed["events"] == 6 and signed["last_seq"] == 6
    CaseService(db, settings).open(CaseKind.DSA_NOTICE, Item(url="https://example.com/later"))
    code, out, err = run(settings, "verify", "--checkpoint", str(tmp_path / "cp.json"))
    assert code == 0, err
    assert out.startswith("intact: 7 events") and "extends the checkpoint" in err


@pytest.mark.parametrize(("drop_last", "message"), [
    (True, "error: the log no longer holds event 6 of the checkpoint"),
    (False, "error: the log does not extend the checkpoint: event 6 now hashes to"),
])  # fmt: skip
def test_UK_16_when_an_insider_rewrites_history_and_recomputes_every_hash_then_checkpoint_fails(
    settings: Settings, db: Database, tmp_path: Path, drop_last: bool, message: str
) -> None:
    _checkpoint(settings, tmp_path / "cp.json")
    with db.write() as conn:
        _rewrite(as_superuser(conn), drop_last=drop_last)
    code, out, err = run(settings, "verify")
    assert code == 0, err  # the documented limit of a chain whose head is in the same store
    assert out.startswith(f"intact: {5 if drop_last else 6} events")
    code, out, err = run(settings, "verify", "--checkpoint", str(tmp_path / "cp.json"))
    assert code == 1 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


@pytest.mark.parametrize(("edit", "public_key", "message"), [
    (lambda cp: cp | {"events": 5}, None, "signature does not verify"),
    (lambda cp: cp | {"head": "0" * 64}, None, "signature does not verify"),
    (lambda cp: cp, "other", "signed by another key"),
])  # fmt: skip
def test_when_the_checkpoint_is_forged_or_signed_by_another_key_then_exit_1(
    settings: Settings, db: Database, tmp_path: Path, edit: object, public_key: str | None,
    message: str,
) -> None:  # fmt: skip
    signed = _checkpoint(settings, tmp_path / "cp.json")
    (tmp_path / "cp.json").write_text(json.dumps(edit(signed)))  # type: ignore[operator]
    args = ["verify", "--checkpoint", str(tmp_path / "cp.json")]
    if public_key is not None:
        code, out, _ = run(settings, "keygen")
        other = Settings(database_url=settings.database_url,
                         audit_signing_key=out.split("=", 1)[1].strip())  # type: ignore[arg-type]  # fmt: skip
        args += ["--public-key", _public_of(other, tmp_path)]
    code, _, err = run(settings, *args)
    assert code == 1 and message in err


def _public_of(settings: Settings, tmp_path: Path) -> str:
    _checkpoint(settings, tmp_path / "other.json")
    return str(json.loads((tmp_path / "other.json").read_text())["public_key"])


def test_when_no_signing_key_is_configured_then_checkpoint_exits_2_saying_which_setting(
    db: Database, database_url: str
) -> None:
    code, out, err = run(Settings(database_url=database_url), "checkpoint")
    assert code == 2 and out == ""
    assert err.startswith("error: no audit signing key: set CONSENTGATE_AUDIT_SIGNING_KEY")


def test_when_the_signing_key_comes_from_a_pem_file_then_the_checkpoint_verifies_with_it(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())  # fmt: skip
    (tmp_path / "key.pem").write_bytes(pem)
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    public = key.public_key().public_bytes(serialization.Encoding.PEM, spki)
    (tmp_path / "pub.pem").write_bytes(public)
    settings = Settings(database_url=database_url, audit_signing_key_file=tmp_path / "key.pem")
    _checkpoint(settings, tmp_path / "cp.json")
    pinned = ["--checkpoint", str(tmp_path / "cp.json"), "--public-key", str(tmp_path / "pub.pem")]
    code, _, err = run(Settings(database_url=database_url), "verify", *pinned)
    assert code == 0, err


def test_when_a_cases_row_is_edited_in_sql_then_verify_replays_and_names_the_case_and_field(
    settings: Settings, db: Database
) -> None:
    with db.write() as conn:
        row = conn.execute(select(cases).order_by(cases.c.received_at)).first()
        assert row is not None
        record = dict(row.record) | {"decided_by": "bob"}
        conn.execute(update(cases).where(cases.c.id == row.id).values(record=record))
    code, out, err = run(settings, "verify")
    assert code == 1 and out == ""
    assert (
        f"case {row.id}: decided_by is 'bob' in the cases table but 'alice' from its events" in err
    )
    assert err.splitlines()[-1].startswith("error: 1 field(s) of the cases table differ")


def test_when_the_state_column_is_edited_then_the_replay_names_the_column(
    settings: Settings, db: Database
) -> None:
    with db.write() as conn:
        conn.execute(text("UPDATE cases SET state = 'open'"))
    code, _, err = run(settings, "verify")
    assert code == 1 and "state column is 'open' in the cases table but 'actioned'" in err


@pytest.mark.parametrize("force", [False, True])
def test_when_the_export_file_exists_then_it_is_refused_unless_force(
    settings: Settings, db: Database, tmp_path: Path, force: bool
) -> None:
    target = tmp_path / "audit.jsonl"
    target.write_text("keep me\n")
    args = ["export", "--from", "2026-01-01T00:00:00Z", "--to", "2027-01-01T00:00:00Z",
            "-o", str(target)] + (["--force"] if force else [])  # fmt: skip
    code, _, err = run(settings, *args)
    if force:
        assert code == 0 and len(target.read_text().splitlines()) == 6
    else:
        assert code == 2 and err == f"error: {target} exists: pass --force to write over it\n"
        assert target.read_text() == "keep me\n"
