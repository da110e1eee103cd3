"""Reminders an administrator sends by hand: who is e-mailed, who goes on the printed sheet, the log on each
person, the once-a-day rule, and a mail server that refuses or goes away."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from portal.domain.workforce import manual_reminders
from portal.domain.platform.localtime import local_date
from portal.domain.platform.mail import CollectingMailer, MailUnavailable, MessageRefused
from portal.models import Assignment, AuditEvent, PersonReminder
from tests.factories import make_course, make_org, make_trainee, make_user

NOW = datetime(2026, 3, 2, 1, 30, tzinfo=timezone.utc)  # 09:30 in Shanghai
TODAY = local_date(NOW)
BASE_URL = "https://training.example.cn"


@pytest.fixture
def app_config():
    return {"PUBLIC_BASE_URL": BASE_URL + "/"}


def assign(trainee, course, due_on):
    from portal.extensions import db

    db.session.add(Assignment(trainee_id=trainee.id, course_id=course.id, rule="onboarding", reason="onboarding",
                              due_on=due_on, status="open"))
    db.session.flush()


def with_account(org, email, *, name, locale=None):
    user = make_user()
    user.email, user.locale = email, locale
    return make_trainee(org, user=user, name=name)


@pytest.fixture
def world(session):
    org = make_org("示范商场")
    basics, drill = make_course("basics"), make_course("drill")
    late = with_account(org, "li@example.cn", name="李娜", locale="en")
    assign(late, basics, TODAY - timedelta(days=10))
    assign(late, drill, TODAY + timedelta(days=5))
    soon = with_account(org, "wang@example.cn", name="王强")
    assign(soon, drill, TODAY + timedelta(days=20))
    paper = make_trainee(org, name="张伟", post="保安员")  # no account, so no e-mail
    assign(paper, basics, TODAY - timedelta(days=3))
    no_address = with_account(org, "", name="赵敏")
    assign(no_address, basics, TODAY - timedelta(days=1))
    fine = with_account(org, "ok@example.cn", name="钱多")
    assign(fine, basics, TODAY + timedelta(days=90))
    actor = make_user("org_admin", org=org)
    session.flush()
    return {"org": org, "late": late, "soon": soon, "paper": paper, "no_address": no_address, "fine": fine,
            "actor": actor}


def roster(org):
    from sqlalchemy.orm import contains_eager

    from portal.models import Trainee

    return (select(Trainee).join(Trainee.person).options(contains_eager(Trainee.person))
            .where(Trainee.organization_id == org.id))


def logs(session):
    return {(r.trainee_id, r.channel): r for r in session.scalars(select(PersonReminder))}


def test_only_people_with_training_overdue_or_due_soon_are_selected(session, world):
    people = manual_reminders.due_people(session, roster(world["org"]), TODAY)
    assert {t.real_name for t in people} == {"李娜", "王强", "张伟", "赵敏"}


def test_people_with_an_address_are_emailed_in_their_language_and_the_rest_go_on_the_sheet(app, session, world):
    people = manual_reminders.due_people(session, roster(world["org"]), TODAY)
    plan = manual_reminders.plan(session, people, now=NOW)
    assert {t.real_name for t in plan.email} == {"李娜", "王强"}
    assert {t.real_name for t in plan.printed} == {"张伟", "赵敏"}
    mailer = CollectingMailer()

    outcome = manual_reminders.remind(session, world["org"], plan, actor_id=world["actor"].id, now=NOW,
                                      mailer=mailer, base_url=BASE_URL)

    assert len(outcome.emailed) == 2 and sorted(outcome.printed) == sorted([world["paper"].id, world["no_address"].id])
    english = next(m for m in mailer.messages if "li@example.cn" in m["To"])
    body = english.get_content()
    assert "示范商场 reminds you: fire-safety training overdue" in str(english["Subject"])
    assert f"Overdue since {(TODAY - timedelta(days=10)).isoformat()}" in body
    assert "Course basics" in body and "Due soon:" in body and "Course drill" in body
    assert f"{BASE_URL}/me/" in body
    chinese = next(m for m in mailer.messages if "wang@example.cn" in m["To"])
    assert "课程drill" in chinese.get_content() and chinese["Content-Language"] == "zh-CN"
    logged = logs(session)
    assert logged[(world["late"].id, "email")].recipient == "li@example.cn"
    assert logged[(world["late"].id, "email")].courses == ["basics", "drill"]
    assert logged[(world["paper"].id, "printed")].recipient == ""
    assert logged[(world["paper"].id, "printed")].actor_id == world["actor"].id
    assert len(logged) == 4
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "reminder.training"))
    assert event.details == {"emailed": 2, "printed": 2, "refused": 0, "not_sent": 0, "already": 0}


def test_nobody_is_reminded_twice_within_a_day(app, session, world):
    people = manual_reminders.due_people(session, roster(world["org"]), TODAY)
    manual_reminders.remind(session, world["org"], manual_reminders.plan(session, people, now=NOW), actor_id=None,
                            now=NOW, mailer=CollectingMailer(), base_url=BASE_URL)
    mailer = CollectingMailer()

    later = NOW + timedelta(hours=23)
    again = manual_reminders.plan(session, people, now=later)
    outcome = manual_reminders.remind(session, world["org"], again, actor_id=None, now=later, mailer=mailer,
                                      base_url=BASE_URL)

    assert again.to_remind == 0 and outcome.already == 4 and mailer.messages == []
    assert session.scalar(select(PersonReminder.id).where(PersonReminder.sent_at == later)) is None
    next_day = manual_reminders.plan(session, people, now=NOW + timedelta(hours=24))
    assert next_day.to_remind == 4


class StopsAfter:
    """A mailer that takes `count` messages, then finds the server gone (or refuses one address)."""

    def __init__(self, count, error=MailUnavailable, refuse=None):
        self.count, self.error, self.refuse, self.messages = count, error, refuse, []

    def send(self, message):
        if self.refuse and self.refuse in message["To"]:
            raise MessageRefused("550 no such user")
        if len(self.messages) >= self.count:
            raise self.error("connection refused")
        self.messages.append(message)


def test_a_mail_server_that_goes_away_leaves_only_what_it_accepted_logged(app, session, world):
    people = manual_reminders.due_people(session, roster(world["org"]), TODAY)
    plan = manual_reminders.plan(session, people, now=NOW)
    mailer = StopsAfter(1)

    outcome = manual_reminders.remind(session, world["org"], plan, actor_id=None, now=NOW, mailer=mailer,
                                      base_url=BASE_URL)

    assert outcome.mail_error and len(outcome.emailed) == 1 and outcome.not_sent == 1
    emailed = [r for (trainee_id, channel), r in logs(session).items() if channel == "email"]
    assert [r.trainee_id for r in emailed] == outcome.emailed
    # the one the server never took is not logged, so trying again reminds them
    retry = manual_reminders.plan(session, people, now=NOW + timedelta(minutes=5))
    assert len(retry.email) == 1 and retry.email[0].id not in outcome.emailed


def test_an_address_the_server_refuses_goes_on_the_printed_sheet(app, session, world):
    people = manual_reminders.due_people(session, roster(world["org"]), TODAY)
    plan = manual_reminders.plan(session, people, now=NOW)

    outcome = manual_reminders.remind(session, world["org"], plan, actor_id=None, now=NOW,
                                      mailer=StopsAfter(10, refuse="wang@"), base_url=BASE_URL)

    assert outcome.refused == 1 and world["soon"].id in outcome.printed
    assert (world["soon"].id, "printed") in logs(session) and (world["soon"].id, "email") not in logs(session)


def test_without_a_mail_server_everyone_goes_on_the_sheet(app, session, world):
    people = manual_reminders.due_people(session, roster(world["org"]), TODAY)
    plan = manual_reminders.plan(session, people, now=NOW, mail=False)
    assert plan.email == [] and len(plan.printed) == 4


def test_the_history_lists_a_persons_reminders_newest_first_with_the_courses(app, session, world):
    people = [world["late"]]
    manual_reminders.remind(session, world["org"], manual_reminders.plan(session, people, now=NOW), actor_id=None,
                            now=NOW, mailer=CollectingMailer(), base_url=BASE_URL)
    later = NOW + timedelta(days=2)
    manual_reminders.remind(session, world["org"], manual_reminders.plan(session, people, now=later, mail=False),
                            actor_id=None, now=later, mailer=None, base_url=BASE_URL)

    history = manual_reminders.history(session, world["late"].id)

    assert [r.channel for r, _courses in history] == ["printed", "email"]
    assert [c.code for c in history[1][1]] == ["basics", "drill"]
