"""Flood logs in Redis: a sorted set per entry (member -> last seen), under the prefix.

Why sorted sets: the score is the time, so forgetting a window's old matches
is one ``ZREMRANGEBYSCORE`` and keeping the newest ``keep`` one
``ZREMRANGEBYRANK``. ``count`` runs as one ``MULTI``; ``observe`` watches the
entry's set, reads it, lets the caller choose, and writes in ``MULTI``: a
worker that wrote meanwhile makes it read again, so the choice is always made
on the whole window. Marks are fields of one hash per entry, each holding the
time it lapses, compared with the caller's clock as the windows are. Keys
expire a window after their last write (the marks' key after its longest
lapse; a mark that never lapses keeps it), so entries that stop matching leave
nothing behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import redis
from redis.exceptions import RedisError, WatchError

from consentgate.counters import CountersUnavailable
from consentgate.counters.flood import Choose, Seen

CLAIM = """
local lapses = tonumber(redis.call('HGET', KEYS[1], ARGV[4]))
if lapses ~= nil and lapses > tonumber(ARGV[1]) then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
redis.call('HSET', KEYS[1], ARGV[4], ARGV[2])
if ARGV[3] == '' then
  redis.call('PERSIST', KEYS[1])
elseif ttl == -2 or (ttl >= 0 and ttl < tonumber(ARGV[3])) then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1
"""
FOREVER = "1e300"
RETRIES = 50
"""Rereads of a window another worker wrote meanwhile, before giving up (then 503-free:
the caller fails open). Under a real flood a few suffice."""


class RedisFloodLog:
    """``FloodLog`` in the Redis server at ``url``, every key under ``prefix``."""

    name = "redis"

    def __init__(self, url: str, *, prefix: str = "consentgate:", timeout_s: float = 0.5) -> None:
        self.prefix = prefix
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        self._claim = self._client.register_script(CLAIM)

    def count(self, entry_id: int, now: float, window_s: float, keep: int) -> int:
        key = self._key(entry_id, "matches")
        try:
            with self._client.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(key, "-inf", now - window_s)
                pipe.zadd(key, {uuid.uuid4().hex: now})
                pipe.zremrangebyrank(key, 0, -(keep + 1))
                pipe.zcard(key)
                pipe.pexpire(key, _ms(window_s))
                return int(pipe.execute()[3])
        except RedisError as exc:
            raise _unavailable(exc) from None

    def observe(
        self, entry_id: int, now: float, window_s: float, keep: int, choose: Choose
    ) -> Sequence[Seen]:
        key = self._key(entry_id, "pairs")
        try:
            with self._client.pipeline(transaction=True) as pipe:
                for _ in range(RETRIES):
                    try:
                        pipe.watch(key)  # type: ignore[no-untyped-call]
                        since = f"({now - window_s!r}"
                        rows: Any = pipe.zrangebyscore(key, since, "+inf", withscores=True)
                        member = choose([Seen(m.decode(), float(at)) for m, at in rows])
                        pipe.multi()
                        pipe.zremrangebyscore(key, "-inf", now - window_s)
                        pipe.zadd(key, {member: now})
                        pipe.zremrangebyrank(key, 0, -(keep + 1))
                        pipe.zrange(key, 0, -1, withscores=True)
                        pipe.pexpire(key, _ms(window_s))
                        after = pipe.execute()[3]
                        return [Seen(m.decode(), float(at)) for m, at in after]
                    except WatchError:
                        continue
        except RedisError as exc:
            raise _unavailable(exc) from None
        raise CountersUnavailable(f"flood log of entry {entry_id} stayed busy")

    def claim(self, entry_id: int, mark: str, now: float, ttl_s: float | None) -> bool:
        key = self._key(entry_id, "marks")
        until = FOREVER if ttl_s is None else repr(now + ttl_s)
        ttl_ms = "" if ttl_s is None else str(_ms(ttl_s) + 1000)
        try:
            done = self._claim(keys=[key], args=[repr(now), until, ttl_ms, mark])
        except RedisError as exc:
            raise _unavailable(exc) from None
        return int(done) == 1

    def forget(self, entry_id: int) -> None:
        try:
            self._client.delete(*(self._key(entry_id, k) for k in ("matches", "pairs", "marks")))
        except RedisError as exc:
            raise _unavailable(exc) from None

    def held(self, entry_id: int) -> int:
        try:
            with self._client.pipeline(transaction=False) as pipe:
                for kind in ("matches", "pairs"):
                    pipe.zcard(self._key(entry_id, kind))
                return sum(int(n) for n in pipe.execute())
        except RedisError as exc:
            raise _unavailable(exc) from None

    def close(self) -> None:
        self._client.close()

    def _key(self, entry_id: int, part: str) -> str:
        return f"{self.prefix}flood:{entry_id}:{part}"


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _unavailable(exc: Exception) -> CountersUnavailable:
    return CountersUnavailable(f"Redis is not reachable ({type(exc).__name__})")
