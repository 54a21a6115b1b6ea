"""Which counters (and bank flood logs) a service uses, chosen once at start-up from its settings.

Redis when ``CONSENTGATE_REDIS_URL`` is set; else the store when it is
PostgreSQL; else this worker's memory, which is right only for one worker:
``check_counters`` stops ``serve --workers N`` (N > 1) on SQLite without Redis,
because every worker would then admit the whole limit.
"""

from __future__ import annotations

from consentgate.counters import Buckets, CountersUnavailable
from consentgate.counters.flood import FloodLog
from consentgate.counters.flood_memory import MemoryFloodLog
from consentgate.counters.flood_postgres import PostgresFloodLog
from consentgate.counters.flood_redis import RedisFloodLog
from consentgate.counters.memory import MemoryBuckets
from consentgate.counters.postgres import PostgresBuckets
from consentgate.counters.redis_buckets import RedisBuckets
from consentgate.errors import ConfigError
from consentgate.settings import Settings
from consentgate.store.database import Database


def open_buckets(settings: Settings, db: Database) -> Buckets:
    if settings.redis_url:
        return RedisBuckets(settings.redis_url, prefix=settings.redis_prefix)
    if not db.is_sqlite:
        return PostgresBuckets(db.engine)
    return MemoryBuckets()


def open_flood_log(settings: Settings, db: Database) -> FloodLog:
    """Where bank flood counts live: chosen as the buckets are, so every worker shares them."""
    if settings.redis_url:
        return RedisFloodLog(settings.redis_url, prefix=settings.redis_prefix)
    if not db.is_sqlite:
        return PostgresFloodLog(db.engine)
    return MemoryFloodLog()


def check_counters(settings: Settings, *, sqlite: bool) -> None:
    """At ``serve``: refuse a Redis that does not answer (a wrong URL would otherwise
    be 503s), and more than one worker whose counters would be per process."""
    if settings.redis_url:
        try:
            redis = RedisBuckets(settings.redis_url, prefix=settings.redis_prefix)
        except ValueError as exc:  # not a redis://, rediss:// or unix:// URL
            raise ConfigError(f"CONSENTGATE_REDIS_URL: {exc}") from None
        try:
            redis.ping()
        except CountersUnavailable as exc:
            raise ConfigError(f"CONSENTGATE_REDIS_URL: {exc.message}") from None
        finally:
            redis.close()
    if settings.workers > 1 and sqlite and not settings.redis_url:
        raise ConfigError(
            f"{settings.workers} workers on SQLite would each keep their own rate limits "
            "(each admitting the whole limit): set CONSENTGATE_REDIS_URL, use a PostgreSQL "
            "store, or run one worker"
        )
