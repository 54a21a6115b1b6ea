"""Files the CLI writes appear whole or not at all (exports of reports and statements)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from consentgate.cli.files import write_all, write_streamed
from consentgate.errors import BadInput


class Broken(Exception):
    pass


def _then_broken(*chunks: bytes) -> Iterator[bytes]:
    yield from chunks
    raise Broken


def test_when_a_stream_breaks_midway_then_the_old_file_stays_and_no_temporary_remains(
    tmp_path: Path,
) -> None:
    out = tmp_path / "sor.jsonl"
    out.write_bytes(b"old\n")
    with pytest.raises(Broken):
        write_streamed(out, _then_broken(b"a\n", b"b\n"), force=True)
    assert out.read_bytes() == b"old\n" and [p.name for p in tmp_path.iterdir()] == ["sor.jsonl"]
    write_streamed(out, iter([b"a\n", b"b\n"]), force=True)
    assert out.read_bytes() == b"a\nb\n"


def test_when_one_of_several_files_fails_then_none_of_them_is_written(tmp_path: Path) -> None:
    def files() -> Iterator[tuple[str, bytes]]:
        yield "one.json", b"1"
        yield "two.json", b"2"
        raise Broken

    with pytest.raises(Broken):
        write_all(tmp_path / "batches", files(), force=False)
    assert list((tmp_path / "batches").iterdir()) == []
    assert write_all(tmp_path / "batches", iter([("one.json", b"1")]), force=False) == 1
    assert (tmp_path / "batches" / "one.json").read_bytes() == b"1"


@pytest.mark.parametrize("force", [False, True])
def test_when_a_file_of_the_set_exists_then_it_needs_force(tmp_path: Path, force: bool) -> None:
    (tmp_path / "two.json").write_bytes(b"old")
    files = iter([("one.json", b"1"), ("two.json", b"2")])
    if not force:
        with pytest.raises(BadInput, match=r"two\.json exists: pass --force"):
            write_all(tmp_path, files, force=force)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["two.json"]
        return
    assert write_all(tmp_path, files, force=force) == 2
    assert (tmp_path / "two.json").read_bytes() == b"2"


def test_when_the_folder_is_a_file_then_refused(tmp_path: Path) -> None:
    (tmp_path / "taken").write_bytes(b"")
    with pytest.raises(BadInput, match="is not a directory"):
        write_all(tmp_path / "taken", iter([("a", b"")]), force=True)
