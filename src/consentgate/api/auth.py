"""Bearer-key authentication, scope checks and rate limiting, as one dependency.

A looked-up key is trusted for ``key_cache_s`` seconds (default 1 s) so that a
request does not need a store read; a revocation therefore takes effect on
every worker within that time.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from consentgate.api.ratelimit import RateLimiter
from consentgate.errors import Forbidden, Unauthorized
from consentgate.service.keys import ApiKey, KeyStore, Scope, hash_key

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer cg_…`")


class Gate:
    """Authenticates keys (with a short cache) and spends their rate-limit tokens."""

    def __init__(
        self,
        keys: KeyStore,
        limiter: RateLimiter,
        *,
        cache_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.keys = keys
        self.limiter = limiter
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


GateLookup = Callable[[Request], Gate]


def require(*scopes: Scope, gate_of: GateLookup) -> Callable[..., Awaitable[ApiKey]]:
    """A dependency that admits a valid, unrevoked key holding any of ``scopes``."""

    async def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer),  # noqa: B008
    ) -> ApiKey:
        gate = gate_of(request)
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized("an API key is required: send 'Authorization: Bearer KEY'")
        found, key = gate.cached(credentials.credentials)
        if not found:
            key = await run_in_threadpool(gate.lookup, credentials.credentials)
        if key is None:
            raise Unauthorized("the API key is not valid or has been revoked")
        if not any(key.allows(s) for s in scopes):
            wanted = " or ".join(s.value for s in scopes)
            raise Forbidden(f"this key lacks the {wanted!r} scope")
        gate.limiter.check(key.id, key.rate_limit_per_s)
        request.state.api_key = key
        return key

    return dependency
