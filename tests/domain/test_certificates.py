"""Certificates in the domain: serials, issuing on completion, renewal, re-issue, revocation, look-ups."""
from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from portal.domain.workforce import compliance
from portal.domain.certificates import CertificateError, issue, queries, serials, verify
from portal.domain.demo.certificates import seed_demo_certificates
from portal.domain.certificates.status import state_of
from portal.domain.content.sync import sync_content
from portal.extensions import db
from portal.models import Assignment, AuditEvent, Certificate, Course, SerialCounter, Trainee
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_org, make_trainee
from tests.views.routes_certificates import NOW, complete


@pytest.fixture
def course(session):
    sync_content(session, FIXTURE_CONTENT)
    return session.scalar(select(Course).where(Course.code == "sample-course"))


@pytest.fixture
def holder(session):
    return make_trainee(make_org(name="示范购物中心"), name="张小伟")


# --- serials ---------------------------------------------------------------------------------

def test_serial_has_prefix_year_number_and_check_character():
    serial = serials.format_serial("SFQ", 2026, 123)
    assert serial.startswith("SFQ-2026-000123-") and len(serial) == 17
    assert serials.normalize_serial(serial) == serial


def test_typed_serial_is_forgiven_case_spacing_and_full_width():
    serial = serials.format_serial("SFQ", 2026, 123)
    assert serials.normalize_serial(serial.lower()) == serial
    assert serials.normalize_serial(" " + serial.replace("-", " ") + " ") == serial
    assert serials.normalize_serial(serial.replace("-", "")) == serial
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in serial)
    assert serials.normalize_serial(full_width) == serial


def test_every_single_typo_and_neighbour_swap_is_caught():
    serial = serials.format_serial("SFQ", 2026, 4821)
    characters = [i for i, c in enumerate(serial) if c != "-"]
    for i in characters:
        for replacement in serials.ALPHABET:
            if replacement != serial[i]:
                typo = serial[:i] + replacement + serial[i + 1:]
                assert serials.normalize_serial(typo) is None, typo
    for i, j in itertools.pairwise(characters):
        if serial[i] != serial[j] and j == i + 1:
            swapped = serial[:i] + serial[j] + serial[i] + serial[j + 1:]
            assert serials.normalize_serial(swapped) is None, swapped


@pytest.mark.parametrize("typed", ["", "hello", "SFQ-2026-123-K", "SFQ-26-000123-K", "x" * 500, None, "SFQ-2026-000123-!!"])
def test_malformed_serials_are_refused(typed):
    assert serials.normalize_serial(typed) is None


# --- issuing ---------------------------------------------------------------------------------

def test_completion_issues_a_certificate_after_closing_assignments(session, course, holder):
    assignment = Assignment(trainee_id=holder.id, course_id=course.id, rule="periodic", status="open")
    session.add(assignment)
    session.flush()
    cert = complete(session, holder, course, completed_on=date(2026, 5, 1), valid_until=date(2027, 5, 1))
    assert assignment.status == "completed"
    assert cert.serial.startswith("SFQ-2026-") and serials.normalize_serial(cert.serial) == cert.serial
    assert len(cert.token) == 32
    assert (cert.holder_name, cert.organization_name, cert.course_id) == ("张小伟", "示范购物中心", course.id)
    # no study time was counted: an online completion earns the class hours actually studied (study_time)
    assert (cert.completed_on, cert.valid_until, cert.credit_hours) == (date(2026, 5, 1), date(2027, 5, 1), 0.0)
    assert state_of(cert, date(2027, 5, 1)) == "valid" and state_of(cert, date(2027, 5, 2)) == "expired"


def test_a_certificate_states_the_hours_studied_online_up_to_the_course_hours(session, course, holder):
    from portal.domain.learning import progress
    from portal.models import LessonProgress

    first, second = progress.live_lessons(course)[:2]
    for lesson, seconds in ((first, 1800), (second, 720)):
        session.add(LessonProgress(person_id=holder.person_id, lesson_id=lesson.id, course_id=course.id,
                                   seconds_spent=seconds))
    session.flush()
    assert complete(session, holder, course).credit_hours == 0.7  # 42 minutes of a 1-hour course
    session.execute(LessonProgress.__table__.update().values(seconds_spent=7200))
    assert complete(session, holder, course, completed_on=date(2026, 6, 1)).credit_hours == course.credit_hours


def test_one_off_course_certificate_never_expires(session, course, holder):
    cert = complete(session, holder, course, valid_until=None)
    assert cert.valid_until is None and state_of(cert, date(2099, 1, 1)) == "valid"


def test_serials_count_up_within_a_year_and_restart_the_next(session, course, holder, app):
    app.config["CERT_SERIAL_PREFIX"] = "XQ"
    first = complete(session, holder, course, completed_on=date(2026, 3, 1))
    second = complete(session, make_trainee(None), course, completed_on=date(2026, 3, 2))
    next_year = complete(session, make_trainee(None), course, completed_on=date(2027, 1, 2))
    assert [c.serial[:-2] for c in (first, second, next_year)] == ["XQ-2026-000001", "XQ-2026-000002", "XQ-2027-000001"]


def test_serials_continue_after_those_issued_before_the_counter(session, course, holder, app):
    app.config["CERT_SERIAL_PREFIX"] = "XQ"
    earlier = complete(session, holder, course, completed_on=date(2026, 3, 1))
    earlier.serial = serials.format_serial("XQ", 2026, 41)  # as an older portal, without counters, left it
    session.execute(delete(SerialCounter))
    session.flush()
    later = complete(session, make_trainee(None), course, completed_on=date(2026, 3, 2))
    assert later.serial[:-2] == "XQ-2026-000042"
    assert session.get(SerialCounter, "XQ-2026-").last_number == 42


def test_trainees_finishing_at_the_same_moment_get_consecutive_serials(session, course, app):
    """Each thread is one request, with its own connection and transaction, all released at once."""
    people = [make_trainee(None).id for _ in range(4)]
    course_id = course.id
    session.commit()
    start = threading.Barrier(len(people))

    def finish(trainee_id: int) -> str:
        with app.app_context():
            trainee, finished = db.session.get(Trainee, trainee_id), db.session.get(Course, course_id)
            start.wait(timeout=30)
            serial = complete(db.session, trainee, finished, completed_on=date(2026, 3, 1)).serial
            db.session.commit()
            return serial

    with ThreadPoolExecutor(len(people)) as pool:
        issued = list(pool.map(finish, people))
    assert sorted(serial[:-2] for serial in issued) == [f"SFQ-2026-{n:06d}" for n in range(1, 5)]
    assert session.scalar(select(SerialCounter.last_number).where(SerialCounter.head == "SFQ-2026-")) == 4


def test_renewal_supersedes_the_older_certificate(session, course, holder):
    old = complete(session, holder, course, completed_on=date(2025, 5, 1))
    new = complete(session, holder, course, completed_on=date(2026, 5, 1))
    assert (old.status, old.replaced_by_id, new.status) == ("superseded", new.id, "valid")
    backdated = complete(session, holder, course, completed_on=date(2024, 5, 1))
    assert backdated.status == "superseded" and new.status == "valid"


def test_reissue_after_a_name_correction_replaces_the_old_certificate(session, course, holder):
    old = complete(session, holder, course)
    holder.person.real_name = "张晓伟"
    new = issue.reissue(session, old, reason="姓名录入错误", actor_id=None, now=NOW)
    assert (old.status, old.replaced_by_id) == ("replaced", new.id)
    assert (new.holder_name, new.completed_on, new.valid_until, new.status) == ("张晓伟", old.completed_on, old.valid_until, "valid")
    assert new.serial != old.serial and new.token != old.token
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.reissue"))
    assert event.details["new_serial"] == new.serial and event.target_id == str(old.id)
    with pytest.raises(CertificateError):
        issue.reissue(session, old, reason="again", actor_id=None, now=NOW)


def test_revocation_needs_a_reason_and_is_audited(session, course, holder):
    cert = complete(session, holder, course)
    with pytest.raises(CertificateError):
        issue.revoke(session, cert, reason=" ", actor_id=None, now=NOW)
    issue.revoke(session, cert, reason="考试作弊", actor_id=None, now=NOW)
    assert (cert.status, cert.status_reason, state_of(cert, NOW.date())) == ("revoked", "考试作弊", "revoked")
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.revoke")).details["reason"] == "考试作弊"
    with pytest.raises(CertificateError):
        issue.revoke(session, cert, reason="again", actor_id=None, now=NOW)


def test_issuing_is_idempotent_per_completion(session, course, holder):
    cert = complete(session, holder, course)
    assert issue.issue_for_completion(session, cert.completion, now=NOW) is cert
    assert session.scalar(select(func.count()).select_from(Certificate)) == 1


# --- look-ups --------------------------------------------------------------------------------

def test_lookups_by_token_and_serial(session, course, holder):
    cert = complete(session, holder, course)
    assert verify.find_by_token(session, cert.token) is cert
    assert verify.find_by_serial(session, cert.serial.lower().replace("-", " ")) is cert
    wrong_check = cert.serial[:-1] + ("A" if cert.serial[-1] != "A" else "B")
    unknown = serials.format_serial("SFQ", 2026, 999999)
    for bad in (wrong_check, unknown, "", "garbage", None, "../../etc"):
        assert verify.find_by_serial(session, bad) is None
    altered = cert.token[:-1] + ("x" if cert.token[-1] != "x" else "y")  # one character off (1 in 64 ended in x)
    for bad in (altered, "short", "", None, "a" * 300, "' OR 1=1 --"):
        assert verify.find_by_token(session, bad) is None


def test_public_view_masks_the_name_and_names_the_successor(session, course, holder):
    old = complete(session, holder, course, completed_on=date(2025, 5, 1))
    new = complete(session, holder, course, completed_on=date(2026, 5, 1))
    view = verify.public_view(session, old, today=date(2026, 6, 1))
    assert (view.holder_masked, view.state, view.successor_serial) == ("张*伟", "superseded", new.serial)
    assert "张小伟" not in repr(view) and holder.mobile not in repr(view)


def test_organization_token_and_summary(session, course, app):
    org = make_org()
    org.last_drill_on = date(2026, 4, 1)
    certified, expired, _untrained = make_trainee(org), make_trainee(org), make_trainee(org)
    left = make_trainee(org)
    left.status = "left"
    complete(session, certified, course, completed_on=date(2026, 5, 1))
    complete(session, expired, course, completed_on=date(2024, 5, 1))
    complete(session, left, course, completed_on=date(2026, 5, 1))
    secret = app.config["SECRET_KEY"]
    token = verify.organization_token(org.id, secret)
    assert verify.find_organization(session, token, secret) is org
    assert verify.find_organization(session, token, "another-secret") is None
    assert verify.find_organization(session, f"{org.id + 1}-{token.split('-', 1)[1]}", secret) is None
    summary = verify.organization_summary(session, org, today=date(2026, 6, 1))
    assert summary.standings == compliance.counts(session, org.id, date(2026, 6, 1))  # the dashboard's figures
    assert (summary.staff, summary.last_drill_on) == (3, date(2026, 4, 1))
    assert summary.percent == round(100 * summary.compliant / 3)


def test_company_bundle_takes_current_certificates_of_active_staff(session, course):
    org = make_org()
    kept, revoked, left = make_trainee(org, name="李雷"), make_trainee(org), make_trainee(org)
    complete(session, kept, course, completed_on=date(2025, 5, 1))
    current = complete(session, kept, course, completed_on=date(2026, 5, 1))
    issue.revoke(session, complete(session, revoked, course), reason="作废", actor_id=None, now=NOW)
    complete(session, left, course)
    left.status = "left"
    complete(session, make_trainee(make_org()), course)
    rows = queries.current_for_organization(session, org, today=date(2026, 6, 1))
    assert [row.cert.id for row in rows] == [current.id]


# --- the demo ----------------------------------------------------------------------------------

def test_demo_certificates_are_idempotent_and_varied(session, course):
    from portal.domain.demo import seed_demo

    today = date(2026, 11, 30)
    seeded = seed_demo(session, today=today, people=80)  # the demo seed calls seed_demo_certificates
    again = seed_demo_certificates(session, today=today)
    assert seeded["completions"] >= 10 and seeded["revoked certificates"] == 1 and set(again.values()) == {0}
    states = {state_of(cert, today) for cert in session.scalars(select(Certificate))}
    assert {"valid", "expired", "revoked", "superseded"} <= states
    demo = session.scalar(select(Certificate).join(Certificate.completion).where(Certificate.status == "valid",
                                                                                   Certificate.holder_name == "陈小明"))
    assert demo is not None and state_of(demo, today) == "valid"


def test_demo_certificates_need_a_course(session):
    assert seed_demo_certificates(session, today=date(2026, 11, 30)) == {"completions": 0, "revoked": 0}


def test_valid_until_is_inclusive(session, course, holder):
    cert = complete(session, holder, course, completed_on=date(2026, 1, 1), valid_until=date(2026, 12, 31))
    assert state_of(cert, date(2026, 12, 31)) == "valid"
    assert state_of(cert, date(2026, 12, 31) + timedelta(days=1)) == "expired"
