"""SQL that differs between the two databases the portal runs on (SQLite embedded, PostgreSQL in production)."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

# insert() builders with ON CONFLICT DO NOTHING / DO UPDATE, by dialect name.
INSERT_ON_CONFLICT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
