"""lessons carry "law as of" and "last reviewed" dates from their front matter (#22)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 16:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lesson') as batch_op:
        batch_op.add_column(sa.Column('law_as_of', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('last_reviewed', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('lesson') as batch_op:
        batch_op.drop_column('last_reviewed')
        batch_op.drop_column('law_as_of')
