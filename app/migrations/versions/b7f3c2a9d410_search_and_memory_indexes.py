"""full-text search and translation-memory indexes

SQLite: FTS5 tables kept in step with their rows by triggers (``unicode61`` over folded stems for
search, ``trigram`` over normalised msgids for the memory). PostgreSQL: a ``tsvector`` column with a
GIN index (French/English configurations over ``unaccent``) and a ``pg_trgm`` GIN index.

Revision ID: b7f3c2a9d410
Revises: b15e0f5a1c2d
Create Date: 2026-12-01 23:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'b7f3c2a9d410'
down_revision = 'b15e0f5a1c2d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lang', sa.String(length=20), nullable=False),
        sa.Column('slug', sa.String(length=500), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('title_terms', sa.Text(), nullable=False),
        sa.Column('body_terms', sa.Text(), nullable=False),
        sa.Column('tsv', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('lang', 'slug'),
    )
    op.create_table(
        'memory_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lang', sa.String(length=20), nullable=False),
        sa.Column('catalog', sa.String(length=500), nullable=False),
        sa.Column('msgid_hash', sa.String(length=40), nullable=False),
        sa.Column('msgid', sa.Text(), nullable=False),
        sa.Column('msgstr', sa.Text(), nullable=False),
        sa.Column('norm', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_memory_entries_exact', 'memory_entries', ['lang', 'msgid_hash'])
    op.create_index('ix_memory_entries_catalog', 'memory_entries', ['lang', 'catalog'])
    op.create_table(
        'memory_catalogs',
        sa.Column('lang', sa.String(length=20), nullable=False),
        sa.Column('catalog', sa.String(length=500), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('mtime_ns', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('lang', 'catalog'),
    )
    op.create_table(
        'memory_grams',
        sa.Column('gram', sa.String(length=12), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('gram'),
    )
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title_terms, body_terms, content='search_documents', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')")
        op.execute("CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
                   "INSERT INTO search_fts(rowid, title_terms, body_terms) VALUES (new.id, new.title_terms, new.body_terms); END")
        op.execute("CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
                   "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
                   "VALUES ('delete', old.id, old.title_terms, old.body_terms); END")
        op.execute("CREATE VIRTUAL TABLE memory_fts USING fts5(norm, content='memory_entries', content_rowid='id', "
                   "tokenize='trigram', detail='none')")
        op.execute("CREATE TRIGGER memory_entries_ai AFTER INSERT ON memory_entries BEGIN "
                   "INSERT INTO memory_fts(rowid, norm) VALUES (new.id, new.norm); END")
        op.execute("CREATE TRIGGER memory_entries_ad AFTER DELETE ON memory_entries BEGIN "
                   "INSERT INTO memory_fts(memory_fts, rowid, norm) VALUES ('delete', old.id, old.norm); END")
    elif dialect == 'postgresql':
        from app.pg_extensions import ensure_extensions

        schemas = ensure_extensions(op.get_bind())
        op.create_index('ix_search_documents_tsv', 'search_documents', ['tsv'], postgresql_using='gin')
        op.execute(f"CREATE INDEX ix_memory_entries_trgm ON memory_entries USING gin (norm {schemas['pg_trgm']}.gin_trgm_ops)")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for trigger in ('search_documents_ai', 'search_documents_ad', 'memory_entries_ai', 'memory_entries_ad'):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
        op.execute("DROP TABLE IF EXISTS memory_fts")
    op.drop_table('memory_grams')
    op.drop_table('memory_catalogs')
    op.drop_index('ix_memory_entries_catalog', table_name='memory_entries')
    op.drop_index('ix_memory_entries_exact', table_name='memory_entries')
    op.drop_table('memory_entries')
    op.drop_table('search_documents')
