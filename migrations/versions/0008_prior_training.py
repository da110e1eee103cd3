"""prior training: training done before or outside the portal, recorded with its evidence

A row stands behind a completion of mode 'prior' while accepted; the office's rejection removes the
completion and keeps the row (status 'rejected', who and why).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 06:45:00

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('prior_training',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('evidence', sa.String(length=200), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('completion_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', portal.models.base.UTCDateTime(), nullable=True),
    sa.Column('review_note', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['completion_id'], ['completion.id'], name=op.f('fk_prior_training_completion_id_completion'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_prior_training_course_id_course')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_prior_training_organization_id_organization')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_prior_training_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_prior_training_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_prior_training_reviewed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prior_training'))
    )
    with op.batch_alter_table('prior_training', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prior_training_completion_id'), ['completion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prior_training_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prior_training_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('prior_training', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prior_training_person_id'))
        batch_op.drop_index(batch_op.f('ix_prior_training_organization_id'))
        batch_op.drop_index(batch_op.f('ix_prior_training_completion_id'))
    op.drop_table('prior_training')
