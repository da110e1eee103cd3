"""certificate numbers come from a counter per prefix and year

Issuing a certificate took `max(serial) WHERE serial LIKE :head` under an advisory lock held until the
commit. The pattern is a bound parameter, so once psycopg prepares the statement PostgreSQL plans it
without knowing the prefix and walks the whole serial index (17 ms at 130,000 certificates); every passing
quiz waited for the one before it. The counter is one row per head ("SFQ-2026-"), taken by one UPDATE whose
row lock keeps numbers unique and gapless. Counters start lazily from the highest serial already issued.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 11:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('serial_counter',
    sa.Column('head', sa.String(length=16), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('head', name=op.f('pk_serial_counter'))
    )


def downgrade():
    op.drop_table('serial_counter')
