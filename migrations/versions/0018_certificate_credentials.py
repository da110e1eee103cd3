"""certificates as Open Badges 3.0 credentials: a secret salt per certificate, status lists, signed credentials

Each certificate gets a random secret salt for the hash of its holder's name (the public JSON credential had
sha256(name + serial), which gives the name back to anyone trying the common characters). Status lists (W3C
Bitstring Status List) say which certificates are no longer valid, so that a credential is signed once and
stored (signed_credential) instead of being signed again, with its status, on every request.

Revision ID: 0018
Revises: 0014
Create Date: 2027-01-20 10:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa

import portal.models.base

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0014'
branch_labels = None
depends_on = None

BATCH = 5000


def _salt_existing_certificates():
    connection = op.get_bind()
    certificate = sa.table('certificate', sa.column('id', sa.Integer), sa.column('identity_salt', sa.String))
    update = (sa.update(certificate).where(certificate.c.id == sa.bindparam('certificate_id'))
              .values(identity_salt=sa.bindparam('salt')))
    last = 0
    while True:
        ids = connection.scalars(sa.select(certificate.c.id).where(certificate.c.id > last)
                                 .order_by(certificate.c.id).limit(BATCH)).all()
        if not ids:
            return
        connection.execute(update, [{'certificate_id': i, 'salt': secrets.token_urlsafe(16)} for i in ids])
        last = ids[-1]


def upgrade():
    op.create_table('status_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('multiplier', sa.Integer(), nullable=False),
    sa.Column('offset', sa.Integer(), nullable=False),
    sa.Column('allocated', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.Column('document', sa.Text(), nullable=True),
    sa.Column('signed_version', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_list'))
    )
    op.create_table('signed_credential',
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=8), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('signed_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'],
                            name=op.f('fk_signed_credential_certificate_id_certificate'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('certificate_id', 'variant', name=op.f('pk_signed_credential'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_salt', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('status_list_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status_index', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_certificate_status_list_id_status_list'), 'status_list',
                                    ['status_list_id'], ['id'])
        batch_op.create_unique_constraint('uq_certificate_status_list_id_status_index',
                                          ['status_list_id', 'status_index'])
    _salt_existing_certificates()
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.alter_column('identity_salt', existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint('uq_certificate_status_list_id_status_index', type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_certificate_status_list_id_status_list'), type_='foreignkey')
        batch_op.drop_column('status_index')
        batch_op.drop_column('status_list_id')
        batch_op.drop_column('identity_salt')
    op.drop_table('signed_credential')
    op.drop_table('status_list')
