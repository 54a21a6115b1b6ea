"""Statements of reasons, one row per restriction (DSA Art. 17), written in the transaction
of the restriction itself (a case decided ``remove``, or a blocked upload).

``id`` is also the statement's ``puid`` in the Transparency Database: unique, never
reused. ``statement`` is the database's JSON body as built; ``redress`` what the
affected user is told besides. Exports read by ``application_date`` then ``seq``
(``ix_statements_application_date_seq``), so a range streams in pages without a sort.
A screen's decision has at most one statement (``decision_id`` is unique).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, DateTime, Index, String, Table

from consentgate.store.banks_tables import BigId
from consentgate.store.schema import metadata

statements = Table(
    "statements",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True, doc="also the puid"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("application_date", Date, nullable=False),
    Column("source", String(20), nullable=False, doc="case | upload"),
    Column("harm", String(40), nullable=False),
    Column("case_id", String(32), nullable=True, index=True),
    Column("decision_id", String(32), nullable=True, unique=True),
    Column("statement", JSON, nullable=False, doc="the Transparency Database body"),
    Column("redress", JSON, nullable=False),
    Index("ix_statements_application_date_seq", "application_date", "seq"),
)
