"""the office edits questions: who made a version and from where, the file's digest at the last sync (#22)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 18:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question') as batch_op:
        batch_op.add_column(sa.Column('file_hash', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('office_set_retired', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('question_version') as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=12), nullable=False, server_default='file'))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_question_version_created_by_id_user_account'), 'user_account', ['created_by_id'],
                                    ['id'], ondelete='SET NULL')
    # every version so far came from the files: the file said what the current version says
    op.execute("UPDATE question SET file_hash = (SELECT content_hash FROM question_version "
               "WHERE question_version.id = question.current_version_id) WHERE current_version_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('question_version') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_question_version_created_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('origin')
    with op.batch_alter_table('question') as batch_op:
        batch_op.drop_column('office_set_retired')
        batch_op.drop_column('file_hash')
