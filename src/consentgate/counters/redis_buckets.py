"""Token buckets in Redis: one hash per bucket, spent by one Lua script.

Why a script: reading the tokens, refilling them and spending one must be one
atomic step, or two workers that read the same count at once both spend the
last token. Redis runs a script alone, and ``TIME`` inside it gives every
worker the same clock. A bucket expires once it would be full again (a full
bucket is the same as none), so made-up ids do not fill the server.
"""

from __future__ import annotations

import redis
from redis.exceptions import RedisError

from consentgate.counters import CountersUnavailable

TAKE = """
local rate, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens, updated = tonumber(state[1]), tonumber(state[2])
if tokens == nil or updated == nil then tokens, updated = burst, now end
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
if tokens >= cost then
  if ARGV[4] == '1' then
    tokens = tokens - cost
    redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
    redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
  end
  return '0'
end
if cost > burst then return tostring(burst / rate) end
return tostring((cost - tokens) / rate)
"""


class RedisBuckets:
    """``Buckets`` in the Redis server at ``url``, every key under ``prefix``.

    Short socket timeouts: a Redis that hangs must answer 503 (or let a
    fail-open limit pass) within half a second, not hold a request.
    """

    name = "redis"

    def __init__(self, url: str, *, prefix: str = "consentgate:", timeout_s: float = 0.5) -> None:
        self.prefix = prefix
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        self._script = self._client.register_script(TAKE)

    def take(self, bucket: str, rate: float, burst: int, cost: int = 1) -> float:
        return self._run(bucket, rate, burst, cost, spend=True)

    def peek(self, bucket: str, rate: float, burst: int, cost: int = 1) -> float:
        return self._run(bucket, rate, burst, cost, spend=False)

    def ping(self) -> None:
        """Raise CountersUnavailable unless the server answers (checked at start-up)."""
        try:
            self._client.ping()
        except RedisError as exc:
            raise CountersUnavailable(f"Redis is not reachable ({type(exc).__name__})") from None

    def close(self) -> None:
        self._client.close()

    def _run(self, bucket: str, rate: float, burst: int, cost: int, *, spend: bool) -> float:
        args = [repr(float(rate)), str(burst), str(cost), "1" if spend else "0"]
        try:
            answer = self._script(keys=[self.prefix + bucket], args=args)
        except RedisError as exc:
            raise CountersUnavailable(f"Redis is not reachable ({type(exc).__name__})") from None
        return float(answer.decode() if isinstance(answer, bytes) else answer)
