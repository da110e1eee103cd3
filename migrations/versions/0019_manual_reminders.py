"""reminders an administrator sends from the roster or the invitation page, logged on each person

One row per person reminded: by e-mail (the address that took it) or on a printed sheet, with the courses
it named, who sent it and when. The person's page lists them; a second reminder within a day is not sent.

Revision ID: 0019
Revises: 0018
Create Date: 2027-02-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('courses', sa.JSON(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_person_reminder_actor_id_user_account')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                            name=op.f('fk_person_reminder_organization_id_organization')),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainee.id'], name=op.f('fk_person_reminder_trainee_id_trainee'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_reminder'))
    )
    op.create_index('ix_person_reminder_trainee_sent', 'person_reminder', ['trainee_id', 'sent_at'], unique=False)
    op.create_index(op.f('ix_person_reminder_organization_id'), 'person_reminder', ['organization_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_person_reminder_organization_id'), table_name='person_reminder')
    op.drop_index('ix_person_reminder_trainee_sent', table_name='person_reminder')
    op.drop_table('person_reminder')
