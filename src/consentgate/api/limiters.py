"""One worker's limiters, all spending the same shared counters.

| limiter | bucket per | when the counters are down |
|---|---|---|
| ``keys`` | API key | fails open (a known key keeps working; a warning is logged) |
| ``failures`` | client address, failed authentications | fails closed: 503 |
| ``notices`` | client address, notices and unknown tracking codes | fails closed: 503 |
| ``cases`` | client address, cases its notices open per hour | fails closed: 503 |

Each check made during an outage is counted (``consentgate_counters_unavailable_total``).
Routes anyone may call fail closed, so an outage never turns into an unlimited
flood; a keyed caller is already known, so its limit gives way to availability.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from consentgate.api.auth import Gate
from consentgate.api.clientaddr import ClientAddress
from consentgate.api.ratelimit import RateLimiter
from consentgate.counters import Buckets
from consentgate.counters.choose import open_buckets
from consentgate.service.wiring import Services


@dataclass(frozen=True)
class Limits:
    buckets: Buckets
    keys: RateLimiter
    failures: RateLimiter
    notices: RateLimiter
    cases: RateLimiter
    client: ClientAddress

    @classmethod
    def build(
        cls, services: Services, on_outage: Callable[[str, bool], None] | None = None
    ) -> Limits:
        s = services.settings
        buckets = open_buckets(s, services.db)
        per_hour = s.cases_per_address_per_hour

        def limiter(
            rate: float, burst: int, name: str, what: str, fail_open: bool = False
        ) -> RateLimiter:
            return RateLimiter(
                rate,
                burst,
                what=what,
                name=name,
                buckets=buckets,
                fail_open=fail_open,
                on_outage=on_outage,
            )

        return cls(
            buckets=buckets,
            keys=limiter(s.rate_limit_per_s, s.rate_limit_burst, "key", "this key", True),
            failures=limiter(
                s.auth_failure_rate_per_s,
                s.auth_failure_burst,
                "auth",
                "failed authentications from this address",
            ),
            notices=limiter(
                s.notice_rate_per_s, s.notice_rate_burst, "notice", "notices from this address"
            ),
            cases=limiter(
                per_hour / 3600, per_hour, "cases", "cases opened by notices from this address"
            ),
            client=ClientAddress(s.trusted_proxies),
        )

    def gate(self, services: Services) -> Gate:
        return Gate(
            services.keys,
            self.keys,
            failures=self.failures,
            cache_s=services.settings.key_cache_s,
            client=self.client,
        )
