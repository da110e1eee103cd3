"""duty commitments (履职承诺): the texts per role, in versions, and what each person signed

The default texts are reference data (`flask setup`, portal/domain/workforce/reference.py), added only where a role has
none, so the office's edits are never overwritten.

Revision ID: 0023
Revises: 0022
Create Date: 2027-03-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commitment_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('basis', sa.String(length=1000), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                            name=op.f('fk_commitment_text_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_text')),
    sa.UniqueConstraint('role', 'version', name=op.f('uq_commitment_text_role'))
    )
    op.create_index(op.f('ix_commitment_text_role'), 'commitment_text', ['role'], unique=False)
    op.create_table('commitment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('text_id', sa.Integer(), nullable=False),
    sa.Column('text_version', sa.Integer(), nullable=False),
    sa.Column('typed_name', sa.String(length=50), nullable=False),
    sa.Column('signed_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.Column('user_agent', sa.String(length=300), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('revoked_at', portal.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                            name=op.f('fk_commitment_organization_id_organization')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_commitment_person_id_person'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['text_id'], ['commitment_text.id'], name=op.f('fk_commitment_text_id_commitment_text')),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainee.id'], name=op.f('fk_commitment_trainee_id_trainee'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment'))
    )
    op.create_index('ix_commitment_person_role', 'commitment', ['person_id', 'role'], unique=False)
    op.create_index(op.f('ix_commitment_organization_id'), 'commitment', ['organization_id'], unique=False)
    op.create_index(op.f('ix_commitment_text_id'), 'commitment', ['text_id'], unique=False)
    op.create_index(op.f('ix_commitment_trainee_id'), 'commitment', ['trainee_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_commitment_trainee_id'), table_name='commitment')
    op.drop_index(op.f('ix_commitment_text_id'), table_name='commitment')
    op.drop_index(op.f('ix_commitment_organization_id'), table_name='commitment')
    op.drop_index('ix_commitment_person_role', table_name='commitment')
    op.drop_table('commitment')
    op.drop_index(op.f('ix_commitment_text_role'), table_name='commitment_text')
    op.drop_table('commitment_text')
