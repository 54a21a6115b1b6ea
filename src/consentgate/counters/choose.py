"""Which counters (and bank flood logs) a service uses, chosen once at start-up from its settings.

Redis when ``CONSENTGATE_REDIS_URL`` is set; else the store: PostgreSQL, or
the SQLite file when several workers share it (``serve`` starts one per core
by default), whose one writer serialises every spend; else, for one worker on
SQLite, that worker's memory (no write per request). ``check_counters`` stops
several workers on a SQLite store that is not a file (``sqlite://``, in
memory): each worker would open its own database, and admit the whole limit.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url

from consentgate.counters import Buckets, CountersUnavailable
from consentgate.counters.flood import FloodLog
from consentgate.counters.flood_memory import MemoryFloodLog
from consentgate.counters.flood_postgres import PostgresFloodLog
from consentgate.counters.flood_redis import RedisFloodLog
from consentgate.counters.flood_sqlite import SqliteFloodLog
from consentgate.counters.memory import MemoryBuckets
from consentgate.counters.postgres import PostgresBuckets
from consentgate.counters.redis_buckets import RedisBuckets
from consentgate.counters.sqlite_buckets import SqliteBuckets
from consentgate.errors import ConfigError
from consentgate.settings import Settings
from consentgate.store.database import Database


def open_buckets(settings: Settings, db: Database) -> Buckets:
    if settings.redis_url:
        return RedisBuckets(settings.redis_url, prefix=settings.redis_prefix)
    if not db.is_sqlite:
        return PostgresBuckets(db.engine)
    if settings.worker_count > 1:
        return SqliteBuckets(db)
    return MemoryBuckets()


def open_flood_log(settings: Settings, db: Database) -> FloodLog:
    """Where bank flood counts live: chosen as the buckets are, so every worker shares them."""
    if settings.redis_url:
        return RedisFloodLog(settings.redis_url, prefix=settings.redis_prefix)
    if not db.is_sqlite:
        return PostgresFloodLog(db.engine)
    if settings.worker_count > 1:
        return SqliteFloodLog(db)
    return MemoryFloodLog()


def check_counters(settings: Settings, *, workers: int) -> None:
    """At ``serve``: refuse a Redis that does not answer (a wrong URL would otherwise
    be 503s), and several workers whose store, and so counters, would be per process."""
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
    if workers > 1 and sqlite_without_file(settings.database_url):
        raise ConfigError(
            f"{workers} workers on an in-memory SQLite store would each open their own "
            "database (and keep their own rate limits): give the store a file "
            "(sqlite:///var/consentgate.db), use PostgreSQL, or run one worker"
        )


def sqlite_without_file(url: str) -> bool:
    """A SQLite URL whose database lives in one process's memory (``sqlite://``, ``:memory:``)."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")
