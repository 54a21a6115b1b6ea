"""Every value a caller gives the bank service is judged before any write (both stores).

The CLI, the HTTP API and any embedder call the same service, so each bad value
is a BadInput naming its field, never a driver error or a pydantic traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from consentgate.banks.service import BankService
from consentgate.errors import BadInput

MD5 = "0123456789abcdef0123456789abcdef"
UNDECODABLE = "bad\udcffname"

Call = Callable[[BankService], Any]

CASES: list[Any] = [
    pytest.param(lambda s: s.create_bank("x", "ncii", description="\x00"), "description"),
    pytest.param(
        lambda s: s.create_bank("x", "ncii", flood_max_matches=2**31), "flood_max_matches"
    ),
    pytest.param(lambda s: s.create_bank("x", "ncii", flood_window_s=2**63), "flood_window_s"),
    pytest.param(lambda s: s.create_bank(UNDECODABLE, "ncii"), "name"),
    pytest.param(lambda s: s.update_bank("victims", description="a\x00"), "description"),
    pytest.param(lambda s: s.update_bank("victims", flood_max_matches=0), "flood_max_matches"),
    pytest.param(lambda s: s.get_bank(UNDECODABLE), "name"),
    pytest.param(lambda s: s.add_entry("victims", md5=MD5, note="\x00"), "note"),
    pytest.param(lambda s: s.add_entry("victims", md5=MD5, source="a\nb"), "source"),
    pytest.param(lambda s: s.add_entry("victims", md5=MD5, external_id="\x00"), "external_id"),
    pytest.param(lambda s: s.add_entry("victims", md5=MD5, added_by="\udcff"), "added_by"),
    pytest.param(lambda s: s.add_entry("victims", md5="\x00" * 32), "md5"),
    pytest.param(lambda s: s.import_text("victims", MD5, added_by="\x00"), "added_by"),
    pytest.param(lambda s: s.import_text("victims", MD5, fmt="xml"), "format"),
    pytest.param(lambda s: s.export("victims", "xml"), "format"),
    pytest.param(lambda s: s.get_entry(2**63), "entry_id"),
    pytest.param(lambda s: s.withdraw(0), "entry_id"),
    pytest.param(lambda s: s.withdraw(1, reason="\x00"), "reason"),
    pytest.param(lambda s: s.reinstate(1, reason=""), "reason"),
    pytest.param(lambda s: s.list_entries("victims", after_id=2**63), "after_id"),
    pytest.param(lambda s: s.list_entries("victims", limit=10**6), "limit"),
    pytest.param(lambda s: s.findings(after_id=-1), "after_id"),
    pytest.param(lambda s: s.findings(bank=UNDECODABLE), "bank"),
]


@pytest.mark.parametrize(("call", "field"), CASES)
def test_when_a_value_cannot_be_stored_then_bad_input_names_it_and_nothing_changes(
    service: BankService, call: Call, field: str
) -> None:
    service.create_bank("victims", "ncii")
    service.add_entry("victims", md5="f" * 32)
    before = (service.list_banks(), service.list_entries("victims"))
    with pytest.raises(BadInput) as caught:
        call(service)
    assert caught.value.field == field, caught.value.message
    assert field in caught.value.message.lower()
    assert (service.list_banks(), service.list_entries("victims")) == before
