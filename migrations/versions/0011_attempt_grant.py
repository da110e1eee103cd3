"""attempt grants: one more quiz attempt for someone who used them all, granted by their company or the office

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:30:00

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attempt_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_attempt_grant_course_id_course')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user_account.id'], name=op.f('fk_attempt_grant_granted_by_id_user_account')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_attempt_grant_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_grant'))
    )
    op.create_index('ix_attempt_grant_person_course', 'attempt_grant', ['person_id', 'course_id'], unique=False)


def downgrade():
    op.drop_index('ix_attempt_grant_person_course', table_name='attempt_grant')
    op.drop_table('attempt_grant')
