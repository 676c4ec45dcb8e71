"""catalog downloads share content-addressed bases (catalog_bases) instead of a full copy each

Revision ID: d5a8e2c41f67
Revises: c3e9a1f07b25
Create Date: 2026-12-02 03:00:00

"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa

revision = 'd5a8e2c41f67'
down_revision = 'c3e9a1f07b25'
branch_labels = None
depends_on = None

bases = sa.table('catalog_bases', sa.column('digest', sa.String), sa.column('entries', sa.Text))
downloads = sa.table('catalog_downloads', sa.column('id', sa.Integer), sa.column('entries', sa.Text),
                     sa.column('base', sa.String))


def _canonical(entries: str) -> str:
    """The snapshot as the application writes it (sorted keys, compact), so equal catalogs share one base."""
    return json.dumps(json.loads(entries), sort_keys=True, ensure_ascii=False, separators=(',', ':'))


def upgrade():
    op.create_table(
        'catalog_bases',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('entries', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('digest'),
    )
    with op.batch_alter_table('catalog_downloads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('base', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    seen = set()
    for ident, entries in connection.execute(sa.select(downloads.c.id, downloads.c.entries)).all():
        text = _canonical(entries)
        digest = hashlib.sha256(text.encode('utf-8')).hexdigest()
        if digest not in seen:
            connection.execute(bases.insert().values(digest=digest, entries=text))
            seen.add(digest)
        connection.execute(downloads.update().where(downloads.c.id == ident).values(base=digest))
    with op.batch_alter_table('catalog_downloads', schema=None) as batch_op:
        batch_op.alter_column('base', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_foreign_key('fk_catalog_downloads_base', 'catalog_bases', ['base'], ['digest'])
        batch_op.create_index('ix_catalog_downloads_base', ['base'], unique=False)
        batch_op.create_index('ix_catalog_downloads_note', ['source', 'lang', 'at'], unique=False)
        batch_op.drop_column('entries')


def downgrade():
    with op.batch_alter_table('catalog_downloads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entries', sa.Text(), nullable=True))
    connection = op.get_bind()
    connection.execute(downloads.update().values(
        entries=sa.select(bases.c.entries).where(bases.c.digest == downloads.c.base).scalar_subquery()))
    with op.batch_alter_table('catalog_downloads', schema=None) as batch_op:
        batch_op.alter_column('entries', existing_type=sa.Text(), nullable=False)
        batch_op.drop_index('ix_catalog_downloads_note')
        batch_op.drop_index('ix_catalog_downloads_base')
        batch_op.drop_constraint('fk_catalog_downloads_base', type_='foreignkey')
        batch_op.drop_column('base')
    op.drop_table('catalog_bases')
