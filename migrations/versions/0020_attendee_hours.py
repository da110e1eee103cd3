"""class hours of a classroom session and of each of its attendees

A session states the class hours (学时) it gave, by default its course's; each attendee earns the session's
hours or fewer (someone who left early), and that is what their certificate states. Sessions and attendance
recorded before take the course's hours, which is what their certificates already state.

Revision ID: 0020
Revises: 0019
Create Date: 2027-02-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('offline_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hours', sa.Float(), nullable=True))
    with op.batch_alter_table('offline_attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hours', sa.Float(), nullable=True))
    course = sa.table('course', sa.column('id', sa.Integer), sa.column('credit_hours', sa.Float))
    offline_session = sa.table('offline_session', sa.column('id', sa.Integer), sa.column('course_id', sa.Integer),
                               sa.column('hours', sa.Float))
    attendance = sa.table('offline_attendance', sa.column('session_id', sa.Integer), sa.column('hours', sa.Float))
    op.execute(offline_session.update().values(hours=sa.select(course.c.credit_hours)
                                               .where(course.c.id == offline_session.c.course_id)
                                               .scalar_subquery()))
    op.execute(attendance.update().values(hours=sa.select(offline_session.c.hours)
                                          .where(offline_session.c.id == attendance.c.session_id)
                                          .scalar_subquery()))


def downgrade():
    with op.batch_alter_table('offline_attendance', schema=None) as batch_op:
        batch_op.drop_column('hours')
    with op.batch_alter_table('offline_session', schema=None) as batch_op:
        batch_op.drop_column('hours')
