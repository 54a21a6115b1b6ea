"""Import/export formats: table-driven parsing, per-line errors, all-or-nothing imports."""

from __future__ import annotations

import pytest

from consentgate.banks.formats import Format, ImportFailed, detect_format, parse
from consentgate.banks.service import BankService
from tests.banks.conftest import random_pdq

P1, P2 = random_pdq(101), random_pdq(102)
M1 = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("fmt", "text", "expected"),
    [
        (
            Format.PLAIN,
            f"# a comment\n{P1}\n\n{M1.upper()}  # trailing\n",
            [(P1, None), (None, M1)],
        ),
        (Format.CSV, f"pdq,md5,quality,external_id\n{P1},{M1},90,c-1\n", [(P1, M1)]),
        (Format.CSV, f"Hash,Id\n{P1},x\n", [(P1, None)]),
        (Format.PYTX, f"pdq {P1}\nvideo_md5 {M1}\n", [(P1, None), (None, M1)]),
    ],
)
def test_when_file_is_valid_then_every_line_is_parsed(
    fmt: Format, text: str, expected: list[tuple[str | None, str | None]]
) -> None:
    assert [(p.entry.pdq, p.entry.md5) for p in parse(text, fmt)] == expected


@pytest.mark.parametrize(
    ("fmt", "text", "lines", "fragment"),
    [
        (Format.PLAIN, f"{P1}\nxyz\n", [2], "not hexadecimal"),
        (Format.PLAIN, f"{P1[:-1]}g\n", [1], "not hexadecimal"),
        (Format.PLAIN, f"{P1[:40]}\n", [1], "neither"),
        (Format.PLAIN, f"{P1}\n{P2}\n{P1}\n", [3], "duplicate of line 1"),
        (Format.CSV, f"pdq,quality\n{P1},30\n", [2], "below 50"),
        (Format.CSV, f"pdq,quality\n{P1},high\n", [2], "not a whole number"),
        (Format.CSV, f"pdq_hash\n{P1}\n", [1], "unknown column"),
        (Format.CSV, f"pdq,md5\n{P1}\n", [2], "fields"),
        (Format.CSV, f"pdq,md5\n{P1[:32]},\n", [2], "64"),
        (Format.PYTX, f"pdq {P1}\nphotodna abc\n", [2], "signal type"),
        (Format.PYTX, f"pdq {M1}\n", [1], "64"),
    ],
)
def test_when_lines_are_bad_then_each_is_reported_by_number(
    fmt: Format, text: str, lines: list[int], fragment: str
) -> None:
    with pytest.raises(ImportFailed) as caught:
        parse(text, fmt)
    assert [p.line for p in caught.value.problems] == lines
    assert fragment in caught.value.problems[0].message


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        ("list.csv", f"{P1}\n", Format.CSV),
        ("list.txt", f"pdq {P1}\n", Format.PYTX),
        (None, f"pdq,md5\n{P1},\n", Format.CSV),
        (None, f"# c\n{P1}\n", Format.PLAIN),
    ],
)
def test_when_format_is_not_given_then_it_is_detected(
    name: str | None, text: str, fmt: Format
) -> None:
    assert detect_format(name, text) is fmt


def test_when_one_line_is_bad_then_nothing_is_imported(service: BankService) -> None:
    service.create_bank("victims", "ncii")
    with pytest.raises(ImportFailed):
        service.import_text("victims", f"{P1}\n{P2}\nnot-a-hash\n", fmt="plain")
    assert service.get_bank("victims").active_entries == 0


def test_when_a_line_is_already_banked_then_the_import_fails_whole(service: BankService) -> None:
    service.create_bank("victims", "ncii")
    service.add_entry("victims", pdq=P2)
    with pytest.raises(ImportFailed) as caught:
        service.import_text("victims", f"{P1}\n{P2}\n", fmt="plain")
    assert [p.line for p in caught.value.problems] == [2]
    assert service.get_bank("victims").active_entries == 1


@pytest.mark.parametrize("fmt", list(Format))
def test_when_bank_is_exported_then_reimporting_gives_the_same_hashes(
    service: BankService, fmt: Format
) -> None:
    service.create_bank("a", "takedown")
    service.create_bank("b", "takedown")
    text = f"pdq,md5,quality,external_id,note\n{P1},{M1},88,case-1,hello\n{P2},,,,\n"
    service.import_text("a", text, fmt="csv", added_by="ops")
    exported = "".join(service.export("a", fmt))
    service.import_text("b", exported, fmt=fmt)
    hashes = {(e.pdq, e.md5) for e in service.list_entries("b")}
    if fmt is Format.CSV:
        assert hashes == {(P1, M1), (P2, None)}
        assert {e.external_id for e in service.list_entries("b")} == {"case-1", None}
    else:
        assert hashes == {(P1, None), (None, M1), (P2, None)}
