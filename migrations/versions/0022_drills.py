"""fire drills: a company's planned and held drills, who took part, follow-up actions and photos

Drills are new records; nothing existing changes. Organization.last_drill_on (typed by the office) stays, and the
drill schedule reads it beside the drills held.

Revision ID: 0022
Revises: 0021
Create Date: 2027-02-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('drill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('scenario', sa.String(length=500), nullable=False),
    sa.Column('places', sa.String(length=300), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('sign_in_code', sa.String(length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', portal.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_drill_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_drill_organization_id_organization')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_drill_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drill')),
    sa.UniqueConstraint('sign_in_code', name=op.f('uq_drill_sign_in_code'))
    )
    with op.batch_alter_table('drill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drill_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('ix_drill_organization_id_held_on', ['organization_id', 'held_on'], unique=False)

    op.create_table('drill_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drill_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('owner_name', sa.String(length=100), nullable=False),
    sa.Column('owner_trainee_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_drill_action_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['drill_id'], ['drill.id'], name=op.f('fk_drill_action_drill_id_drill'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_trainee_id'], ['trainee.id'], name=op.f('fk_drill_action_owner_trainee_id_trainee'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drill_action'))
    )
    with op.batch_alter_table('drill_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drill_action_drill_id'), ['drill_id'], unique=False)

    op.create_table('drill_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drill_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=True),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('signed_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['drill_id'], ['drill.id'], name=op.f('fk_drill_participant_drill_id_drill'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_drill_participant_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainee.id'], name=op.f('fk_drill_participant_trainee_id_trainee'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drill_participant')),
    sa.UniqueConstraint('drill_id', 'person_id', name=op.f('uq_drill_participant_drill_id'))
    )
    with op.batch_alter_table('drill_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drill_participant_drill_id'), ['drill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drill_participant_person_id'), ['person_id'], unique=False)

    op.create_table('drill_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drill_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('alt_text', sa.String(length=300), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['drill_id'], ['drill.id'], name=op.f('fk_drill_photo_drill_id_drill'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_drill_photo_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drill_photo')),
    sa.UniqueConstraint('drill_id', 'sha256', name=op.f('uq_drill_photo_drill_id'))
    )
    with op.batch_alter_table('drill_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drill_photo_drill_id'), ['drill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drill_photo_sha256'), ['sha256'], unique=False)



def downgrade():
    with op.batch_alter_table('drill_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drill_photo_sha256'))
        batch_op.drop_index(batch_op.f('ix_drill_photo_drill_id'))

    op.drop_table('drill_photo')
    with op.batch_alter_table('drill_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drill_participant_person_id'))
        batch_op.drop_index(batch_op.f('ix_drill_participant_drill_id'))

    op.drop_table('drill_participant')
    with op.batch_alter_table('drill_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drill_action_drill_id'))

    op.drop_table('drill_action')
    with op.batch_alter_table('drill', schema=None) as batch_op:
        batch_op.drop_index('ix_drill_organization_id_held_on')
        batch_op.drop_index(batch_op.f('ix_drill_organization_id'))

    op.drop_table('drill')
