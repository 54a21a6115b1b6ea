"""Bank flood counts of a PostgreSQL store (``consentgate.counters.flood_postgres``).

One row per remembered match (``kind`` 'matches', a random member), per
distinct (content, client) pair ('pairs') or per mark ('marks': an alert raised
in this window, an entry tripped). ``seen`` and ``expires`` are seconds since
the epoch; a row past ``expires`` means nothing and is deleted now and then.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Table, Text

from consentgate.store.schema import metadata

flood_observations = Table(
    "flood_observations",
    metadata,
    Column("entry_id", BigInteger, primary_key=True),
    Column("kind", Text, primary_key=True),
    Column("member", Text, primary_key=True),
    Column("seen", Float(precision=53), nullable=False),
    Column("expires", Float(precision=53), nullable=False, index=True),
)
