"""a roster row's department

An employer organizes its staff by department (安保部, 工程部, 营运部...): each employment names one, kept
with the roster (a person's department is per employer). Existing rows get none (an empty text).

Revision ID: 0021
Revises: 0020
Create Date: 2027-02-15 10:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department', sa.String(length=100), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.drop_column('department')
