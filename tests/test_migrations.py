"""Every schema change is a migration: upgrading an empty database gives exactly the models."""
from __future__ import annotations

import flask_migrate
import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, make_url, text

from portal import create_app
from portal.extensions import db
from tests.conftest import ON_POSTGRES, POSTGRES_URL

SCRATCH_DATABASE = "portal_migrations_test"


@pytest.fixture
def empty_database_url(tmp_path):
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    url = make_url(POSTGRES_URL)
    admin = f"host={url.host} port={url.port or 5432} user={url.username} dbname={url.database}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}"')
        connection.execute(f'CREATE DATABASE "{SCRATCH_DATABASE}"')
    yield url.set(database=SCRATCH_DATABASE).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)')


def index_names(table: str) -> set[str]:
    """The table's indexes, expression indexes included (SQLAlchemy does not reflect those on SQLite)."""
    if db.engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :table"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE tablename = :table"
    with db.engine.connect() as connection:
        return set(connection.scalars(text(query), {"table": table}))


# SQLAlchemy cannot reflect an expression index from SQLite, so the comparison skips it there (with these
# warnings); the test looks it up by name instead.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_upgrade_to_head_matches_the_models_and_downgrade_to_base_works(empty_database_url):
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        assert "trainee" in inspect(db.engine).get_table_names()
        assert "ix_user_account_lower_username" in index_names("user_account")
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_persons_migration_merges_rows_sharing_an_id_number_and_keeps_every_certificate(empty_database_url):
    """0007 on a database at 0006: two roster rows with one ID number (spelt differently) become one person
    with two employments; both certificates stay verifiable and the two names are listed for the office."""
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        flask_migrate.upgrade(revision="0006")
        with db.engine.begin() as connection:
            run = lambda sql, **values: connection.execute(text(sql), values)  # noqa: E731
            run("INSERT INTO sector (id, code, name_zh, name_en) VALUES (1, 'c', '商务', 'Commerce')")
            run("INSERT INTO locality (id, code, name_zh, name_en, level) VALUES (1, 'L1', '区', 'D', 'district')")
            for org in (1, 2):
                run("INSERT INTO organization (id, name, credit_code, kind, sector_id, locality_id, address, "
                    "contact_name, contact_phone, invite_code, created_at) VALUES (:id, :name, :code, 'general', 1, 1, "
                    "'', '', '', :invite, '2026-01-01')", id=org, name=f"单位{org}", code=f"CODE{org}", invite=f"I{org}")
            run("INSERT INTO course (id, code, slug, title_zh, title_en, summary_zh, summary_en, level, credit_hours, "
                "prerequisites, quiz, retired, content_hash, updated_at) VALUES (1, 'c1', 'c1', '课', 'C', '', '', "
                "'basic', 1, '[]', '{}', false, '', '2026-01-01')")
            for row, (org, name, number) in enumerate(((1, "王五", "11010519491231002x"),
                                                       (2, "王伍", "１１０１０５19491231002X")), start=1):
                run("INSERT INTO trainee (id, real_name, mobile, id_number, organization_id, post, status, created_at) "
                    "VALUES (:id, :name, :mobile, :number, :org, '', 'active', '2026-01-01')",
                    id=row, name=name, mobile=f"1390000000{row}", number=number, org=org)
                run("INSERT INTO completion (id, trainee_id, course_id, completed_on, mode, created_at) "
                    "VALUES (:id, :id, 1, '2026-02-01', 'online', '2026-02-01')", id=row)
                run("INSERT INTO certificate (id, serial, token, completion_id, trainee_id, course_id, holder_name, "
                    "organization_name, completed_on, credit_hours, issued_at, status, status_reason) VALUES "
                    "(:id, :serial, :token, :id, :id, 1, :name, '', '2026-02-01', 1, '2026-02-01', 'valid', '')",
                    id=row, serial=f"SFQ-2026-00000{row}-A", token=f"token-{row}", name=name)
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            persons = connection.execute(text("SELECT id, id_number FROM person")).all()
            assert [number for _id, number in persons] == ["11010519491231002X"]
            person_id = persons[0][0]
            assert set(connection.scalars(text("SELECT person_id FROM trainee"))) == {person_id}
            assert connection.execute(text("SELECT serial, token, person_id FROM certificate ORDER BY id")).all() == [
                ("SFQ-2026-000001-A", "token-1", person_id), ("SFQ-2026-000002-A", "token-2", person_id)]
            assert set(connection.scalars(text("SELECT person_id FROM completion"))) == {person_id}
            assert list(connection.scalars(text("SELECT kind FROM identity_conflict"))) == ["names"]
            assert sorted(connection.scalars(text("SELECT second_job FROM trainee"))) == [False, True]
        flask_migrate.downgrade(revision="0006")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM certificate")).scalar() == 2
        db.engine.dispose()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_post_catalogue_migration_keeps_the_override_courses_and_every_roster_post(empty_database_url):
    """0010 on a database at 0009: the catalogue starts with the usual posts, the courses the office's rules
    override gave a post, and every post on a roster (another name becomes the post's own name)."""
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        flask_migrate.upgrade(revision="0009")
        with db.engine.begin() as connection:
            run = lambda sql, **values: connection.execute(text(sql), values)  # noqa: E731
            run("INSERT INTO sector (id, code, name_zh, name_en) VALUES (1, 'c', '商务', 'Commerce')")
            run("INSERT INTO locality (id, code, name_zh, name_en, level) VALUES (1, 'L1', '区', 'D', 'district')")
            run("INSERT INTO organization (id, name, credit_code, kind, sector_id, locality_id, address, contact_name, "
                "contact_phone, invite_code, created_at) VALUES (1, '单位', 'CODE1', 'general', 1, 1, '', '', '', 'I1', "
                "'2026-01-01')")
            run("INSERT INTO rule_set (id, text, created_at, note) VALUES (1, :text, '2026-01-01', '')",
                text="version: 1\nposts:\n  保安员:\n    courses: [guard-duty]\n    basis: 第三十八条\n")
            for row, post in enumerate(("保安", "叉车司机", "叉车司机 ", ""), start=1):
                run("INSERT INTO person (id, real_name, mobile, created_at) VALUES (:id, '某', :mobile, '2026-01-01')",
                    id=row, mobile=f"1390000000{row}")
                run("INSERT INTO trainee (id, person_id, organization_id, post, status, second_job, created_at) "
                    "VALUES (:id, :id, 1, :post, 'active', false, '2026-01-01')", id=row, post=post)
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            rows = {name: (courses, reviewed) for name, courses, reviewed in connection.execute(
                text("SELECT name, courses, reviewed FROM post"))}
            posts = list(connection.scalars(text("SELECT post FROM trainee ORDER BY id")))
        assert posts == ["保安员", "叉车司机", "叉车司机", ""]
        courses, reviewed = rows["保安员"]
        assert "guard-duty" in str(courses) and reviewed
        assert not rows["叉车司机"][1] and "收银员" in rows and "" not in rows
        flask_migrate.downgrade(revision="0009")
        db.engine.dispose()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_credentials_migration_gives_every_certificate_its_own_secret_salt(empty_database_url):
    """0018 on a database at 0014: certificates issued before get a random salt each (the name hash of their
    new credentials and QR codes); they take a place in a status list when their credential is first signed."""
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        flask_migrate.upgrade(revision="0014")
        with db.engine.begin() as connection:
            run = lambda sql, **values: connection.execute(text(sql), values)  # noqa: E731
            run("INSERT INTO course (id, code, slug, title_zh, title_en, summary_zh, summary_en, level, credit_hours, "
                "prerequisites, quiz, retired, content_hash, updated_at) VALUES (1, 'c1', 'c1', '课', 'C', '', '', "
                "'basic', 1, '[]', '{}', false, '', '2026-01-01')")
            for row in (1, 2, 3):
                run("INSERT INTO person (id, real_name, mobile, created_at) VALUES (:id, '张小伟', :mobile, '2026-01-01')",
                    id=row, mobile=f"1390000000{row}")
                run("INSERT INTO completion (id, person_id, course_id, completed_on, mode, created_at) "
                    "VALUES (:id, :id, 1, '2026-02-01', 'online', '2026-02-01')", id=row)
                run("INSERT INTO certificate (id, serial, token, completion_id, person_id, course_id, holder_name, "
                    "organization_name, completed_on, credit_hours, issued_at, status, status_reason) VALUES "
                    "(:id, :serial, :token, :id, :id, 1, '张小伟', '', '2026-02-01', 1, '2026-02-01', 'valid', '')",
                    id=row, serial=f"SFQ-2026-00000{row}-A", token=f"token-{row}")
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT identity_salt, status_list_id, status_index FROM certificate")).all()
        salts = [salt for salt, _list, _index in rows]
        assert len(set(salts)) == 3 and all(len(salt) == 22 for salt in salts)
        assert {(list_id, index) for _salt, list_id, index in rows} == {(None, None)}
        flask_migrate.downgrade(revision="0014")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM certificate")).scalar() == 3
        db.engine.dispose()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_attendee_hours_migration_gives_earlier_sessions_and_attendance_their_courses_hours(empty_database_url):
    """0020 on a database at 0018: sessions and attendance recorded before earn the course's class hours, which
    is what their certificates already state."""
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        flask_migrate.upgrade(revision="0018")
        with db.engine.begin() as connection:
            run = lambda sql, **values: connection.execute(text(sql), values)  # noqa: E731
            for course, hours in ((1, 1.5), (2, 4)):
                run("INSERT INTO course (id, code, slug, title_zh, title_en, summary_zh, summary_en, level, "
                    "credit_hours, prerequisites, quiz, retired, content_hash, updated_at) VALUES (:id, :code, "
                    ":code, '课', 'C', '', '', 'basic', :hours, '[]', '{}', false, '', '2026-01-01')",
                    id=course, code=f"c{course}", hours=hours)
                run("INSERT INTO offline_session (id, course_id, held_on, trainer, place, sign_in_code, created_at) "
                    "VALUES (:id, :id, '2026-02-01', 'T', 'P', :code, '2026-02-01')", id=course, code=f"code{course}")
                run("INSERT INTO person (id, real_name, mobile, created_at) VALUES (:id, '张小伟', :mobile, "
                    "'2026-01-01')", id=course, mobile=f"1390000000{course}")
                run("INSERT INTO offline_attendance (id, session_id, person_id, method, recorded_at) VALUES "
                    "(:id, :id, :id, 'roster', '2026-02-01')", id=course)
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            sessions = dict(connection.execute(text("SELECT id, hours FROM offline_session")).all())
            attendance = dict(connection.execute(text("SELECT session_id, hours FROM offline_attendance")).all())
        assert sessions == attendance == {1: 1.5, 2: 4.0}
        flask_migrate.downgrade(revision="0018")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM offline_attendance")).scalar() == 2
        db.engine.dispose()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_department_migration_gives_every_roster_row_none_and_downgrades(empty_database_url):
    """0021 on a database at 0020: rows already on a roster get an empty department (NOT NULL), new rows too."""
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        flask_migrate.upgrade(revision="0020")
        with db.engine.begin() as connection:
            run = lambda sql, **values: connection.execute(text(sql), values)  # noqa: E731
            run("INSERT INTO person (id, real_name, mobile, created_at) VALUES (1, '某', '13900000001', '2026-01-01')")
            run("INSERT INTO trainee (id, person_id, post, status, second_job, created_at) "
                "VALUES (1, 1, '保安员', 'active', false, '2026-01-01')")
        flask_migrate.upgrade()
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO trainee (id, person_id, post, status, second_job, created_at) "
                                    "VALUES (2, 1, '电工', 'left', false, '2026-01-02')"))
            assert dict(connection.execute(text("SELECT id, department FROM trainee")).all()) == {1: "", 2: ""}
        flask_migrate.downgrade(revision="0020")
        assert "department" not in {column["name"] for column in inspect(db.engine).get_columns("trainee")}
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM trainee")).scalar() == 2
        db.engine.dispose()
