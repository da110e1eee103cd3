"""Class hours (学时) of a classroom session and of each attendee: typed, checked, stored, and what the certificate
states; the attendance picker's filters."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from portal.domain.learning import offline
from portal.domain.platform.errors import ValidationError
from portal.domain.learning.study_time import credited_hours
from portal.models import Certificate, Completion, OfflineAttendance
from tests.factories import make_course, make_org, make_trainee
from tests.views.routes_certificates import use_test_signing_key

TODAY = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 9, tzinfo=timezone.utc)


@pytest.fixture
def classroom(app, session):
    use_test_signing_key()
    org = make_org(kind="general")
    course = make_course("all-staff-basics")
    course.credit_hours = 2.0
    people = [make_trainee(org, name=name, post=post, groups=groups, start_date=date(2020, 1, 1))
              for name, post, groups in (("王伟", "保安员", ("all_staff", "security_staff")),
                                         ("王芳", "收银员", ("all_staff",)),
                                         ("李娜", "保安员", ("all_staff",)),
                                         ("100%_x", "收银员", ("all_staff",)))]
    record = offline.create_session(session, offline.SessionData(course.id, org.id, date(2026, 6, 20), "Teacher Li",
                                                                 "Hall 3", "3.5"), actor_id=None, today=TODAY)
    return {"org": org, "course": course, "people": people, "session": record}


def _new_session(session, classroom, hours):
    data = offline.SessionData(classroom["course"].id, classroom["org"].id, date(2026, 6, 21), "T", "P", hours)
    return offline.create_session(session, data, actor_id=None, today=TODAY)


def test_a_session_states_its_hours_or_the_courses(session, classroom):
    assert classroom["session"].hours == 3.5
    assert _new_session(session, classroom, "").hours == 2.0  # blank: the course's
    assert _new_session(session, classroom, None).hours == 2.0
    assert _new_session(session, classroom, "１．５").hours == 1.5  # full-width, as a phone keyboard may type


RANGE_24 = "学时须大于 0、不超过 24，以 0.5 为单位。"  # the messages in the default language
A_NUMBER = "请以数字填写学时，如 1.5。"


@pytest.mark.parametrize("typed, says", [("0", RANGE_24), ("24.5", RANGE_24), ("1.3", RANGE_24), ("abc", A_NUMBER),
                                         ("-1", A_NUMBER), ("1e3", A_NUMBER)])
def test_wrong_session_hours_are_refused_on_their_field(session, classroom, typed, says):
    with pytest.raises(ValidationError) as error:
        _new_session(session, classroom, typed)
    assert says in str(error.value.message) and error.value.field == "hours"


def test_each_attendee_earns_the_sessions_hours_or_fewer_and_the_certificate_says_so(session, classroom):
    wang, fang, li, _other = classroom["people"]
    record = classroom["session"]
    added = offline.record_attendance(session, record, [wang.id, fang.id, li.id], method="roster", now=NOW,
                                      today=TODAY, hours={fang.id: "2", li.id: " "})
    assert added == 3
    stored = dict(session.execute(select(OfflineAttendance.person_id, OfflineAttendance.hours)).all())
    assert stored == {wang.person_id: 3.5, fang.person_id: 2.0, li.person_id: 3.5}
    certificates = dict(session.execute(select(Certificate.person_id, Certificate.credit_hours)).all())
    assert certificates == {wang.person_id: 3.5, fang.person_id: 2.0, li.person_id: 3.5}
    completion = session.scalar(select(Completion).where(Completion.person_id == fang.person_id))
    assert credited_hours(session, completion) == 2.0


@pytest.mark.parametrize("typed, says", [("4", "不超过 3.5"), ("0", "大于 0"), ("1.25", "以 0.5 为单位"),
                                         ("一", "请以数字填写")])
def test_a_wrong_attendee_hours_records_nobody_and_names_the_person(session, classroom, typed, says):
    wang, fang, *_rest = classroom["people"]
    with pytest.raises(ValidationError) as error:
        offline.record_attendance(session, classroom["session"], [wang.id, fang.id], method="roster", now=NOW,
                                  today=TODAY, hours={fang.id: typed})
    assert str(error.value.message).startswith("王芳：") and says in str(error.value.message)
    assert error.value.field == f"hours-{fang.id}"
    assert session.scalar(select(func.count()).select_from(OfflineAttendance)) == 0
    assert session.scalar(select(func.count()).select_from(Completion)) == 0


def test_qr_sign_in_earns_the_sessions_hours(session, classroom):
    wang = classroom["people"][0]
    assert offline.sign_in(session, classroom["session"], wang, now=NOW, today=date(2026, 6, 20))
    assert session.scalar(select(OfflineAttendance.hours)) == 3.5


def test_attendance_recorded_before_sessions_had_hours_earns_the_courses(session, classroom):
    wang = classroom["people"][0]
    record = classroom["session"]
    offline.record_attendance(session, record, [wang.id], method="roster", now=NOW, today=TODAY)
    record.hours = None
    session.execute(OfflineAttendance.__table__.update().values(hours=None))
    completion = session.scalar(select(Completion))
    assert offline.session_hours(record) == 2.0 and credited_hours(session, completion) == 2.0


def test_the_picker_filters_by_name_post_and_group_and_leaves_out_who_is_present(session, classroom):
    wang, fang, li, odd = classroom["people"]
    record = classroom["session"]

    def names(**values):
        chosen = offline.PickerFilter.from_values(values)
        return [t.real_name for t in offline.picker_people(session, record, chosen,
                                                          exclude_person_ids={li.person_id})]

    assert names() == sorted(["王伟", "王芳", "100%_x"])
    assert names(q="王") == ["王伟", "王芳"]
    assert names(q=" ＷＡＮＧ ") == [] and names(q="%") == ["100%_x"] and names(q="_") == ["100%_x"]
    assert names(post="保安员") == ["王伟"]
    assert names(group="security_staff") == ["王伟"]
    assert names(q="王", post="收银员") == ["王芳"]
    assert names(q=wang.mobile[-8:]) == ["王伟"]
    posts, groups = offline.picker_choices(session, record)
    assert posts == ["保安员", "收银员"] and "security_staff" in [g.code for g in groups]
