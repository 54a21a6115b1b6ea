"""The console over HTTP (in-process, fake detectors, SQLite and PostgreSQL).

Log-in and log-out, cookies, CSRF on every form, the users page and who may
see it, security headers, open redirects, the per-address limit, and hostile
form fields (never a 500).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from consentgate.audit import chain
from consentgate.cases.records import CaseEvent, EventKind
from consentgate.people import Role, User
from consentgate.service.accounts import Accounts
from consentgate.service.logins import build_logins
from consentgate.settings import Settings
from tests.api.conftest import Api, make_settings, running
from tests.console.fakes import cheap_passwords

GOOD = "correct horse battery staple"
ROOT_PW = "the admin's own long passphrase"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Console:
    api: Api
    accounts: Accounts
    root: User

    @property
    def client(self) -> TestClient:
        return self.api.client

    def browser(self) -> TestClient:
        """Another browser (its own cookies) on the same app."""
        return TestClient(self.client.app, base_url=str(self.client.base_url))

    def events(self, kind: EventKind) -> list[CaseEvent]:
        with self.api.services.db.read() as conn:
            return [e for e in chain.events(conn) if e.kind is kind]


@contextmanager
def start(settings: Settings, **client_options: object) -> Iterator[Console]:
    with running(settings, **client_options) as api:
        logins = build_logins(api.services.db, settings, passwords=cheap_passwords())
        api.client.app.state.console_logins = logins  # type: ignore[attr-defined]
        accounts = Accounts(logins)
        root = accounts.add("root", Role.ADMIN, ROOT_PW)
        yield Console(api, accounts, root)


@pytest.fixture
def console(database_url: str) -> Iterator[Console]:
    with start(make_settings(database_url)) as started:
        yield started


def token(client: TestClient, path: str = "/console/login") -> str:
    page = client.get(path)
    found = TOKEN.search(page.text)
    assert found, (path, page.status_code, page.text[:500])
    return found.group(1)


def log_in(
    client: TestClient, name: str, password: str, next_: str = "/console/account"
) -> httpx.Response:
    # Logged in already, the form is skipped for /console/account, whose log-out form has the token.
    csrf = token(client, "/console/login?next=/console/account")
    data = {"name": name, "password": password, "next": next_, "csrf_token": csrf}
    return client.post("/console/login", data=data, follow_redirects=False)


def alert(page: httpx.Response) -> str:
    found = re.search(r'role="alert"[^>]*>([^<]*)<', page.text)
    return found.group(1) if found else ""


@pytest.mark.parametrize("path", ["/console/account", "/console/users", "/console/users?done=1"])
def test_when_nobody_is_logged_in_then_a_page_redirects_to_the_log_in_form(
    console: Console, path: str
) -> None:
    answer = console.client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login?next=" + quote(path, safe="/")


def test_when_the_password_is_right_then_a_fresh_session_cookie_and_on_to_next(
    console: Console,
) -> None:
    client = console.client
    answer = log_in(client, "ROOT", ROOT_PW, "/console/users")
    assert answer.status_code == 303 and answer.headers["location"] == "/console/users"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("cg_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1 (make run)
    first = client.cookies["cg_session"]
    assert client.get("/console/users").status_code == 200
    log_in(client, "root", ROOT_PW)  # again, from the same browser: a new id, the old one ends
    assert client.cookies["cg_session"] != first
    other = console.browser()
    other.cookies.set("cg_session", first)
    assert other.get("/console/users", follow_redirects=False).status_code == 303


def test_when_the_service_binds_a_network_address_then_cookies_are_secure_and_host_only(
    database_url: str,
) -> None:
    settings = make_settings(database_url, host="0.0.0.0")
    with start(settings, base_url="https://console.test") as console:
        form = console.client.get("/console/login")
        assert "__Host-cg_csrf=" in form.headers["set-cookie"]
        answer = log_in(console.client, "root", ROOT_PW)
        cookie = next(c for c in answer.headers.get_list("set-cookie") if "cg_session=" in c)
        assert cookie.startswith("__Host-cg_session=") and "Secure" in cookie
        assert console.client.get("/console/users").status_code == 200
        plain = TestClient(console.client.app, base_url="http://console.test")
        assert log_in(plain, "root", ROOT_PW).status_code == 403  # no TLS: no way in


@pytest.mark.parametrize(
    ("name", "password", "status", "says"),
    [
        ("root", "wrong password but long", 401, "Wrong name or password"),
        ("nobody", ROOT_PW, 401, "Wrong name or password"),
        ("", "", 401, "Wrong name or password"),
    ],
)
def test_when_the_log_in_fails_then_the_form_says_so_and_no_session_begins(
    console: Console, name: str, password: str, status: int, says: str
) -> None:
    answer = log_in(console.client, name, password)
    assert answer.status_code == status and alert(answer) == says
    assert "cg_session" not in console.client.cookies
    assert console.events(EventKind.LOGGED_IN) == []


def test_when_five_wrong_passwords_then_the_form_says_locked_and_an_admin_can_unlock(
    console: Console,
) -> None:
    console.accounts.add("alice", Role.MODERATOR, GOOD)
    for _ in range(4):
        assert log_in(console.client, "alice", "a wrong password!!").status_code == 401
    locked = log_in(console.client, "alice", "a wrong password!!")
    assert locked.status_code == 403 and "locked" in alert(locked)
    assert "locked" in alert(log_in(console.client, "alice", GOOD))
    admin = console.browser()
    log_in(admin, "root", ROOT_PW)
    page = admin.get("/console/users")
    user_id = console.accounts.get("alice").user.id
    assert f'action="/console/users/{user_id}/unlock"' in page.text
    done = admin.post(
        f"/console/users/{user_id}/unlock", data={"csrf_token": token(admin, "/console/users")}
    )
    assert done.status_code == 200 and "Unlocked alice." in done.text
    assert log_in(console.client, "alice", GOOD).status_code == 303
    assert [e.data["subject"] for e in console.events(EventKind.LOCKED_OUT)] == ["alice"]


def test_when_an_address_keeps_failing_then_it_is_refused_before_any_password_check(
    database_url: str,
) -> None:
    settings = make_settings(database_url, auth_failure_burst=3, auth_failure_rate_per_s=0.001)
    with start(settings) as console:
        console.accounts.add("alice", Role.MODERATOR, GOOD)
        wrong = "a wrong password!!"
        codes = [log_in(console.client, "alice", wrong).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]  # three failures, then refused
        refused = log_in(console.client, "root", ROOT_PW)  # even the right password
        assert refused.status_code == 429 and "Rate limit" in alert(refused)
        assert not console.accounts.get("alice").locked  # the address was stopped first


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/console",
        "/console\\@evil.example",
        "javascript:alert(1)",
        "/v1/cases",
        "/console/logout",
        "/console/x\r\nSet-Cookie: a=b",
    ],
)
def test_when_next_points_elsewhere_then_the_log_in_goes_to_the_queue(
    console: Console, target: str
) -> None:
    answer = log_in(console.client, "root", ROOT_PW, target)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/queue"


def _forms(console: Console, client: TestClient) -> list[tuple[str, dict[str, str]]]:
    victim = console.accounts.add("victim", Role.MODERATOR, GOOD).id
    pw = {"password": "a fresh long password", "repeat": "a fresh long password"}
    return [
        ("/console/login", {"name": "root", "password": ROOT_PW, "next": "/console/users"}),
        ("/console/users", {"name": "eve", "role": "admin", **pw}),
        (f"/console/users/{victim}/disable", {}),
        (f"/console/users/{victim}/password", pw),
        (f"/console/users/{victim}/unlock", {}),
        ("/console/logout", {}),
    ]


@pytest.mark.parametrize("sent", ["missing", "empty", "another browser's", "the log-in form's"])
def test_when_a_form_comes_without_its_csrf_token_then_403_and_nothing_changes(
    console: Console, sent: str
) -> None:
    client = console.client
    anonymous_token = token(client)
    log_in(client, "root", ROOT_PW)
    other = console.browser()
    log_in(other, "root", ROOT_PW)
    wrong = {
        "missing": None,
        "empty": "",
        "another browser's": token(other, "/console/users"),
        "the log-in form's": anonymous_token,
    }[sent]
    before = console.accounts.list()
    events = len(console.events(EventKind.USER_CHANGED))
    for path, data in _forms(console, client):
        form = data if wrong is None else {**data, "csrf_token": wrong}
        answer = client.post(path, data=form, follow_redirects=False)
        assert answer.status_code == 403, path
        assert answer.headers["content-type"].startswith("text/html")
        assert "reload the page" in answer.text
    after = console.accounts.list()
    assert [a.user.name for a in after] == [a.user.name for a in before] + ["victim"]
    assert len(console.events(EventKind.USER_CHANGED)) == events + 1  # victim's "added" only
    assert client.get("/console/users").status_code == 200  # still logged in


def test_when_the_token_comes_in_the_header_then_the_form_is_accepted(console: Console) -> None:
    client = console.client
    log_in(client, "root", ROOT_PW)
    csrf = token(client, "/console/users")
    answer = client.post("/console/logout", headers={"X-CSRF-Token": csrf}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/login?bye=1"


def test_when_logged_out_then_the_session_is_over_and_the_event_recorded(console: Console) -> None:
    client = console.client
    log_in(client, "root", ROOT_PW)
    raw = client.cookies["cg_session"]
    answer = client.post("/console/logout", data={"csrf_token": token(client, "/console/users")})
    assert answer.status_code == 200 and "You have logged out." in answer.text
    stolen = console.browser()
    stolen.cookies.set("cg_session", raw)
    assert stolen.get("/console/users", follow_redirects=False).status_code == 303
    (event,) = console.events(EventKind.LOGGED_OUT)
    assert (event.actor, event.data["user_id"]) == ("root", console.root.id)


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.APPEALS, Role.COMPLIANCE])
def test_when_someone_not_an_admin_opens_the_users_page_then_403(
    console: Console, role: Role
) -> None:
    console.accounts.add("someone", role, GOOD)
    client = console.client
    log_in(client, "someone", GOOD)
    page = client.get("/console/users")
    assert page.status_code == 403 and "may not manage users" in page.text
    assert 'href="/console/users"' not in client.get("/console/account").text  # not in the nav
    changed = client.post(
        "/console/users",
        data={"name": "eve", "role": "admin", "password": GOOD, "repeat": GOOD,
              "csrf_token": token(client, "/console/account")},
    )  # fmt: skip
    assert changed.status_code == 403
    assert [a.user.name for a in console.accounts.list()] == ["root", "someone"]


def _admin(console: Console) -> TestClient:
    client = console.client
    log_in(client, "root", ROOT_PW)
    return client


def test_when_an_admin_adds_a_user_then_they_can_log_in_and_the_event_names_the_admin(
    console: Console,
) -> None:
    client = _admin(console)
    form = {"name": "alice", "role": "appeals", "password": GOOD, "repeat": GOOD}
    answer = client.post(
        "/console/users", data={**form, "csrf_token": token(client, "/console/users")}
    )
    assert answer.status_code == 200 and "Added alice." in answer.text
    assert log_in(console.browser(), "alice", GOOD).status_code == 303
    added = [e for e in console.events(EventKind.USER_CHANGED) if e.data["subject"] == "alice"]
    assert [(e.actor, e.data["user_id"], e.data["change"], e.data["role"]) for e in added] == [
        ("root", console.root.id, "added", "appeals")
    ]


@pytest.mark.parametrize(
    ("form", "status", "says"),
    [
        ({"name": "alice", "password": "short", "repeat": "short"}, 422, "at least 15"),
        ({"name": "alice", "password": GOOD, "repeat": GOOD + "!"}, 422, "differ"),
        ({"name": "ROOT", "password": GOOD, "repeat": GOOD}, 409, "exists"),
        ({"name": "automated", "password": GOOD, "repeat": GOOD}, 422, "reserved"),
        ({"name": "alice", "role": "boss", "password": GOOD, "repeat": GOOD}, 422, "role"),
        ({"name": "", "password": GOOD, "repeat": GOOD}, 422, "needs a name"),
    ],
)
def test_when_an_added_user_is_refused_then_the_page_says_why_and_keeps_the_name(
    console: Console, form: dict[str, str], status: int, says: str
) -> None:
    client = _admin(console)
    data = {"role": "moderator", **form, "csrf_token": token(client, "/console/users")}
    answer = client.post("/console/users", data=data)
    assert answer.status_code == status and says in alert(answer)
    assert f'value="{form["name"]}"' in answer.text and form["password"] not in answer.text
    assert [a.user.name for a in console.accounts.list()] == ["root"]


def test_when_an_admin_disables_a_user_then_their_session_ends_at_once(console: Console) -> None:
    alice = console.accounts.add("alice", Role.MODERATOR, GOOD)
    theirs = console.browser()
    log_in(theirs, "alice", GOOD)
    assert theirs.get("/console/account").status_code == 200
    client = _admin(console)
    answer = client.post(
        f"/console/users/{alice.id}/disable", data={"csrf_token": token(client, "/console/users")}
    )
    assert "Disabled alice" in answer.text
    assert theirs.get("/console/account", follow_redirects=False).status_code == 303
    assert "disabled" in alert(log_in(theirs, "alice", GOOD))


def test_when_an_admin_tries_to_disable_themselves_then_refused(console: Console) -> None:
    client = _admin(console)
    csrf = token(client, "/console/users")
    answer = client.post(f"/console/users/{console.root.id}/disable", data={"csrf_token": csrf})
    assert answer.status_code == 422 and "yourself" in alert(answer)
    assert console.accounts.get("root").user.active


def test_when_an_admin_resets_a_password_then_the_old_one_and_its_sessions_stop(
    console: Console,
) -> None:
    alice = console.accounts.add("alice", Role.MODERATOR, GOOD)
    theirs = console.browser()
    log_in(theirs, "alice", GOOD)
    client = _admin(console)
    new = "another long passphrase"
    csrf = token(client, "/console/users")
    mismatch = client.post(
        f"/console/users/{alice.id}/password",
        data={"password": new, "repeat": "x" + new, "csrf_token": csrf},
    )
    assert mismatch.status_code == 422 and "differ" in alert(mismatch)
    answer = client.post(
        f"/console/users/{alice.id}/password",
        data={"password": new, "repeat": new, "csrf_token": csrf},
    )
    assert "Set a new password for alice" in answer.text
    assert theirs.get("/console/account", follow_redirects=False).status_code == 303
    assert log_in(theirs, "alice", GOOD).status_code == 401
    assert log_in(theirs, "alice", new).status_code == 303


@pytest.mark.parametrize("path", ["/console/users/nobody/disable", "/console/users/x/rename"])
def test_when_a_change_names_no_user_or_no_change_then_404_page(
    console: Console, path: str
) -> None:
    client = _admin(console)
    answer = client.post(path, data={"csrf_token": token(client, "/console/users")})
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "path", ["/console/login", "/console/users", "/console/account", "/console/nowhere"]
)
def test_when_a_console_page_is_served_then_it_carries_the_security_headers(
    console: Console, path: str
) -> None:
    log_in(console.client, "root", ROOT_PW)
    answer = console.client.get(path, follow_redirects=False)
    headers = answer.headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in answer.text and " style=" not in answer.text
    assert not re.search(r"<[^>]+\son\w+=", answer.text)  # no inline event handlers


def test_when_a_static_file_is_asked_for_then_only_known_names_are_served(
    console: Console,
) -> None:
    css = console.client.get("/console/static/console.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    for bad in ("..%2F..%2Fsettings.py", "%2Fetc%2Fpasswd", "nothing.css"):
        assert console.client.get(f"/console/static/{bad}").status_code == 404


def _quoted(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _post(client: TestClient, path: str, data: dict[str, str]) -> httpx.Response:
    """A form sent byte for byte as given (an unpaired surrogate as its UTF-8 bytes)."""
    body = "&".join(f"{_quoted(k)}={_quoted(v)}" for k, v in data.items())
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return client.post(path, content=body.encode(), headers=headers, follow_redirects=False)


HOSTILE = ["\x00", "a\x00b", "\udcff", "\x1b[2J", "x" * 5000, "' OR 1=1 --", "<script>x</script>"]


@pytest.mark.parametrize("value", HOSTILE)
def test_when_a_form_field_is_hostile_then_never_a_500(console: Console, value: str) -> None:
    client = _admin(console)
    csrf = token(client, "/console/users")
    victim = console.accounts.add("victim", Role.MODERATOR, GOOD).id
    posts: list[tuple[str, dict[str, str]]] = [
        ("/console/users", {"name": value, "role": "moderator", "password": GOOD, "repeat": GOOD}),
        ("/console/users", {"name": "z", "role": value, "password": GOOD, "repeat": GOOD}),
        ("/console/users", {"name": "y", "role": "moderator", "password": value, "repeat": value}),
        (f"/console/users/{victim}/password", {"password": value, "repeat": value}),
        ("/console/users/" + _quoted(value[:50]) + "/unlock", {}),
    ]
    for path, data in posts:
        answer = _post(client, path, {**data, "csrf_token": csrf})
        assert answer.status_code < 500, (path, answer.text[:300])
        assert "<script>x</script>" not in answer.text
    anon = console.browser()
    for field in ("name", "password", "next"):
        form = {"name": "root", "password": "no", "next": "/console/users", field: value}
        answer = _post(anon, "/console/login", {**form, "csrf_token": token(anon)})
        assert answer.status_code < 500 and "<script>x</script>" not in answer.text
    for query in (f"next={_quoted(value)}", f"done=added&who={_quoted(value)}"):
        assert client.get(f"/console/users?{query}").status_code < 500
        assert anon.get(f"/console/login?{query}").status_code < 500
