"""one person, one record: persons, their employments (roster rows) and records that follow the person

Until now a roster row (trainee) was the person: the same human on two rosters was two people, and a
job change left their completions and certificates behind. This revision
- creates `person` (name, ID number unique, mobile, account) and points every roster row at one;
- merges roster rows that share an ID number (compared as canonical_id_number: full-width digits made
  ASCII, spaces and dashes removed, upper case) into one person, keeping every row as an employment and
  listing what disagrees (two names, two accounts) in `identity_conflict` for the office;
- moves completions, attempts, lesson progress, classroom attendance and certificates from the roster
  row to the person (certificate serials, tokens and verification addresses are untouched);
- of one person's several active employments, the first stays where the person is counted in the area
  figures and the others become second jobs; an active row without an employer (public registration)
  beside a job with one is closed, so nobody is counted twice;
- adds `roster_claim` (a registration or a hire waiting for the other side to confirm).

Downgrade puts name, mobile, ID number and account back on every roster row (the person's, so merged rows
keep the merged values; an account stays on the person's current row only) and the records on the
person's current row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 06:30:00

"""
import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

RECORD_TABLES = ('completion', 'attempt', 'lesson_progress', 'certificate', 'offline_attendance')


def canonical_id_number(value):
    """A copy of portal.domain.platform.validators.canonical_id_number as of this revision (migrations do not import
    code that may change later)."""
    if not value:
        return None
    number = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value)).upper()
    return number or None


def _create_tables():
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('real_name', sa.String(length=50), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('mobile', sa.String(length=11), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_person_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('id_number', name=op.f('uq_person_id_number')),
    sa.UniqueConstraint('user_id', name=op.f('uq_person_user_id'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_mobile'), ['mobile'], unique=False)

    op.create_table('identity_conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_identity_conflict_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user_account.id'], name=op.f('fk_identity_conflict_resolved_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_conflict'))
    )
    with op.batch_alter_table('identity_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_conflict_person_id'), ['person_id'], unique=False)

    op.create_table('roster_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_roster_claim_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['trainee_id'], ['trainee.id'], name=op.f('fk_roster_claim_trainee_id_trainee'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_roster_claim_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_claim'))
    )
    with op.batch_alter_table('roster_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_claim_trainee_id'), ['trainee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_claim_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_roster_claim_pending', ['trainee_id', 'user_id'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))


def _primary_first(row):
    """Which of one person's rows places them: active with an employer, earliest start, then oldest row."""
    return (row.status != 'active', row.organization_id is None, row.start_date or date.max, row.id)


def _make_persons(bind):
    """One person per canonical ID number (or per row without one); returns nothing, writes person_id."""
    trainee = sa.table('trainee', sa.column('id'), sa.column('real_name'), sa.column('mobile'),
                       sa.column('id_number'), sa.column('user_id'), sa.column('organization_id'),
                       sa.column('status'), sa.column('start_date', sa.Date), sa.column('left_on', sa.Date),
                       sa.column('created_at', sa.DateTime),
                       sa.column('person_id'), sa.column('second_job'))
    person = sa.table('person', sa.column('id'), sa.column('real_name'), sa.column('id_number'),
                      sa.column('mobile'), sa.column('user_id'), sa.column('created_at', sa.DateTime))
    conflict = sa.table('identity_conflict', sa.column('person_id'), sa.column('kind'),
                        sa.column('details', sa.JSON), sa.column('created_at', sa.DateTime))
    rows = bind.execute(sa.select(trainee).order_by(trainee.c.id)).all()
    by_number = defaultdict(list)
    singles = []
    for row in rows:
        number = canonical_id_number(row.id_number)
        (by_number[number] if number and len(number) <= 18 else singles).append(row)
    groups = [[row] for row in singles] + list(by_number.values())
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    today = now.date()
    next_id = 1
    assignments, conflicts, closed, second = [], [], [], []
    persons = []
    for group in groups:
        group.sort(key=_primary_first)
        with_account = [row for row in group if row.user_id is not None]
        lead = with_account[0] if with_account else group[0]
        number = canonical_id_number(lead.id_number)
        persons.append({'id': next_id, 'real_name': lead.real_name,
                        'id_number': number if number and len(number) <= 18 else None, 'mobile': lead.mobile,
                        'user_id': lead.user_id, 'created_at': min(row.created_at for row in group)})
        assignments.extend({'t_id': row.id, 'p_id': next_id} for row in group)
        names = sorted({row.real_name for row in group})
        if len(names) > 1:
            conflicts.append({'person_id': next_id, 'kind': 'names', 'created_at': now,
                              'details': {'names': names, 'kept': lead.real_name, 'rows': [row.id for row in group]}})
        if len(with_account) > 1:
            conflicts.append({'person_id': next_id, 'kind': 'accounts', 'created_at': now,
                              'details': {'accounts': [row.user_id for row in with_account], 'kept': lead.user_id,
                                          'rows': [row.id for row in group]}})
        active = [row for row in group if row.status == 'active']
        employed = [row for row in active if row.organization_id is not None]
        if employed:
            closed.extend({'t_id': row.id} for row in active if row.organization_id is None)
            second.extend({'t_id': row.id} for row in employed[1:])
        next_id += 1
    for start in range(0, len(persons), 5000):
        bind.execute(person.insert(), persons[start:start + 5000])
    if bind.dialect.name == 'postgresql' and persons:
        bind.execute(sa.text("SELECT setval(pg_get_serial_sequence('person', 'id'), :n)"), {'n': next_id - 1})
    update = sa.update(trainee).where(trainee.c.id == sa.bindparam('t_id')).values(person_id=sa.bindparam('p_id'))
    for start in range(0, len(assignments), 5000):
        bind.execute(update, assignments[start:start + 5000])
    if conflicts:
        bind.execute(conflict.insert(), conflicts)
    if closed:
        bind.execute(sa.update(trainee).where(trainee.c.id == sa.bindparam('t_id'))
                     .values(status='left', left_on=sa.bindparam('on')), [dict(row, on=today) for row in closed])
    if second:
        bind.execute(sa.update(trainee).where(trainee.c.id == sa.bindparam('t_id')).values(second_job=True), second)


def _move_records(bind):
    """Each record's person is its roster row's person; duplicates a merge made are folded together."""
    for table in RECORD_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        bind.execute(sa.text(f"UPDATE {table} SET person_id = "
                             f"(SELECT trainee.person_id FROM trainee WHERE trainee.id = {table}.trainee_id)"))
    # Two merged rows may each have opened the same lesson: keep one row, earliest read, time added up.
    bind.execute(sa.text(
        "UPDATE lesson_progress SET "
        "read_at = (SELECT min(o.read_at) FROM lesson_progress o WHERE o.person_id = lesson_progress.person_id "
        "AND o.lesson_id = lesson_progress.lesson_id), "
        "seconds_spent = (SELECT sum(o.seconds_spent) FROM lesson_progress o "
        "WHERE o.person_id = lesson_progress.person_id AND o.lesson_id = lesson_progress.lesson_id) "
        "WHERE id IN (SELECT min(id) FROM lesson_progress GROUP BY person_id, lesson_id HAVING count(*) > 1)"))
    for table, key in (('lesson_progress', 'lesson_id'), ('offline_attendance', 'session_id')):
        bind.execute(sa.text(f"DELETE FROM {table} WHERE id NOT IN "
                             f"(SELECT min(id) FROM {table} GROUP BY person_id, {key})"))


def upgrade():
    bind = op.get_bind()
    _create_tables()
    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('second_job', sa.Boolean(), nullable=False, server_default=sa.false()))
    _make_persons(bind)
    _move_records(bind)

    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.alter_column('second_job', server_default=None)
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_trainee_mobile'))
        batch_op.drop_constraint(batch_op.f('uq_trainee_user_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_trainee_user_id_user_account'), type_='foreignkey')
        batch_op.drop_column('user_id')
        batch_op.drop_column('real_name')
        batch_op.drop_column('mobile')
        batch_op.drop_column('id_number')
        batch_op.create_index(batch_op.f('ix_trainee_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_trainee_organization_person', ['organization_id', 'person_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_trainee_person_id_person'), 'person', ['person_id'], ['id'])

    with op.batch_alter_table('completion', schema=None) as batch_op:
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index('ix_completion_trainee_course')
        batch_op.drop_constraint(batch_op.f('fk_completion_trainee_id_trainee'), type_='foreignkey')
        batch_op.drop_column('trainee_id')
        batch_op.create_index('ix_completion_person_course', ['person_id', 'course_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_completion_person_id_person'), 'person', ['person_id'], ['id'],
                                    ondelete='CASCADE')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index('ix_attempt_trainee_course')
        batch_op.drop_constraint(batch_op.f('fk_attempt_trainee_id_trainee'), type_='foreignkey')
        batch_op.drop_column('trainee_id')
        batch_op.create_index('ix_attempt_person_course', ['person_id', 'course_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attempt_person_id_person'), 'person', ['person_id'], ['id'],
                                    ondelete='CASCADE')
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_lesson_progress_trainee_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_lesson_progress_trainee_id_trainee'), type_='foreignkey')
        batch_op.drop_column('trainee_id')
        batch_op.create_unique_constraint(batch_op.f('uq_lesson_progress_person_id'), ['person_id', 'lesson_id'])
        batch_op.create_foreign_key(batch_op.f('fk_lesson_progress_person_id_person'), 'person', ['person_id'],
                                    ['id'], ondelete='CASCADE')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_certificate_trainee_id'))
        batch_op.drop_constraint(batch_op.f('fk_certificate_trainee_id_trainee'), type_='foreignkey')
        batch_op.drop_column('trainee_id')
        batch_op.create_index(batch_op.f('ix_certificate_person_id'), ['person_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_certificate_person_id_person'), 'person', ['person_id'], ['id'])
    with op.batch_alter_table('offline_attendance', schema=None) as batch_op:
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_offline_attendance_session_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_offline_attendance_trainee_id'))
        batch_op.drop_constraint(batch_op.f('fk_offline_attendance_trainee_id_trainee'), type_='foreignkey')
        batch_op.drop_column('trainee_id')
        batch_op.create_unique_constraint(batch_op.f('uq_offline_attendance_session_id'), ['session_id', 'person_id'])
        batch_op.create_index(batch_op.f('ix_offline_attendance_person_id'), ['person_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_offline_attendance_person_id_person'), 'person', ['person_id'],
                                    ['id'], ondelete='CASCADE')


def downgrade():
    bind = op.get_bind()
    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('real_name', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('mobile', sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column('id_number', sa.String(length=18), nullable=True))
    for column in ('real_name', 'mobile', 'id_number'):
        bind.execute(sa.text(f"UPDATE trainee SET {column} = (SELECT person.{column} FROM person "
                             f"WHERE person.id = trainee.person_id)"))
    # the person's current row: the lowest active row with an employer, else their lowest row
    current = ("(SELECT t.id FROM trainee t WHERE t.person_id = {p} ORDER BY "
               "CASE WHEN t.status = 'active' THEN 0 ELSE 1 END, CASE WHEN t.organization_id IS NULL THEN 1 ELSE 0 END, "
               "t.id LIMIT 1)")
    bind.execute(sa.text("UPDATE trainee SET user_id = (SELECT person.user_id FROM person WHERE person.id = "
                         "trainee.person_id) WHERE trainee.id = " + current.format(p="trainee.person_id")))
    for table in RECORD_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('trainee_id', sa.Integer(), nullable=True))
        bind.execute(sa.text(f"UPDATE {table} SET trainee_id = " + current.format(p=f"{table}.person_id")))

    with op.batch_alter_table('offline_attendance', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_offline_attendance_person_id_person'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_offline_attendance_person_id'))
        batch_op.drop_constraint(batch_op.f('uq_offline_attendance_session_id'), type_='unique')
        batch_op.drop_column('person_id')
        batch_op.alter_column('trainee_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_offline_attendance_trainee_id_trainee'), 'trainee',
                                    ['trainee_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_offline_attendance_trainee_id'), ['trainee_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_offline_attendance_session_id'), ['session_id', 'trainee_id'])
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certificate_person_id_person'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_certificate_person_id'))
        batch_op.drop_column('person_id')
        batch_op.alter_column('trainee_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_certificate_trainee_id_trainee'), 'trainee', ['trainee_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_certificate_trainee_id'), ['trainee_id'], unique=False)
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_lesson_progress_person_id_person'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_lesson_progress_person_id'), type_='unique')
        batch_op.drop_column('person_id')
        batch_op.alter_column('trainee_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_lesson_progress_trainee_id_trainee'), 'trainee', ['trainee_id'],
                                    ['id'], ondelete='CASCADE')
        batch_op.create_unique_constraint(batch_op.f('uq_lesson_progress_trainee_id'), ['trainee_id', 'lesson_id'])
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attempt_person_id_person'), type_='foreignkey')
        batch_op.drop_index('ix_attempt_person_course')
        batch_op.drop_column('person_id')
        batch_op.alter_column('trainee_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_attempt_trainee_id_trainee'), 'trainee', ['trainee_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_index('ix_attempt_trainee_course', ['trainee_id', 'course_id'], unique=False)
    with op.batch_alter_table('completion', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_completion_person_id_person'), type_='foreignkey')
        batch_op.drop_index('ix_completion_person_course')
        batch_op.drop_column('person_id')
        batch_op.alter_column('trainee_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_completion_trainee_id_trainee'), 'trainee', ['trainee_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_index('ix_completion_trainee_course', ['trainee_id', 'course_id'], unique=False)
    with op.batch_alter_table('trainee', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_trainee_person_id_person'), type_='foreignkey')
        batch_op.drop_index('ix_trainee_organization_person')
        batch_op.drop_index(batch_op.f('ix_trainee_person_id'))
        batch_op.drop_column('second_job')
        batch_op.drop_column('person_id')
        batch_op.alter_column('real_name', existing_type=sa.String(length=50), nullable=False)
        batch_op.alter_column('mobile', existing_type=sa.String(length=11), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_trainee_user_id_user_account'), 'user_account', ['user_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_trainee_user_id'), ['user_id'])
        batch_op.create_index(batch_op.f('ix_trainee_mobile'), ['mobile'], unique=False)
    with op.batch_alter_table('roster_claim', schema=None) as batch_op:
        batch_op.drop_index('uq_roster_claim_pending', sqlite_where=sa.text("status = 'pending'"),
                            postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_roster_claim_user_id'))
        batch_op.drop_index(batch_op.f('ix_roster_claim_trainee_id'))
    op.drop_table('roster_claim')
    with op.batch_alter_table('identity_conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_conflict_person_id'))
    op.drop_table('identity_conflict')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_mobile'))
    op.drop_table('person')
