"""publications keep the note's name at approval (the title of a note without title:)

Revision ID: c3e9a1f07b25
Revises: b7c31d5e9a20
Create Date: 2026-12-02 01:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'c3e9a1f07b25'
down_revision = 'b7c31d5e9a20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_name', sa.String(length=500), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_column('source_name')
