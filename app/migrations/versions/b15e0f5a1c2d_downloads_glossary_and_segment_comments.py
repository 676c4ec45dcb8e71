"""catalog downloads for offline work, glossary terms and segment comments (issue 15)

Revision ID: b15e0f5a1c2d
Revises: aa5e412ae4cb
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b15e0f5a1c2d'
down_revision = 'aa5e412ae4cb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'catalog_downloads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=500), nullable=False),
        sa.Column('lang', sa.String(length=20), nullable=False),
        sa.Column('entries', sa.Text(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token'),
    )
    op.create_table(
        'glossary_terms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lang', sa.String(length=20), nullable=False),
        sa.Column('source_term', sa.String(length=200), nullable=False),
        sa.Column('source_key', sa.String(length=200), nullable=False),
        sa.Column('target_term', sa.String(length=200), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('do_not_translate', sa.Boolean(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('lang', 'source_key'),
    )
    op.create_table(
        'segment_comments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=500), nullable=False),
        sa.Column('lang', sa.String(length=20), nullable=False),
        sa.Column('entry_id', sa.String(length=40), nullable=False),
        sa.Column('msgid', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('resolved', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('resolved_by', sa.Integer(), nullable=True),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('review_event_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['resolved_by'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['review_event_id'], ['review_events.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('segment_comments', schema=None) as batch_op:
        batch_op.create_index('ix_segment_comments_entry', ['source', 'lang', 'entry_id'], unique=False)


def downgrade():
    with op.batch_alter_table('segment_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_segment_comments_entry')
    op.drop_table('segment_comments')
    op.drop_table('glossary_terms')
    op.drop_table('catalog_downloads')
