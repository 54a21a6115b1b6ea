"""Storage behind one interface: SQLite by default, PostgreSQL by URL, Alembic migrations."""
