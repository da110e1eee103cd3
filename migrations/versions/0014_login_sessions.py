"""login sessions kept on the server: logout, a new password or the office ends them

One row per signed-in browser, holding the SHA-256 of the token its cookies carry. Sessions from before this
revision carried "<user id>.<password stamp>" and are no longer accepted: everyone logs in once more.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('remembered', sa.Boolean(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.Column('ended_at', portal.models.base.UTCDateTime(), nullable=True),
    sa.Column('ended_because', sa.String(length=16), nullable=True),
    sa.Column('device', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_login_session_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_session_token_hash'))
    )
    op.create_index('ix_login_session_user_id_ended_at', 'login_session', ['user_id', 'ended_at'], unique=False)


def downgrade():
    op.drop_index('ix_login_session_user_id_ended_at', table_name='login_session')
    op.drop_table('login_session')
