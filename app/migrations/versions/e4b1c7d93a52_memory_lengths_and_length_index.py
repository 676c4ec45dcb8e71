"""translation memory: entries counted by length, an index by length, trigram counts on PostgreSQL too

A lookup proves its best match by reading every entry of the lengths the trigram index cannot vouch
for (short queries, low scores): ``memory_lengths`` says what that costs and a partial index on
``(lang, length(norm))`` holding ``norm`` reads them without the rows. PostgreSQL now keeps
``memory_grams`` as SQLite does, so both databases pick the same trigrams and give the same results.

Revision ID: e4b1c7d93a52
Revises: d5a8e2c41f67
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'e4b1c7d93a52'
down_revision = 'd5a8e2c41f67'
branch_labels = None
depends_on = None

SCAN_LONGEST = 200  # app.services.translating.memory_store.SCAN_LONGEST when this revision was written


def upgrade():
    op.create_table(
        'memory_lengths',
        sa.Column('lang', sa.String(length=20), nullable=False),
        sa.Column('length', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('lang', 'length'),
    )
    op.execute("INSERT INTO memory_lengths (lang, length, entries) "
               "SELECT lang, length(norm), count(*) FROM memory_entries GROUP BY lang, length(norm)")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"CREATE INDEX ix_memory_entries_length ON memory_entries (lang, length(norm)) INCLUDE (norm, id) "
                   f"WHERE length(norm) <= {SCAN_LONGEST}")
        op.execute("DELETE FROM memory_grams")
        op.execute("INSERT INTO memory_grams (gram, entries) SELECT gram, count(*) FROM "
                   "(SELECT DISTINCT e.id, substr(e.norm, i, 3) AS gram FROM memory_entries AS e, "
                   "generate_series(1, length(e.norm) - 2) AS i) AS held GROUP BY gram")
    else:
        op.execute(f"CREATE INDEX ix_memory_entries_length ON memory_entries (lang, length(norm), norm) "
                   f"WHERE length(norm) <= {SCAN_LONGEST}")


def downgrade():
    op.execute("DROP INDEX ix_memory_entries_length")
    op.drop_table('memory_lengths')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DELETE FROM memory_grams")
