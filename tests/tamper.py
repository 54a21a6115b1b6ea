"""Rewrite the store as an insider would, past the guards a database superuser can lift.

On PostgreSQL, triggers refuse UPDATE and DELETE of audit events (migration
0012). A superuser can switch triggers off for a session
(``session_replication_role = replica``); tests that play an attacker do so, as
such an attacker would. SQLite has no such guard.
"""

from __future__ import annotations

from sqlalchemy import Connection, text


def as_superuser(conn: Connection) -> Connection:
    """Switch triggers off for the rest of ``conn``'s transaction (PostgreSQL only)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL session_replication_role = replica"))
    return conn
