"""Bearer-key authentication, scope checks and rate limits, before any body byte is read.

Why a middleware: FastAPI reads and parses a route's body before the route's
dependencies run, so a key checked in a dependency is checked after an
unauthenticated caller's 38 MB body has been parsed. ``KeyGate`` runs before
the router instead: it finds the route the request will reach and, when that
route declares a key requirement (``KeyRequirement``, via ``Depends``), checks
the key, its scope and its rate limit, and only then lets the route read a
body bounded by the route's own limit (``consentgate.api.limits``). Routes
that declare no requirement (``/healthz``, ``/readyz``, the API docs when on)
and paths that match no route (404, 405: no body is read) pass through.

Failed authentications spend a token bucket per client address (as
``ClientAddress`` finds it: the peer, or what a trusted proxy forwards): once it is
empty, that address is answered 429 (with Retry-After) on every keyed route
without a key lookup, so a flood of guessed keys costs no store reads.

A key looked up in a store that cannot serve (unreachable, full, locked) is
answered 503 with Retry-After, the same document a route gives, never a 500.

A looked-up key is trusted for ``key_cache_s`` seconds (default 1 s) so that a
request does not need a store read; a revocation therefore takes effect on
every worker within that time.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Sequence

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from consentgate.api.clientaddr import ClientAddress
from consentgate.api.limits import within
from consentgate.api.ratelimit import RateLimiter
from consentgate.errors import ConsentGateError, Forbidden, Unauthorized
from consentgate.service.keys import ApiKey, KeyStore, hash_key
from consentgate.service.keys import Scope as KeyScope
from consentgate.store.faults import cause_of, store_fault

log = logging.getLogger(__name__)

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer cg_…`")

MISSING = "an API key is required: send 'Authorization: Bearer KEY'"


def bearer_token(authorization: str | None) -> str | None:
    scheme, credentials = get_authorization_scheme_param(authorization)
    if not credentials or scheme.lower() != "bearer":
        return None
    return credentials


class Gate:
    """Authenticates keys (with a short cache) and spends their rate-limit tokens."""

    def __init__(
        self,
        keys: KeyStore,
        limiter: RateLimiter,
        *,
        failures: RateLimiter | None = None,
        cache_s: float = 1.0,
        client: ClientAddress | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.keys = keys
        self.limiter = limiter
        self.failures = failures or RateLimiter(0, 1)
        self.client = client or ClientAddress()
        self.cache_s = cache_s
        self._clock = clock
        self._cache: dict[str, tuple[ApiKey | None, float]] = {}

    def cached(self, raw: str) -> tuple[bool, ApiKey | None]:
        hit = self._cache.get(hash_key(raw))
        if hit is not None and hit[1] > self._clock():
            return True, hit[0]
        return False, None

    def lookup(self, raw: str) -> ApiKey | None:
        key = self.keys.authenticate(raw)
        if self.cache_s > 0:
            if len(self._cache) > 10_000:  # unbounded guessing must not grow memory
                self._cache.clear()
            self._cache[hash_key(raw)] = (key, self._clock() + self.cache_s)
        return key

    async def admit(
        self, authorization: str | None, address: str, scopes: tuple[KeyScope, ...]
    ) -> ApiKey:
        """The key of a request holding any of ``scopes``, or a 401, 403 or 429 error."""
        # The buckets may be a network hop away (Redis, PostgreSQL): off the event loop.
        await run_in_threadpool(self.failures.ensure_open, address)
        raw = bearer_token(authorization)
        if raw is None:
            await run_in_threadpool(self.failures.check, address)
            raise Unauthorized(MISSING)
        found, key = self.cached(raw)
        if not found:
            key = await run_in_threadpool(self.lookup, raw)
        if key is None:
            await run_in_threadpool(self.failures.check, address)
            raise Unauthorized("the API key is not valid or has been revoked")
        if not any(key.allows(s) for s in scopes):
            wanted = " or ".join(s.value for s in scopes)
            raise Forbidden(f"this key lacks the {wanted!r} scope")
        await run_in_threadpool(self.limiter.check, key.id, key.rate_limit_per_s)
        return key


class KeyRequirement:
    """A route's requirement of a key holding any of ``scopes``.

    ``KeyGate`` enforces it before the body is read; as the route's dependency
    it hands the admitted key to the route and documents bearer auth in OpenAPI.
    """

    def __init__(self, scopes: tuple[KeyScope, ...]) -> None:
        self.scopes = scopes

    async def __call__(
        self,
        request: Request,
        _credentials: HTTPAuthorizationCredentials | None = Depends(bearer),  # noqa: B008
    ) -> ApiKey:
        key = request.scope.get("state", {}).get("api_key")
        if not isinstance(key, ApiKey):  # the route was reached without KeyGate: refuse
            raise Unauthorized(MISSING)
        return key


def requirement_of(route: APIRoute) -> KeyRequirement | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        if isinstance(dependant.call, KeyRequirement):
            return dependant.call
        stack.extend(dependant.dependencies)
    return None


class KeyGate:
    """The middleware that admits a keyed route's request before its body is read.

    ``routes`` are the app's routes in the order the router tries them; the
    first full match is the route the request will reach.
    """

    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[BaseRoute],
        gate: Callable[[], Gate],
        body_limit: Callable[[str, str], int],
    ) -> None:
        self.app = app
        self.routes = routes
        self.gate = gate
        self.body_limit = body_limit
        self._keyed = {
            id(route): req
            for route in routes
            if isinstance(route, APIRoute) and (req := requirement_of(route)) is not None
        }

    def _resolve(self, scope: Scope) -> tuple[APIRoute, KeyRequirement] | None:
        for route in self.routes:
            match, _child = route.matches(scope)
            if match is Match.FULL:
                req = self._keyed.get(id(route))
                return (route, req) if isinstance(route, APIRoute) and req else None
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        keyed = self._resolve(scope)
        if keyed is None:
            await self.app(scope, receive, send)
            return
        route, requirement = keyed
        scope["route"] = route  # refusals are counted under their route in the metrics
        try:
            gate = self.gate()
            key = await gate.admit(
                Headers(scope=scope).get("authorization"), gate.client.of(scope), requirement.scopes
            )
            limit = self.body_limit(scope["method"], route.path)
        except ConsentGateError as exc:
            await _answer(scope, receive, send, exc)
            return
        except Exception as exc:  # a key looked up in a store that cannot serve: 503
            fault = store_fault(exc)
            if fault is None:
                raise
            log.warning("%s looking up a key (%s)", fault.message, cause_of(exc))
            await _answer(scope, receive, send, fault)
            return
        scope.setdefault("state", {})["api_key"] = key
        await within(scope, receive, send, self.app, limit)


async def _answer(scope: Scope, receive: Receive, send: Send, exc: ConsentGateError) -> None:
    """Render ``exc`` with the app's own problem handler: the same document a route gives."""
    handler = scope["app"].exception_handlers[ConsentGateError]
    response = handler(Request(scope), exc)
    if inspect.isawaitable(response):
        response = await response
    await response(scope, receive, send)
