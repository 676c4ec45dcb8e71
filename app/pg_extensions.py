"""Where PostgreSQL's ``unaccent`` and ``pg_trgm`` extensions live, so that SQL can name them whatever the search path."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

EXTENSIONS = ("unaccent", "pg_trgm")


def ensure_extensions(conn: Connection) -> dict[str, str]:
    """Create the extensions (in ``public`` when new) and return the schema each lives in."""
    for name in EXTENSIONS:
        conn.execute(text(f"CREATE EXTENSION IF NOT EXISTS {name} SCHEMA public"))
    return extension_schemas(conn)


def extension_schemas(conn: Connection) -> dict[str, str]:
    """The schema of each installed extension of :data:`EXTENSIONS`, quoted for SQL."""
    rows = conn.execute(text("SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                             "WHERE e.extname IN ('unaccent', 'pg_trgm')")).all()
    return {name: '"' + schema.replace('"', '""') + '"' for name, schema in rows}
