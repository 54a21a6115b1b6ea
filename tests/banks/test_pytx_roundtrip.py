"""Round-trips through Meta's ``threatexchange`` package (its local-file exchange)."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentgate.banks.service import BankService
from tests.banks.conftest import random_pdq
from tests.hashing.samples import jpeg, rgb

file_api = pytest.importorskip("threatexchange.exchanges.impl.file_api")
pdq_signal = pytest.importorskip("threatexchange.signal_type.pdq.signal")
md5_signal = pytest.importorskip("threatexchange.signal_type.md5")

M1 = "0123456789abcdef0123456789abcdef"


def _read_with_pytx(path: Path) -> set[tuple[str, str]]:
    config = file_api.FileCollaborationConfig(
        name="t", api="local_file", enabled=True, filename=str(path)
    )
    api = file_api.LocalFileSignalExchangeAPI(config)
    updates: set[tuple[str, str]] = set()
    for delta in api.fetch_iter([], None):
        updates.update(delta.updates.keys())
    return updates


def test_when_bank_is_exported_as_pytx_then_threatexchange_reads_every_signal(
    service: BankService, tmp_path: Path
) -> None:
    service.create_bank("victims", "ncii")
    p1, p2 = random_pdq(201), random_pdq(202)
    service.import_text("victims", f"{p1}\n{p2}\n{M1}\n", fmt="plain")
    path = tmp_path / "signals.txt"
    path.write_text("".join(service.export("victims", "pytx")))
    read = _read_with_pytx(path)
    assert read == {("pdq", p1), ("pdq", p2), ("video_md5", M1)}
    for signal_type, value in read:
        cls = pdq_signal.PdqSignal if signal_type == "pdq" else md5_signal.VideoMD5Signal
        assert cls.validate_signal_str(value) == value


def test_when_threatexchange_hashes_and_lists_an_image_then_we_import_and_match_it(
    service: BankService, tmp_path: Path
) -> None:
    # report_opinion() would append these same lines, but it opens the file with an
    # invalid mode ("wta") in threatexchange 1.2.17, so the lines are written as it would.
    data = jpeg(rgb("astronaut"))
    theirs = pdq_signal.PdqSignal.hash_from_bytes(data)
    md5 = md5_signal.VideoMD5Signal.hash_from_bytes(data)
    path = tmp_path / "from_pytx.txt"
    lines = [
        f"{pdq_signal.PdqSignal.get_name()} {theirs}",
        f"{md5_signal.VideoMD5Signal.get_name()} {md5}",
    ]
    path.write_text("\n".join(lines) + "\n")
    service.create_bank("victims", "ncii")
    result = service.import_file("victims", path)
    assert result.format == "pytx"
    assert {(e.pdq, e.md5) for e in service.list_entries("victims")} == {
        (theirs, None),
        (None, md5),
    }
    matched = service.match_image(data, dihedral=False).matches
    assert {m.hash_type for m in matched} == {"pdq", "md5"}
    assert max(m.distance for m in matched) <= 2
