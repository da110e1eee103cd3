"""password reset codes: one-time codes a company administrator or the office gives a person

One row per account at most, holding only the code's hash and when it expires; the row goes when the code is
used, replaced or the password changes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_reset_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.Column('expires_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_password_reset_code_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_code')),
    sa.UniqueConstraint('user_id', name=op.f('uq_password_reset_code_user_id'))
    )


def downgrade():
    op.drop_table('password_reset_code')
