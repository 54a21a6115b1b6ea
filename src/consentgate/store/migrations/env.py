"""Alembic environment: migrations run on the Database the caller configured."""

from __future__ import annotations

from alembic import context

from consentgate.store.database import Database
from consentgate.store.schema import metadata

db: Database = context.config.attributes["database"]

with db.write() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=db.is_sqlite,
        transactional_ddl=True,
    )
    context.run_migrations()
