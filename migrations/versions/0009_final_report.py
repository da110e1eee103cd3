"""final reports: a yearly report the office marked final, stored as sent with its SHA-256

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 07:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('final_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('finalized_by_id', sa.Integer(), nullable=True),
    sa.Column('finalized_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['finalized_by_id'], ['user_account.id'], name=op.f('fk_final_report_finalized_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_final_report')),
    sa.UniqueConstraint('year', 'locale', name=op.f('uq_final_report_year'))
    )


def downgrade():
    op.drop_table('final_report')
