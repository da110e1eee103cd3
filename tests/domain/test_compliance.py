"""Standing of the people on a roster: the dashboard's counts agree with the roster's filters."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from portal.domain.workforce import compliance
from portal.domain.content.sync import sync_content
from portal.models import Assignment, Course, Trainee
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_completion, make_org, make_trainee

TODAY = date(2026, 11, 30)


def test_dashboard_counts_agree_with_the_roster_filters_for_every_standing(session):
    sync_content(session, FIXTURE_CONTENT)
    course = session.scalar(select(Course))
    org, other = make_org(), make_org()

    def person(post: str, groups: tuple[str, ...], *, due_in: int | None = None, trained: bool = False,
               org=org, left: bool = False) -> Trainee:
        trainee = make_trainee(org, post=post, groups=groups)
        if due_in is not None:
            session.add(Assignment(trainee_id=trainee.id, course_id=course.id, rule="periodic", status="open",
                                   due_on=TODAY + timedelta(days=due_in)))
        if trained:
            make_completion(trainee, course, on=TODAY - timedelta(days=300))
        if left:
            trainee.status = "left"
        return trainee

    person("收银员", ("all_staff",), due_in=-3, trained=True)  # overdue although trained
    person("收银员", ("all_staff",), due_in=-1)  # overdue, never trained
    person("保安", ("security_staff", "all_staff"))  # never trained, nothing due
    person("保安", ("security_staff",), due_in=10)  # never trained, due soon
    person("保安", ("security_staff",), due_in=10, trained=True)  # due soon
    person("店长", ("responsible_person",), due_in=compliance.DUE_SOON_DAYS, trained=True)  # due soon, last day
    person("店长", ("responsible_person",), due_in=compliance.DUE_SOON_DAYS + 1, trained=True)  # compliant
    person("", ("all_staff",), trained=True)  # compliant, nothing open, no post
    person("收银员", ("all_staff",), due_in=-30, left=True)  # left: not counted
    person("收银员", ("all_staff",), due_in=-30, org=other)  # another organization
    session.flush()

    def filtered(status: str, **where) -> int:
        statement = select(func.count()).select_from(Trainee).where(
            Trainee.organization_id == org.id, compliance.status_clause(status, TODAY))
        for column, value in where.items():
            statement = statement.where(getattr(Trainee, column) == value)
        return session.scalar(statement)

    counts = compliance.counts(session, org.id, TODAY)
    assert counts == {"compliant": 2, "due_soon": 2, "overdue": 2, "never_trained": 2}
    assert counts == {status: filtered(status) for status in compliance.STATUSES}
    tables = compliance.dashboard(session, org.id, TODAY)
    assert tables.counts == counts
    assert dict(tables.by_post) == {post: {status: filtered(status, post=post) for status in compliance.STATUSES}
                                    for post in ("", "保安", "店长", "收银员")}
    by_group = dict(tables.by_group)
    assert by_group["security_staff"] == {"compliant": 0, "due_soon": 1, "overdue": 0, "never_trained": 2}
    assert by_group["all_staff"] == {"compliant": 1, "due_soon": 0, "overdue": 2, "never_trained": 1}
    assert by_group["responsible_person"] == {"compliant": 1, "due_soon": 1, "overdue": 0, "never_trained": 0}
