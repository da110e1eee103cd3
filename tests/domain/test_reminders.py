"""Reminders, escalations and weekly digests, delivered to a real SMTP server (aiosmtpd) on localhost."""
from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from sqlalchemy import func, select

from portal.domain.platform.localtime import local_today
from portal.domain.platform.mail import CollectingMailer, MailUnavailable, Recipient, SmtpMailer, build_message
from portal.domain.workforce.reminders import iso_week, send_reminders
from portal.models import Assignment, Course, DigestLog, ReminderLog
from tests.factories import make_org, make_trainee, make_user
from tests.smtp_server import free_port, running_smtp_server

BASE_URL = "https://training.example.cn"
MONDAY = datetime(2026, 3, 2, 1, 30, tzinfo=timezone.utc)  # a Monday, so a week's runs share a digest
BASIS = "《机关、团体、企业、事业单位消防安全管理规定》第三十六条"

# Translations of a few of the mail strings, so the test does not depend on the state of the real catalog.
TEST_TRANSLATIONS = {
    "Dear %(name)s,": "%(name)s，您好：",
    "Fire-safety training overdue: %(course)s": "消防安全培训已逾期：%(course)s",
    "Fire-safety training due on %(date)s: %(course)s": "消防安全培训将于%(date)s到期：%(course)s",
    ("%(org)s: %(num)d person is overdue on fire-safety training",
     "%(org)s: %(num)d people are overdue on fire-safety training"): ("%(org)s：%(num)d人消防安全培训逾期",),
    ("overdue by %(num)d day", "overdue by %(num)d days"): ("已逾期%(num)d天",),
    "Onboarding: training before starting work": "入职必训：上岗前培训",
    "Special training for the key group: %(group)s": "重点人群专项培训：%(group)s",
}


@pytest.fixture
def smtp():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def app_config(smtp, tmp_path):
    catalog = Catalog(locale="zh_Hans_CN")
    for msgid, msgstr in TEST_TRANSLATIONS.items():
        catalog.add(msgid, msgstr)
    folder = tmp_path / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    return {
        "MAIL_SERVER": smtp.host, "MAIL_PORT": smtp.port, "MAIL_USE_TLS": False,
        "MAIL_USERNAME": None, "MAIL_PASSWORD": None, "MAIL_SENDER": "消防安全培训平台 <noreply@fire-training.test>",
        "PUBLIC_BASE_URL": BASE_URL + "/",
        # The real catalog first, then the test's, which wins for the strings it has.
        "BABEL_TRANSLATION_DIRECTORIES": f"translations;{tmp_path / 'translations'}",
    }


@pytest.fixture(autouse=True)
def fresh_translations(app):
    """flask_babel caches translations per process, not per app: start without another test's catalog,
    and leave none of this module's test strings behind."""
    from portal.extensions import babel

    with app.app_context():
        cache = babel.domain_instance.cache
    cache.clear()
    yield
    cache.clear()


def run(app, now: datetime):
    """One real run through SmtpMailer, as the CLI does it."""
    from portal.extensions import db

    with SmtpMailer.from_config(app.config) as mailer:
        summary = send_reminders(db.session, now=now, mailer=mailer)
    db.session.commit()
    return summary


def make_course(code: str = "extinguisher", zh: str = "灭火器的使用", en: str = "Using a fire extinguisher") -> Course:
    from portal.extensions import db

    course = Course(code=code, slug=code, title_zh=zh, title_en=en, level="basic")
    db.session.add(course)
    db.session.flush()
    return course


def person(org, email: str | None, *, name: str, locale: str | None = None, with_account: bool = True):
    """A roster person, with an account carrying the e-mail address unless with_account is False."""
    user = None
    if with_account:
        user = make_user()
        user.email, user.locale = email, locale
    return make_trainee(org, user=user, name=name)


def admin(org, email: str | None, *, locale: str | None = None, name: str = "王经理"):
    user = make_user("org_admin", org=org)
    user.email, user.locale, user.display_name = email, locale, name
    return user


def assign(trainee, course, due_on: date, *, status: str = "open", rule: str = "onboarding") -> Assignment:
    from portal.extensions import db

    assignment = Assignment(trainee_id=trainee.id, course_id=course.id, rule=rule, reason=rule, legal_basis=BASIS,
                            due_on=due_on, status=status)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def steps_logged(session, assignment: Assignment) -> list[str]:
    return sorted(session.scalars(select(ReminderLog.step).where(ReminderLog.assignment_id == assignment.id)))


def reminder_log_count(session) -> int:
    return session.scalar(select(func.count()).select_from(ReminderLog))


# -- trainees ------------------------------------------------------------------------------------


def test_due_soon_and_overdue_reminders_reach_the_trainee_once(app, session, smtp):
    today = MONDAY.date()
    org = make_org("消防示范商场")
    trainee = person(org, "zhang@example.cn", name="张三")
    extinguisher = make_course()
    evacuation = make_course("evacuation", "人员疏散引导", "Guiding an evacuation")
    later = make_course("drill", "消防演练", "Fire drills")
    soon = assign(trainee, extinguisher, today + timedelta(days=7), rule="group:all_staff")
    late = assign(trainee, evacuation, today - timedelta(days=3))
    assign(trainee, later, today + timedelta(days=8))  # not within 7 days
    session.commit()

    summary = run(app, MONDAY)

    [mail] = smtp.to("zhang@example.cn")
    assert summary.sent["due-soon"] == 1 and summary.sent["overdue"] == 1
    assert summary.no_admin == 1  # escalation and digest had nobody to go to
    assert mail.message["To"].addresses[0].display_name == "张三"
    assert mail.message["From"].addresses[0].display_name == "消防安全培训平台"
    assert mail.message["From"].addresses[0].addr_spec == "noreply@fire-training.test"
    assert mail.message["Date"].datetime == MONDAY
    assert mail.message["Message-ID"].startswith("<") and mail.message["Message-ID"].endswith("@fire-training.test>")
    assert mail.message.get_content_type() == "text/plain"
    assert mail.message.get_content_charset() == "utf-8"
    assert mail.message["Content-Language"] == "zh-CN"
    mail.raw.decode("ascii")  # 7-bit clean on the wire: Chinese travels encoded
    body = mail.body
    assert body.startswith("张三，您好：")
    assert "灭火器的使用" in body and "人员疏散引导" in body and "消防演练" not in body
    assert (today + timedelta(days=7)).isoformat() in body and (today - timedelta(days=3)).isoformat() in body
    assert "已逾期3天" in body
    assert "重点人群专项培训：全体员工" in body  # the rule, with the group's name
    assert "入职必训：上岗前培训" in body
    assert BASIS in body
    assert "消防示范商场" in body
    assert f"{BASE_URL}/me/" in body
    assert steps_logged(session, soon) == ["due-soon"] and steps_logged(session, late) == ["overdue"]

    smtp.clear()
    again = run(app, MONDAY + timedelta(hours=1))
    assert smtp.to("zhang@example.cn") == [] and again.sent["due-soon"] == again.sent["overdue"] == 0


def test_a_due_soon_assignment_is_reminded_again_once_overdue(app, session, smtp):
    org = make_org()
    trainee = person(org, "li@example.cn", name="李四", locale="en")
    course = make_course()
    assignment = assign(trainee, course, MONDAY.date() + timedelta(days=2))
    session.commit()

    run(app, MONDAY)
    run(app, MONDAY + timedelta(days=1))
    run(app, MONDAY + timedelta(days=3))
    run(app, MONDAY + timedelta(days=4))

    subjects = [m.subject for m in smtp.to("li@example.cn")]
    assert subjects == [f"Fire-safety training due on {(MONDAY.date() + timedelta(days=2)).isoformat()}: "
                        "Using a fire extinguisher",
                        "Fire-safety training overdue: Using a fire extinguisher"]
    assert steps_logged(session, assignment) == ["due-soon", "overdue"]  # no admin: no escalation logged


def test_the_days_in_a_mail_are_local_days(app, session, smtp):
    """At 20:00 UTC it is already the next day in Shanghai: what was due that UTC day is overdue by a day."""
    org = make_org("消防示范商场")
    trainee = person(org, "zhao@example.cn", name="赵六", locale="en")
    assign(trainee, make_course(), date(2026, 12, 6))
    session.commit()
    run(app, datetime(2026, 12, 6, 20, 0, tzinfo=timezone.utc))
    [mail] = smtp.to("zhao@example.cn")
    assert mail.subject == "Fire-safety training overdue: Using a fire extinguisher"
    assert "Due on 2026-12-06, overdue by 1 day" in mail.body


def test_no_mail_for_completed_or_closed_assignments_or_people_who_left(app, session, smtp):
    today = MONDAY.date()
    org = make_org()
    admin(org, "boss@example.cn", locale="en")
    course = make_course()
    stays = person(org, "stays@example.cn", name="留任")
    assign(stays, course, today - timedelta(days=10), status="completed")
    assign(stays, make_course("c2", "课程二", "Course two"), today + timedelta(days=1), status="closed")
    left = person(org, "left@example.cn", name="离职")
    left.status, left.left_on = "left", today - timedelta(days=40)
    assign(left, make_course("c3", "课程三", "Course three"), today - timedelta(days=31))
    session.commit()

    summary = run(app, MONDAY)

    assert smtp.to("stays@example.cn") == [] and smtp.to("left@example.cn") == []
    [digest] = smtp.to("boss@example.cn")  # only the weekly digest: nobody to escalate
    assert "Nobody is overdue." in digest.body and "离职" not in digest.body
    assert reminder_log_count(session) == 0
    assert summary.sent == {"due-soon": 0, "overdue": 0, "escalate-1": 0, "escalate-7": 0, "escalate-30": 0,
                            "digest": 1}


def test_people_without_an_address_and_organizations_without_an_admin_are_counted(app, session, smtp):
    today = MONDAY.date()
    course = make_course()
    org = make_org()
    no_account = person(org, None, name="无账号", with_account=False)
    no_email = person(org, None, name="无邮箱")
    bad_email = person(org, "not-an-address", name="坏邮箱")
    admin(org, None)  # an administrator without an e-mail address is no administrator to write to
    for trainee in (no_account, no_email, bad_email):
        assign(trainee, course, today - timedelta(days=2))
    session.commit()

    for _ in range(2):
        summary = run(app, MONDAY)
        assert summary.no_address == 3 and summary.no_admin == 1 and summary.messages == 0

    assert smtp.received == [] and reminder_log_count(session) == 0
    assert session.scalar(select(func.count()).select_from(DigestLog)) == 0


def test_a_refused_address_is_tried_again_and_does_not_stop_the_run(app, session, smtp):
    course = make_course()
    org = make_org()
    bad = assign(person(org, "gone@example.cn", name="已注销"), course, MONDAY.date() + timedelta(days=1))
    good = assign(person(org, "ok@example.cn", name="正常"), course, MONDAY.date() + timedelta(days=1))
    session.commit()
    smtp.refuse.add("gone@example.cn")

    summary = run(app, MONDAY)

    assert summary.refused == 1 and summary.sent["due-soon"] == 1
    assert len(smtp.to("ok@example.cn")) == 1
    assert steps_logged(session, bad) == [] and steps_logged(session, good) == ["due-soon"]

    smtp.refuse.clear()
    run(app, MONDAY + timedelta(hours=1))
    assert len(smtp.to("gone@example.cn")) == 1 and steps_logged(session, bad) == ["due-soon"]


# -- escalations ---------------------------------------------------------------------------------


def escalations_to(smtp, address: str) -> list:
    return [m for m in smtp.to(address) if "overdue on fire-safety training" in m.subject]


def test_escalation_after_1_7_and_30_days_exactly_once_each(app, session, smtp):
    due = MONDAY.date()
    org = make_org("示范酒店")
    admin(org, "boss@example.cn", locale="en", name="Manager Wang")
    trainee = person(org, "wu@example.cn", name="吴六")
    trainee.post = "前台"
    assignment = assign(trainee, make_course(), due)
    session.commit()

    sent_days = []
    for days in (0, 1, 1, 2, 6, 7, 8, 29, 30, 31, 45):
        before = len(escalations_to(smtp, "boss@example.cn"))
        summary = run(app, MONDAY + timedelta(days=days, hours=1))
        if len(escalations_to(smtp, "boss@example.cn")) > before:
            sent_days.append(days)
            assert sum(summary.sent[s] for s in ("escalate-1", "escalate-7", "escalate-30")) == 1

    assert sent_days == [1, 7, 30]
    assert steps_logged(session, assignment) == ["due-soon", "escalate-1", "escalate-30", "escalate-7", "overdue"]
    first, second, third = escalations_to(smtp, "boss@example.cn")
    assert first.subject == "示范酒店: 1 person is overdue on fire-safety training"
    assert first.message["Content-Language"] == "en"
    body = third.body
    assert body.startswith("Hello Manager Wang,")
    assert "吴六 (前台)" in body and "Using a fire extinguisher" in body and "overdue by 30 days" in body
    assert due.isoformat() in body and BASIS in body
    assert f"{BASE_URL}/company/{org.id}/people?status=overdue" in body
    assert "overdue by 7 days" in second.body
    recipients = set(session.scalars(select(ReminderLog.recipient).where(ReminderLog.step.like("escalate-%"))))
    assert recipients == {"boss@example.cn"}


def test_one_escalation_per_admin_bundles_people_and_catches_up_missed_steps(app, session, smtp):
    today = MONDAY.date()
    org = make_org("示范工厂")
    admin(org, "boss@example.cn", locale="en")
    admin(org, "deputy@example.cn")  # zh_CN by default
    course = make_course()
    long_overdue = assign(person(org, None, name="赵一", with_account=False), course, today - timedelta(days=40))
    recent = assign(person(org, None, name="钱二", with_account=False), course, today - timedelta(days=1))
    session.commit()

    summary = run(app, MONDAY)

    [to_boss] = escalations_to(smtp, "boss@example.cn")
    [to_deputy] = [m for m in smtp.to("deputy@example.cn") if "人消防安全培训逾期" in m.subject]
    assert to_boss.subject == "示范工厂: 2 people are overdue on fire-safety training"
    assert to_deputy.subject == "示范工厂：2人消防安全培训逾期"
    assert to_deputy.message["Content-Language"] == "zh-CN"
    assert "灭火器的使用" in to_deputy.body and "Using a fire extinguisher" in to_boss.body
    assert to_boss.body.index("赵一") < to_boss.body.index("钱二")  # longest overdue first
    # One mail covers the steps the 40-day-old assignment never had; each is logged once.
    assert steps_logged(session, long_overdue) == ["escalate-1", "escalate-30", "escalate-7"]
    assert steps_logged(session, recent) == ["escalate-1"]
    assert summary.sent["escalate-1"] == 2 and summary.sent["escalate-7"] == summary.sent["escalate-30"] == 1
    assert summary.no_address == 2
    recipient = session.scalar(select(ReminderLog.recipient).where(ReminderLog.assignment_id == recent.id))
    assert recipient == "boss@example.cn, deputy@example.cn"


# -- weekly digest -------------------------------------------------------------------------------


def test_weekly_digest_once_per_week(app, session, smtp):
    today = MONDAY.date()
    org = make_org("示范学校")
    admin(org, "head@example.cn", locale="en")
    course = make_course()
    assign(person(org, None, name="孙七", with_account=False), course, today - timedelta(days=60))
    person(org, None, name="周八", with_account=False)  # never trained, nothing assigned
    session.commit()

    def digests():
        return [m for m in smtp.to("head@example.cn") if m.subject.startswith("Weekly fire-safety training report")]

    run(app, MONDAY)
    run(app, MONDAY + timedelta(days=3))
    run(app, MONDAY + timedelta(days=6, hours=14))  # Sunday 23:30 in Shanghai, the same ISO week
    assert len(digests()) == 1
    run(app, MONDAY + timedelta(days=7))
    assert len(digests()) == 2

    first = digests()[0]
    assert first.subject == "Weekly fire-safety training report for 示范学校 (2026-W10)"
    body = first.body
    assert "Overdue: 1" in body and "Never trained: 1" in body and "Compliant: 0" in body
    assert "Due within 30 days: 0" in body
    assert "孙七: Using a fire extinguisher" in body and "overdue by 60 days" in body
    assert f"{BASE_URL}/company/{org.id}/people?status=overdue" in body
    assert f"{BASE_URL}/company/{org.id}/" in body
    weeks = sorted(session.scalars(select(DigestLog.week).where(DigestLog.organization_id == org.id)))
    assert weeks == ["2026-W10", "2026-W11"] == [iso_week(today), iso_week(today + timedelta(days=7))]


# -- delivery failures, dry runs and the command ---------------------------------------------------


class FailingAfter(CollectingMailer):
    """Accepts `count` messages, then the server is gone."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def send(self, message) -> None:
        if len(self.messages) >= self.count:
            raise MailUnavailable("connection lost")
        super().send(message)


def test_losing_the_server_mid_run_keeps_the_record_of_what_was_sent(app, session):
    course = make_course()
    first = assign(person(make_org(), "a@example.cn", name="甲"), course, MONDAY.date())
    second = assign(person(make_org(), "b@example.cn", name="乙"), course, MONDAY.date())
    session.commit()
    mailer = FailingAfter(1)

    with pytest.raises(MailUnavailable) as raised:
        send_reminders(session, now=MONDAY, mailer=mailer)
    session.rollback()

    assert [str(m["To"]) for m in mailer.messages] == ["甲 <a@example.cn>"]
    assert raised.value.summary.sent["due-soon"] == 1
    assert steps_logged(session, first) == ["due-soon"] and steps_logged(session, second) == []


def test_dry_run_counts_without_sending_or_recording(app, session, smtp):
    org = make_org()
    admin(org, "boss@example.cn")
    assign(person(org, "a@example.cn", name="甲"), make_course(), MONDAY.date() - timedelta(days=8))
    session.commit()

    summary = send_reminders(session, now=MONDAY, mailer=None, dry_run=True)
    session.rollback()

    assert summary.dry_run and summary.messages == 3  # trainee, escalation, digest
    assert summary.sent["overdue"] == summary.sent["escalate-1"] == summary.sent["escalate-7"] == 1
    assert smtp.received == [] and reminder_log_count(session) == 0
    assert session.scalar(select(func.count()).select_from(DigestLog)) == 0


def test_command_sends_and_prints_counts(app, session, smtp):
    today = local_today()
    org = make_org()
    admin(org, "boss@example.cn")
    assign(person(org, "a@example.cn", name="甲"), make_course(), today + timedelta(days=3))
    session.commit()

    result = app.test_cli_runner().invoke(args=["reminders", "send"])

    assert result.exit_code == 0, result.output
    assert "reminders sent: 2 e-mails (1 due-soon, 0 overdue" in result.output
    assert "1 digest" in result.output
    assert len(smtp.to("a@example.cn")) == 1 and len(smtp.to("boss@example.cn")) == 1
    assert reminder_log_count(session) == 1

    again = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert again.exit_code == 0 and "reminders sent: 0 e-mails" in again.output


def test_command_dry_run(app, session, smtp):
    assign(person(make_org(), "a@example.cn", name="甲"), make_course(), local_today() + timedelta(days=3))
    session.commit()

    result = app.test_cli_runner().invoke(args=["reminders", "send", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "reminders would send: 1 e-mails (1 due-soon" in result.output
    assert smtp.received == [] and reminder_log_count(session) == 0


def test_command_fails_clearly_when_the_server_is_unreachable(app, session, smtp):
    org = make_org()
    admin(org, "boss@example.cn")
    assign(person(org, "a@example.cn", name="甲"), make_course(), local_today() - timedelta(days=8))
    session.commit()
    app.config["MAIL_PORT"] = free_port()  # nothing listens there

    result = app.test_cli_runner().invoke(args=["reminders", "send"])

    assert result.exit_code != 0
    assert "cannot connect to the SMTP server 127.0.0.1:" in result.output
    assert "Nothing was sent or recorded" in result.output
    assert reminder_log_count(session) == 0
    assert session.scalar(select(func.count()).select_from(DigestLog)) == 0


def test_digest_lists_the_first_overdue_people_and_counts_the_rest(app, session, smtp, monkeypatch):
    from portal.domain.workforce import reminders

    monkeypatch.setattr(reminders, "DIGEST_OVERDUE_LIMIT", 2)
    org = make_org()
    admin(org, "head@example.cn", locale="en")
    course = make_course()
    for days, name in ((3, "一号"), (9, "二号"), (5, "三号")):
        assign(person(org, None, name=name, with_account=False), course, MONDAY.date() - timedelta(days=days))
    session.commit()

    run(app, MONDAY)

    [digest] = [m for m in smtp.to("head@example.cn") if m.subject.startswith("Weekly")]
    assert "二号" in digest.body and "三号" in digest.body and "一号" not in digest.body  # oldest first
    assert "... and 1 more overdue training." in digest.body


class SlowMailer(CollectingMailer):
    """Shared by two concurrent runs; slow enough that they overlap."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def send(self, message) -> None:
        time.sleep(0.05)
        with self.lock:
            super().send(message)


def test_two_concurrent_runs_never_send_the_same_step_twice(app, session):
    """The job lock: PostgreSQL's advisory lock, SQLite's lock file."""
    from portal.extensions import db

    course = make_course()
    for n in range(4):
        org = make_org()
        admin(org, f"admin{n}@example.cn")
        assign(person(org, f"trainee{n}@example.cn", name=f"学员{n}"), course, MONDAY.date() - timedelta(days=2))
    session.commit()
    mailer, errors = SlowMailer(), []

    def one_node() -> None:
        with app.app_context():
            try:
                send_reminders(db.session, now=MONDAY, mailer=mailer)
                db.session.commit()
            except Exception as error:  # reported to the main thread below
                errors.append(error)
            finally:
                db.session.remove()

    nodes = [threading.Thread(target=one_node) for _ in range(2)]
    for node in nodes:
        node.start()
    for node in nodes:
        node.join(timeout=60)

    assert errors == []
    addresses = sorted(str(m["To"].addresses[0].addr_spec) for m in mailer.messages)
    # Per organization: the trainee once, the admin twice (escalation and digest), whichever node sent it.
    expected = [f"trainee{n}@example.cn" for n in range(4)] + [f"admin{n}@example.cn" for n in range(4)] * 2
    assert addresses == sorted(expected)
    assert reminder_log_count(session) == 8  # overdue + escalate-1 per assignment


def test_smtp_login_is_used_when_configured(app):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append(auth_data)
        return AuthResult(success=auth_data == LoginPassword(b"portal", b"Secret-9"), handled=False)

    message = build_message(sender="noreply@fire-training.test", recipient=Recipient("a@example.cn"),
                            subject="test", body="正文\n", now=MONDAY)
    with running_smtp_server(authenticator=authenticator, auth_require_tls=False) as server:
        with SmtpMailer(server.host, server.port, username="portal", password="Secret-9") as mailer:
            mailer.send(message)
        with pytest.raises(MailUnavailable, match="refused the session"):
            SmtpMailer(server.host, server.port, username="portal", password="wrong").connect()
        with pytest.raises(MailUnavailable, match="refused the session"):  # no STARTTLS on offer
            SmtpMailer(server.host, server.port, use_tls=True).connect()

    assert [r.body for r in server.received] == ["正文\r\n"]
    assert logins[0] == LoginPassword(b"portal", b"Secret-9")  # then the wrong one, per mechanism offered


def test_the_digest_says_where_the_organization_stands_with_its_drills(app, session, smtp):
    from portal.domain.workforce import drills

    today = MONDAY.date()
    org = make_org("示范商场", kind="public_gathering")
    org.created_at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    admin(org, "mall@example.cn", locale="en")
    person(org, None, name="吴九", with_account=False)
    drill = drills.record_drill(session, org, drills.DrillData("evacuation", date(2025, 8, 1), "Fire in B1", "B1"),
                                actor_id=None, now=MONDAY, today=today)
    drills.add_action(session, drill, description="Fix the alarm bell", owner_name="王", owner_trainee_id=None,
                      due_on=date(2025, 9, 1), today=today, actor_id=None)
    session.commit()
    run(app, MONDAY)
    [digest] = [m for m in smtp.to("mall@example.cn") if m.subject.startswith("Weekly")]
    assert "last drill on 2025-08-01" in digest.body
    assert "The next drill was due on 2026-02-01 and is overdue." in digest.body
    assert "1 follow-up action of a drill is overdue." in digest.body
    assert f"{BASE_URL}/company/{org.id}/drills" in digest.body
