"""Hashing, matching and bank routes, and bank matches in screens (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from consentgate.hashing.image import hash_image_bytes
from consentgate.service.keys import Scope
from tests.api.conftest import Api, b64, photo

PHOTO = photo()


def _bank(api: Api, headers: dict[str, str], name: str = "ncii-main", kind: str = "ncii") -> Any:
    r = api.client.post("/v1/banks", json={"name": name, "kind": kind}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def _screen_photo(api: Api, headers: dict[str, str]) -> Any:
    r = api.client.post(
        "/v1/screen",
        json={"mode": "upload", "output_image": b64(PHOTO)},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_when_an_image_is_hashed_then_its_hashes_match_the_library(api: Api) -> None:
    r = api.client.post(
        "/v1/hash", json={"image": b64(PHOTO), "dihedral": True}, headers=api.key(Scope.SCREEN)
    )
    assert r.status_code == 200
    expected = hash_image_bytes(PHOTO, dihedral=True)
    assert r.json() == expected.model_dump(mode="json")
    assert len(r.json()["dihedral"]) == 7


def test_when_a_photo_is_enrolled_then_screens_of_it_block_until_withdrawn(api: Api) -> None:
    writer, screen = api.key(Scope.BANKS_WRITE), api.key(Scope.SCREEN)
    _bank(api, writer)
    assert _screen_photo(api, screen)["decision"] == "allow"
    added = api.client.post(
        "/v1/banks/ncii-main/entries",
        json={"image": b64(PHOTO), "note": "victim"},
        headers=writer,
    )
    assert added.status_code == 201, added.text
    entry = added.json()["entry"]
    assert entry["added_by"].startswith("key:")
    # The earlier screen of the same photo is found by retro-matching.
    assert len(added.json()["findings"]) >= 1
    blocked = _screen_photo(api, screen)
    assert blocked["decision"] == "block"
    assert blocked["reasons"][0]["rule"] == "R2"
    evidence = blocked["reasons"][0]["signals"][0]["evidence"][0]
    assert evidence["bank"] == "ncii-main" and evidence["entry"] == str(entry["id"])
    r = api.client.post(
        f"/v1/entries/{entry['id']}/withdraw",
        json={"reason": "withdrawn by the person"},
        headers=writer,
    )
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert _screen_photo(api, screen)["decision"] == "allow"


def test_when_hashes_are_matched_then_hits_name_bank_entry_and_distance(api: Api) -> None:
    writer = api.key(Scope.BANKS_WRITE)
    _bank(api, writer, "takedowns", "takedown")
    hashes = hash_image_bytes(PHOTO)
    api.client.post(
        "/v1/banks/takedowns/entries",
        json={"pdq": hashes.pdq, "quality": hashes.quality},
        headers=writer,
    )
    for body in ({"pdq": [hashes.pdq], "quality": hashes.quality}, {"image": b64(PHOTO)}):
        r = api.client.post("/v1/match", json=body, headers=api.key(Scope.SCREEN))
        assert r.status_code == 200, r.text
        (hit,) = r.json()["matches"]
        assert hit["bank"] == "takedowns" and hit["distance"] == 0
    nothing = api.client.post("/v1/match", json={"md5": "0" * 32}, headers=writer)
    assert nothing.json()["matches"] == []


def test_when_banks_are_managed_then_list_get_update_entries_and_findings_work(
    api: Api,
) -> None:
    writer, reader = api.key(Scope.BANKS_WRITE), api.key(Scope.MODERATE)
    _bank(api, writer)
    assert [b["name"] for b in api.client.get("/v1/banks", headers=reader).json()] == ["ncii-main"]
    r = api.client.patch("/v1/banks/ncii-main", json={"threshold": 10}, headers=writer)
    assert r.json()["threshold"] == 10
    assert api.client.get("/v1/banks/ncii-main", headers=reader).json()["threshold"] == 10
    md5 = hash_image_bytes(PHOTO).md5
    entry = api.client.post(
        "/v1/banks/ncii-main/entries", json={"md5": md5}, headers=writer
    ).json()["entry"]
    listed = api.client.get("/v1/banks/ncii-main/entries?status=active", headers=reader).json()
    assert [e["id"] for e in listed] == [entry["id"]]
    assert api.client.get(f"/v1/entries/{entry['id']}", headers=reader).json()["md5"] == md5
    assert api.client.get("/v1/findings", headers=reader).status_code == 200
    api.client.post(f"/v1/entries/{entry['id']}/withdraw", json={}, headers=writer)
    r = api.client.post(f"/v1/entries/{entry['id']}/reinstate", json={}, headers=writer)
    assert r.json()["status"] == "active"


def test_when_a_list_is_imported_then_it_exports_again_and_bad_lines_are_named(
    api: Api,
) -> None:
    writer = api.key(Scope.BANKS_WRITE)
    _bank(api, writer)
    good = "# a list\n" + "a" * 64 + "\n" + "b" * 32 + "\n"
    r = api.client.post(
        "/v1/banks/ncii-main/import?format=plain",
        content=good.encode(),
        headers={**writer, "content-type": "text/plain"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 2
    exported = api.client.get("/v1/banks/ncii-main/export", headers=writer)
    assert exported.status_code == 200
    assert "a" * 64 in exported.text and "b" * 32 in exported.text
    bad = api.client.post(
        "/v1/banks/ncii-main/import?format=plain",
        content=b"c" * 64 + b"\nnot a hash\n",
        headers={**writer, "content-type": "text/plain"},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "line 2"


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/v1/banks", {"name": "ncii-main", "kind": "ncii"}, 409),
        ("POST", "/v1/banks", {"name": "x", "kind": "nonsense"}, 422),
        ("GET", "/v1/banks/missing", None, 404),
        ("POST", "/v1/banks/missing/entries", {"md5": "a" * 32}, 404),
        ("POST", "/v1/banks/ncii-main/entries", {}, 422),
        ("POST", "/v1/banks/ncii-main/entries", {"pdq": "xyz"}, 422),
        ("GET", "/v1/entries/999999", None, 404),
        ("GET", "/v1/entries/99999999999999", None, 422),
        ("POST", "/v1/match", {}, 422),
    ],
)
def test_when_a_bank_request_is_wrong_then_a_problem_with_its_status(
    api: Api, method: str, path: str, body: Any, status: int
) -> None:
    writer = api.key(Scope.BANKS_WRITE)
    _bank(api, writer)
    r = api.client.request(method, path, json=body, headers=writer)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("scope", "method", "path", "status"),
    [
        (Scope.SCREEN, "POST", "/v1/banks", 403),
        (Scope.MODERATE, "POST", "/v1/banks", 403),
        (Scope.SCREEN, "GET", "/v1/banks", 403),
        (Scope.MODERATE, "GET", "/v1/banks", 200),
        (Scope.REPORT, "POST", "/v1/match", 403),
    ],
)
def test_when_a_key_lacks_bank_scopes_then_403(
    api: Api, scope: Scope, method: str, path: str, status: int
) -> None:
    body = {"name": "b", "kind": "ncii"} if method == "POST" else None
    r = api.client.request(method, path, json=body, headers=api.key(scope))
    assert r.status_code == status
