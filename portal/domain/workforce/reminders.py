"""E-mail reminders: trainees hear about training due within 7 days and when it is overdue; company
administrators get an escalation once training is 1, 7 and 30 days overdue, and a weekly digest.

Every step goes out at most once per assignment (ReminderLog is unique on assignment and step) and
the digest once per organization and ISO week (DigestLog). A log row is written only after the
server accepted the mail, in the transaction that found the step unsent, under the reminders job
lock, so two nodes running `flask reminders send` at once never send the same step twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Iterable

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, contains_eager, joinedload

from portal.domain.workforce import compliance, drills
from portal.domain.workforce.jobs import LOCK_REMINDERS, job_lock
from portal.domain.platform.localtime import local_date
from portal.domain.platform.mail import (
    Mailer, MailError, MessageRefused, Recipient, compose, mail_locale, valid_address
)
from portal.models import (Assignment, DigestLog, KeyGroup, Organization, Person, ReminderLog, RoleGrant, Trainee,
                           User)

DUE_SOON_DAYS = 7
STEP_DUE_SOON = "due-soon"
STEP_OVERDUE = "overdue"
ESCALATIONS = ((1, "escalate-1"), (7, "escalate-7"), (30, "escalate-30"))  # (days overdue, step)
STEP_DIGEST = "digest"
STEPS = (STEP_DUE_SOON, STEP_OVERDUE, *(step for _days, step in ESCALATIONS), STEP_DIGEST)
DIGEST_OVERDUE_LIMIT = 50  # overdue trainings listed in a digest; the link shows them all


@dataclass
class ReminderSummary:
    """What one run sent (or, in a dry run, would send)."""

    sent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STEPS, 0))  # assignments per step; digests
    messages: int = 0  # e-mails handed to the server
    no_address: int = 0  # trainees with a reminder due but no usable e-mail address
    no_admin: int = 0  # organizations with an escalation or digest due but no administrator to write to
    refused: int = 0  # e-mails the server refused (bad addresses); retried next run
    dry_run: bool = False


@dataclass(frozen=True)
class Escalation:
    assignment: Assignment
    days_overdue: int
    steps: tuple[str, ...]  # steps reached and not yet sent; a catch-up run sends several at once


def send_reminders(session: Session, *, now: datetime, mailer: Mailer | None, dry_run: bool = False) -> ReminderSummary:
    """Send every reminder, escalation and digest that is due and not yet sent; needs an app context.

    Unlike other domain functions this one commits, once per organization: a sent e-mail cannot be
    taken back, so its log row must be durable before the next organization is handled (a crash
    re-sends at most one organization's mails, and the advisory lock, released by each commit, lets
    another node interleave without double-sending). A dry run sends and writes nothing (the caller
    rolls back). MailUnavailable propagates after what was already sent is committed; it carries
    the summary so far as `error.summary`.
    """
    run = _Run(session, now=now, mailer=mailer, summary=ReminderSummary(dry_run=dry_run))
    for organization_id in _organizations_with_people(session):
        try:
            with job_lock(session, LOCK_REMINDERS):
                run.organization(organization_id)
                run.keep_what_was_sent()  # commit inside the lock: the next holder sees these logs
        except Exception as error:
            run.keep_what_was_sent(quietly=True)
            if isinstance(error, MailError):
                error.summary = run.summary
            raise
    return run.summary


def iso_week(day: date) -> str:
    """The DigestLog key of a day's week: 2026-W48."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _organizations_with_people(session: Session) -> list[int | None]:
    ids = session.scalars(select(Trainee.organization_id).where(Trainee.status == "active").distinct())
    return sorted(ids, key=lambda i: (i is None, i or 0))  # people without an organization last


class _Run:
    """One run's state: the clock, the mailer, the counts and per-organization caches."""

    def __init__(self, session: Session, *, now: datetime, mailer: Mailer | None, summary: ReminderSummary) -> None:
        self.session, self.now, self.today = session, now, local_date(now)
        self.mailer, self.summary = mailer, summary
        self.base_url = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        self.key_groups = {g.code: g for g in session.scalars(select(KeyGroup))}
        self._admins: dict[int, list[Recipient]] = {}
        self._no_admin: set[int] = set()
        self._rules_in_force = None

    def keep_what_was_sent(self, *, quietly: bool = False) -> None:
        """Commit the log rows of the mails sent so far (quietly: while another error is on its way)."""
        if self.summary.dry_run:
            return
        try:
            self.session.commit()
        except SQLAlchemyError:
            self.session.rollback()
            if not quietly:
                raise

    def organization(self, organization_id: int | None) -> None:
        """Everything due for one organization (or for the people without one)."""
        assignments = self._candidates(organization_id)
        logged = self._logged_steps([a.id for a in assignments])
        self.remind_trainees(assignments, logged)
        if organization_id is not None:
            org = self.session.get(Organization, organization_id)
            self.escalate(org, [a for a in assignments if a.due_on < self.today], logged)
            self.digest(org)

    # -- trainees -------------------------------------------------------------------------

    def remind_trainees(self, assignments: list[Assignment], logged: set[tuple[int, str]]) -> None:
        """One mail per trainee listing what became due soon or overdue since the last mail."""
        for _trainee_id, group in groupby(assignments, key=lambda a: a.trainee_id):
            pending = [(a, self._trainee_step(a)) for a in group]
            pending = [(a, step) for a, step in pending if (a.id, step) not in logged]
            if not pending:
                continue
            trainee = pending[0][0].trainee
            user = trainee.user
            if user is None or not user.active or not valid_address(user.email):
                self.summary.no_address += 1
                continue
            recipient = Recipient(user.email.strip(), trainee.real_name, mail_locale(user.locale))
            message = compose(
                "trainee_reminder", recipient, now=self.now, trainee=trainee, today=self.today,
                overdue=[a for a, step in pending if step == STEP_OVERDUE],
                due_soon=[a for a, step in pending if step == STEP_DUE_SOON],
                due_soon_days=DUE_SOON_DAYS, key_groups=self.key_groups, link=f"{self.base_url}/me/",
            )
            if self._deliver(message):
                self._record(pending, recipient.address)

    def _trainee_step(self, assignment: Assignment) -> str:
        return STEP_OVERDUE if assignment.due_on < self.today else STEP_DUE_SOON

    # -- company administrators -------------------------------------------------------------

    def escalate(self, org: Organization, overdue: list[Assignment], logged: set[tuple[int, str]]) -> None:
        """One mail per administrator listing the people whose training crossed 1, 7 or 30 days overdue."""
        escalations = []
        for assignment in overdue:
            days = (self.today - assignment.due_on).days
            steps = tuple(step for threshold, step in ESCALATIONS
                          if days >= threshold and (assignment.id, step) not in logged)
            if steps:
                escalations.append(Escalation(assignment, days, steps))
        if not escalations:
            return
        escalations.sort(key=lambda e: (-e.days_overdue, e.assignment.trainee.real_name, e.assignment.id))
        people = len({e.assignment.trainee_id for e in escalations})
        delivered = self._to_admins(org, lambda admin: compose(
            "escalation", admin, now=self.now, org=org, escalations=escalations, people=people,
            key_groups=self.key_groups, link=self._overdue_link(org), thresholds=[d for d, _s in ESCALATIONS],
        ))
        if delivered:
            self._record([(e.assignment, step) for e in escalations for step in e.steps], ", ".join(delivered))

    def digest(self, org: Organization) -> None:
        """The weekly summary: counts by standing and who is overdue, once per ISO week."""
        week = iso_week(self.today)
        if self.session.scalar(select(DigestLog.id).where(DigestLog.organization_id == org.id,
                                                          DigestLog.week == week)) is not None:
            return
        overdue = self._overdue_in(org)
        counts = compliance.counts(self.session, org.id, self.today)
        total_overdue = self.session.scalar(select(func.count()).select_from(Assignment).join(Assignment.trainee).where(
            *self._overdue_clauses(org))) or 0
        drill = drills.organization_drill_status(self.session, org, today=self.today, rules=self._rules())
        actions = drills.open_actions(self.session, org.id)
        delivered = self._to_admins(org, lambda admin: compose(
            "digest", admin, now=self.now, org=org, week=week, counts=counts, due_soon_days=compliance.DUE_SOON_DAYS,
            overdue=overdue, drill=drill, actions_overdue=[a for a in actions if drills.action_overdue(a, self.today)],
            drills_link=f"{self.base_url}/company/{org.id}/drills",
            more=max(total_overdue - len(overdue), 0), today=self.today, key_groups=self.key_groups,
            link=self._overdue_link(org), dashboard=f"{self.base_url}/company/{org.id}/",
        ))
        if delivered:
            self.summary.sent[STEP_DIGEST] += 1
            if not self.summary.dry_run:
                self.session.add(DigestLog(organization_id=org.id, week=week, sent_at=self.now))
                self.session.flush()

    def _rules(self):
        """The rules in force, read once per run (the drill intervals)."""
        if self._rules_in_force is None:
            from portal.domain.workforce.rules import current_rules

            self._rules_in_force = current_rules(self.session)
        return self._rules_in_force

    def _to_admins(self, org: Organization, message_for) -> list[str]:
        """Send each administrator their own copy (their language); the addresses that took it."""
        admins = self._admins_of(org)
        if not admins:
            if org.id not in self._no_admin:
                self._no_admin.add(org.id)
                self.summary.no_admin += 1
            return []
        return [admin.address for admin in admins if self._deliver(message_for(admin))]

    def _admins_of(self, org: Organization) -> list[Recipient]:
        if org.id not in self._admins:
            users = self.session.scalars(select(User).where(
                User.active.is_(True),
                User.id.in_(select(RoleGrant.user_id).where(RoleGrant.role == "org_admin",
                                                            RoleGrant.organization_id == org.id)),
            ).order_by(User.id))
            recipients, seen = [], set()
            for user in users:
                if valid_address(user.email) and user.email.strip().lower() not in seen:
                    seen.add(user.email.strip().lower())
                    recipients.append(Recipient(user.email.strip(), user.display_name, mail_locale(user.locale)))
            self._admins[org.id] = recipients
        return self._admins[org.id]

    def _overdue_link(self, org: Organization) -> str:
        return f"{self.base_url}/company/{org.id}/people?status=overdue"

    # -- queries and bookkeeping -----------------------------------------------------------------

    def _candidates(self, organization_id: int | None) -> list[Assignment]:
        """Open assignments of active people due within DUE_SOON_DAYS or already overdue."""
        in_org = (Trainee.organization_id == organization_id if organization_id is not None
                  else Trainee.organization_id.is_(None))
        return list(self.session.scalars(
            select(Assignment).join(Assignment.trainee)
            .where(in_org, Trainee.status == "active", Assignment.status == "open",
                   Assignment.due_on.is_not(None), Assignment.due_on <= self.today + timedelta(days=DUE_SOON_DAYS))
            .options(contains_eager(Assignment.trainee).joinedload(Trainee.person).joinedload(Person.user),
                     joinedload(Assignment.course))
            .order_by(Trainee.id, Assignment.due_on, Assignment.id)
        ).unique())

    def _overdue_clauses(self, org: Organization) -> tuple:
        return (Trainee.organization_id == org.id, Trainee.status == "active", Assignment.status == "open",
                Assignment.due_on < self.today)

    def _overdue_in(self, org: Organization) -> list[Assignment]:
        return list(self.session.scalars(
            select(Assignment).join(Assignment.trainee).join(Person, Person.id == Trainee.person_id)
            .where(*self._overdue_clauses(org))
            .options(contains_eager(Assignment.trainee), joinedload(Assignment.course))
            .order_by(Assignment.due_on, Person.real_name, Assignment.id).limit(DIGEST_OVERDUE_LIMIT)
        ).unique())

    def _logged_steps(self, assignment_ids: list[int]) -> set[tuple[int, str]]:
        if not assignment_ids:
            return set()
        rows = self.session.execute(select(ReminderLog.assignment_id, ReminderLog.step)
                                    .where(ReminderLog.assignment_id.in_(assignment_ids)))
        return {(assignment_id, step) for assignment_id, step in rows}

    def _deliver(self, message) -> bool:
        """Hand one message to the mailer; False when the server refused it (tried again next run)."""
        if not self.summary.dry_run:
            try:
                self.mailer.send(message)
            except MessageRefused as error:
                current_app.logger.warning("reminder to %s refused: %s", message["To"], error)
                self.summary.refused += 1
                return False
        self.summary.messages += 1
        return True

    def _record(self, sent: Iterable[tuple[Assignment, str]], recipient: str) -> None:
        """Log each (assignment, step) just sent, flushed at once so the unique constraint speaks now."""
        for assignment, step in sent:
            self.summary.sent[step] += 1
            if not self.summary.dry_run:
                self.session.add(ReminderLog(assignment_id=assignment.id, step=step, recipient=recipient[:200],
                                             sent_at=self.now))
        self.session.flush()
