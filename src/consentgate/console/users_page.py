"""``/console/users``: admins list, add and disable users, set passwords and lift lock-outs.

Each change is a ``user_changed`` audit event naming the admin (their name and
``data.user_id``) and the user changed. After a change the browser is sent
back to the list (303), so a reload never repeats it. An admin cannot disable
themselves (the last admin could otherwise lock everyone out).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from consentgate.console.session import csrf_checked, logins, requires
from consentgate.console.templating import templates
from consentgate.errors import BadInput, ConsentGateError, NotFound
from consentgate.people import Act, Role, User
from consentgate.service.accounts import Account, Accounts
from consentgate.service.passwords import MIN_LENGTH

router = APIRouter()
admin = requires(Act.MANAGE_USERS)

ROLE_HELP = {
    Role.MODERATOR: "decide cases, change banks",
    Role.APPEALS: "decide cases and appeals",
    Role.COMPLIANCE: "open evidence, export the audit log",
    Role.ADMIN: "everything, and manage users",
}
DONE = {
    "added": "Added {name}.",
    "disabled": "Disabled {name}: their keys and sessions no longer work.",
    "password": "Set a new password for {name}: their sessions have ended.",
    "unlocked": "Unlocked {name}.",
}


def _accounts(request: Request) -> Accounts:
    return Accounts(logins(request))


def _page(
    request: Request,
    user: User,
    accounts: list[Account],
    *,
    done: str | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "user": user,
        "accounts": accounts,
        "roles": list(Role),
        "role_help": ROLE_HELP,
        "min_length": MIN_LENGTH,
        "done": done,
        "error": error,
        "form": form or {"name": "", "role": Role.MODERATOR.value},
    }
    return templates.TemplateResponse(request, "users.html", context, status_code=status)


@router.get("/users")
async def users_page(
    request: Request, user: Annotated[User, Depends(admin)], done: str = "", who: str = ""
) -> Response:
    """The users, with a form for each change and one to add a user."""
    accounts = await run_in_threadpool(_accounts(request).list)
    names = {a.user.id: a.user.name for a in accounts}
    message = DONE[done].format(name=names[who]) if done in DONE and who in names else None
    return _page(request, user, accounts, done=message)


def _back(done: str, who: User) -> Response:
    return RedirectResponse(f"/console/users?done={done}&who={who.id}", status_code=303)


def _repeated(password: str, repeat: str) -> None:
    if password != repeat:
        raise BadInput("the two passwords differ", field="repeat")


async def _refused(request: Request, user: User, exc: ConsentGateError, form: Any) -> Response:
    accounts = await run_in_threadpool(_accounts(request).list)
    return _page(request, user, accounts, error=exc.message, form=form, status=exc.http_status)


@router.post("/users", dependencies=[Depends(csrf_checked)])
async def add_user(
    request: Request,
    user: Annotated[User, Depends(admin)],
    name: str = Form("", max_length=1000),
    role: str = Form(Role.MODERATOR.value, max_length=20),
    password: str = Form("", max_length=1024),
    repeat: str = Form("", max_length=1024),
) -> Response:
    try:
        if role not in {r.value for r in Role}:
            raise BadInput(f"unknown role {role!r}", field="role")
        _repeated(password, repeat)
        added = await run_in_threadpool(
            _accounts(request).add, name, Role(role), password, actor=user
        )
    except ConsentGateError as exc:
        return await _refused(request, user, exc, {"name": name, "role": role})
    return _back("added", added)


def _subject(accounts: Accounts, user_id: str) -> User:
    found = next((a.user for a in accounts.list() if a.user.id == user_id), None)
    if found is None:
        raise NotFound("no such user")
    return found


@router.post("/users/{user_id}/{change}", dependencies=[Depends(csrf_checked)])
async def change_user(
    request: Request,
    user_id: str,
    change: str,
    user: Annotated[User, Depends(admin)],
    password: str = Form("", max_length=1024),
    repeat: str = Form("", max_length=1024),
) -> Response:
    """``disable``, ``password`` or ``unlock`` the user ``user_id``."""
    accounts = _accounts(request)
    if change not in ("disable", "password", "unlock"):
        raise NotFound("no such change")
    subject = await run_in_threadpool(_subject, accounts, user_id)
    try:
        if change == "disable":
            if subject.id == user.id:
                raise BadInput("you cannot disable yourself: ask another admin")
            await run_in_threadpool(accounts.disable, subject.name, actor=user)
            return _back("disabled", subject)
        if change == "password":
            _repeated(password, repeat)
            await run_in_threadpool(accounts.set_password, subject.name, password, actor=user)
            return _back("password", subject)
        await run_in_threadpool(accounts.unlock, subject.name, actor=user)
        return _back("unlocked", subject)
    except ConsentGateError as exc:
        if not isinstance(exc, BadInput):
            raise
        return await _refused(request, user, exc, None)
