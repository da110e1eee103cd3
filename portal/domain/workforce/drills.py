"""Fire drills (消防演练): planning and recording them, who took part (roster or QR sign-in), follow-up actions
(整改事项), and the drill schedule: when each organization's next drill is due by the rules' `drills` section.

The schedule is one function, `drill_status`, used by the company pages, the digest and (through
`organization_drill_status` and `drill_compliance`) anything that reports on drills. Photos are in drill_photos.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from portal.domain.platform import audit
from portal.domain.workforce.compliance import DUE_SOON_DAYS
from portal.domain.learning.offline import eligible, new_sign_in_code
from portal.domain.platform.errors import NotAllowed, ValidationError
from portal.domain.platform.localtime import local_date
from portal.domain.workforce.rules import Rules
from portal.domain.workforce.schedule import add_months
from portal.models import (DRILL_KINDS, Drill, DrillAction, DrillParticipant, Organization, Person, Trainee)

SIGN_IN_DAYS_AFTER = 1  # the QR code works on the drill's day and the day after, like a classroom session's
PLAN_DAYS_AHEAD = 366
RECORD_DAYS_BACK = 730  # older drills are the office's "last fire drill" date on the organization
MAX_DURATION_MINUTES = 24 * 60
TEXT_LIMITS = {"scenario": 500, "places": 300, "summary": 5000}
METHODS = ("roster", "qr")
STATES = ("ok", "due_soon", "overdue")


@dataclass(frozen=True)
class DrillData:
    kind: str
    day: date
    scenario: str = ""
    places: str = ""
    duration_minutes: int | None = None
    summary: str = ""


def _check(data: DrillData, *, held: bool, today: date) -> None:
    if data.kind not in DRILL_KINDS:
        raise ValidationError(_l("Choose the kind of drill."), "kind")
    if held and data.day > today:
        raise ValidationError(_l("A drill is recorded as held on or after its day; plan a drill ahead instead."),
                              "day")
    if held and data.day < today - timedelta(days=RECORD_DAYS_BACK):
        raise ValidationError(_l("A drill can be recorded up to %(days)s days after it was held.",
                                 days=RECORD_DAYS_BACK), "day")
    if not held and not today <= data.day <= today + timedelta(days=PLAN_DAYS_AHEAD):
        raise ValidationError(_l("A drill is planned for a day from today to a year ahead."), "day")
    if not data.scenario.strip():
        raise ValidationError(_l("Describe the scenario of the drill."), "scenario")
    if held and not data.places.strip():
        raise ValidationError(_l("Say where the drill was held."), "places")
    if data.duration_minutes is not None and not 1 <= data.duration_minutes <= MAX_DURATION_MINUTES:
        raise ValidationError(_l("A drill lasts between 1 and %(most)s minutes.", most=MAX_DURATION_MINUTES),
                              "duration_minutes")


def _fill(drill: Drill, data: DrillData) -> None:
    drill.kind = data.kind
    drill.scenario = data.scenario.strip()[:TEXT_LIMITS["scenario"]]
    drill.places = data.places.strip()[:TEXT_LIMITS["places"]]
    drill.duration_minutes = data.duration_minutes
    drill.summary = data.summary.strip()[:TEXT_LIMITS["summary"]]


def plan_drill(session: Session, org: Organization, data: DrillData, *, actor_id: int | None, today: date,
               address: str = "") -> Drill:
    """A drill planned for a day from today to a year ahead; audit-logged."""
    _check(data, held=False, today=today)
    drill = Drill(organization_id=org.id, status="planned", planned_on=data.day, sign_in_code=new_sign_in_code(),
                  created_by_id=actor_id)
    _fill(drill, data)
    session.add(drill)
    session.flush()
    audit.record(session, actor_id=actor_id, action="drill.plan", target_type="drill", target_id=drill.id,
                 address=address, details={"organization_id": org.id, "kind": data.kind,
                                           "planned_on": data.day.isoformat()})
    return drill


def record_drill(session: Session, org: Organization, data: DrillData, *, actor_id: int | None, now: datetime,
                 today: date, drill: Drill | None = None, address: str = "") -> Drill:
    """Record a drill as held: a planned one (`drill`) or a new one. The organization's last drill date moves
    to it when later; audit-logged."""
    _check(data, held=True, today=today)
    if drill is None:
        drill = Drill(organization_id=org.id, sign_in_code=new_sign_in_code(), created_by_id=actor_id)
        session.add(drill)
    elif drill.organization_id != org.id:
        raise NotAllowed(_l("This drill belongs to another organization."))
    _fill(drill, data)
    drill.status, drill.held_on, drill.recorded_by_id, drill.recorded_at = "held", data.day, actor_id, now
    if org.last_drill_on is None or org.last_drill_on < data.day:
        org.last_drill_on = data.day
    session.flush()
    audit.record(session, actor_id=actor_id, action="drill.record", target_type="drill", target_id=drill.id,
                 address=address, details={"organization_id": org.id, "kind": data.kind,
                                           "held_on": data.day.isoformat()})
    return drill


# ------------------------------------------------------------------------------ who took part

def add_participants(session: Session, drill: Drill, trainee_ids, *, method: str, now: datetime, today: date,
                     actor_id: int | None = None, address: str = "") -> int:
    """Add people of the organization's active roster (each person once), from the drill's day on; returns how
    many were added."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    if drill.day is None or drill.day > today:
        raise NotAllowed(_l("Who took part is recorded from the day of the drill."))
    wanted = sorted({int(t) for t in trainee_ids})
    if not wanted:
        return 0
    people = list(session.scalars(select(Trainee).where(Trainee.id.in_(wanted), eligible(drill))
                                  .order_by(Trainee.id)))
    if len(people) != len(wanted):
        raise ValidationError(_l("Some of these people are not on the organization's roster."))
    present = set(session.scalars(select(DrillParticipant.person_id).where(DrillParticipant.drill_id == drill.id)))
    added = 0
    for trainee in people:
        if trainee.person_id in present:
            continue
        present.add(trainee.person_id)
        session.add(DrillParticipant(drill_id=drill.id, person_id=trainee.person_id, trainee_id=trainee.id,
                                     method=method, signed_at=now))
        added += 1
    session.flush()
    if added and method == "roster":
        audit.record(session, actor_id=actor_id, action="drill.participants", target_type="drill",
                     target_id=drill.id, address=address, details={"added": added})
    return added


def find_by_code(session: Session, code: str) -> Drill | None:
    code = (code or "").strip()
    if not code or len(code) > 32:
        return None
    return session.scalar(select(Drill).where(Drill.sign_in_code == code))


def sign_in_job(session: Session, drill: Drill, person_id: int) -> Trainee | None:
    """The person's active job at the drill's organization (the one a QR sign-in counts for)."""
    return session.scalar(select(Trainee).where(Trainee.person_id == person_id, eligible(drill))
                          .order_by(Trainee.id).limit(1))


def sign_in(session: Session, drill: Drill, person_id: int, *, now: datetime, today: date) -> bool:
    """A person on the organization's roster signs in with the drill's QR code, on its day or the day after; True
    when newly recorded, False when already there."""
    if drill.day is None or today < drill.day:
        raise NotAllowed(_l("Sign-in opens on the day of the drill."))
    if today > drill.day + timedelta(days=SIGN_IN_DAYS_AFTER):
        raise NotAllowed(_l("Sign-in for this drill has closed. Ask the organizer to record you as taking part."))
    job = sign_in_job(session, drill, person_id)
    if job is None:
        raise NotAllowed(_l("This drill is for another organization's staff."))
    return add_participants(session, drill, [job.id], method="qr", now=now, today=today) == 1


def participants(session: Session, drill: Drill) -> list[tuple[DrillParticipant, Person]]:
    return [tuple(row) for row in session.execute(
        select(DrillParticipant, Person).join(Person, Person.id == DrillParticipant.person_id)
        .where(DrillParticipant.drill_id == drill.id).order_by(Person.real_name, Person.id))]


# ------------------------------------------------------------------------------ follow-up actions

def add_action(session: Session, drill: Drill, *, description: str, owner_name: str, owner_trainee_id: int | None,
               due_on: date, today: date, actor_id: int | None, address: str = "") -> DrillAction:
    """A follow-up action with its owner (a name, or a person of the roster) and due date; audit-logged."""
    description, owner_name = " ".join(description.split()), " ".join((owner_name or "").split())
    if not description:
        raise ValidationError(_l("Say what has to be done."), "description")
    if owner_trainee_id is not None:
        owner = session.scalar(select(Trainee).where(Trainee.id == owner_trainee_id, eligible(drill)))
        if owner is None:
            raise ValidationError(_l("Choose the owner from the roster, or write a name."), "owner_trainee_id")
        owner_name = owner_name or owner.real_name
    if not owner_name:
        raise ValidationError(_l("Name who is responsible."), "owner_name")
    if due_on < (drill.day or today):
        raise ValidationError(_l("The due date cannot be before the drill."), "due_on")
    action = DrillAction(drill_id=drill.id, description=description[:500], owner_name=owner_name[:100],
                         owner_trainee_id=owner_trainee_id, due_on=due_on, created_by_id=actor_id)
    session.add(action)
    session.flush()
    audit.record(session, actor_id=actor_id, action="drill.action.add", target_type="drill", target_id=drill.id,
                 address=address, details={"due_on": due_on.isoformat(), "owner": action.owner_name})
    return action


def mark_action_done(session: Session, action: DrillAction, *, done_on: date, today: date, actor_id: int | None,
                     address: str = "") -> None:
    """Mark a follow-up action done on a day (not in the future); audit-logged."""
    if done_on > today:
        raise ValidationError(_l("An action is marked done on or before today."), "done_on")
    action.done_on = done_on
    session.flush()
    audit.record(session, actor_id=actor_id, action="drill.action.done", target_type="drill",
                 target_id=action.drill_id, address=address,
                 details={"done_on": done_on.isoformat(), "owner": action.owner_name})


def action_overdue(action: DrillAction, today: date) -> bool:
    """Overdue: its due date has passed and it is not done."""
    return action.done_on is None and action.due_on < today


def open_actions(session: Session, organization_id: int, *, limit: int = 50) -> list[DrillAction]:
    """The organization's follow-up actions not done yet, the earliest due first."""
    return list(session.scalars(select(DrillAction).join(Drill, Drill.id == DrillAction.drill_id)
                                .where(Drill.organization_id == organization_id, DrillAction.done_on.is_(None))
                                .order_by(DrillAction.due_on, DrillAction.id).limit(limit)))


def drill_actions(session: Session, drill: Drill) -> list[DrillAction]:
    return list(session.scalars(select(DrillAction).where(DrillAction.drill_id == drill.id)
                                .order_by(DrillAction.done_on.is_not(None), DrillAction.due_on, DrillAction.id)))


# ------------------------------------------------------------------------------ the schedule

@dataclass(frozen=True)
class DrillStatus:
    """Where one organization stands with its drills on a day.

    `counted_from` says what the next due date counts from: "last_drill" (the last drill held, recorded here or
    the office's last-drill date) or "joined" (none recorded: one interval from the day the organization was
    registered on the portal, the way a first roster import gets its grace period)."""

    organization_id: int
    months: int
    basis: str
    last_held: date | None
    next_due: date
    counted_from: str
    state: str  # ok | due_soon | overdue
    today: date
    next_planned: date | None = None

    @property
    def overdue_since(self) -> date | None:
        """The day after the due date, from which the organization is overdue."""
        return self.next_due + timedelta(days=1) if self.state == "overdue" else None

    @property
    def days_overdue(self) -> int:
        return (self.today - self.next_due).days if self.state == "overdue" else 0


def drill_status(org: Organization, today: date, rules: Rules, *, last_held: date | None = None,
                 next_planned: date | None = None) -> DrillStatus:
    """The organization's drill standing: next due = last drill held (the later of `last_held` and the office's
    last-drill date) + its kind's interval, else the registration day + the interval; due soon within
    compliance.DUE_SOON_DAYS, overdue once the due day has passed."""
    rule = rules.drills[org.kind]
    last = max((d for d in (last_held, org.last_drill_on) if d is not None), default=None)
    if last is not None:
        next_due, counted_from = add_months(last, rule.months), "last_drill"
    else:
        joined = local_date(org.created_at) if org.created_at else today
        next_due, counted_from = add_months(joined, rule.months), "joined"
    if next_due < today:
        state = "overdue"
    elif next_due <= today + timedelta(days=DUE_SOON_DAYS):
        state = "due_soon"
    else:
        state = "ok"
    return DrillStatus(organization_id=org.id, months=rule.months, basis=rule.basis, last_held=last,
                       next_due=next_due, counted_from=counted_from, state=state, today=today,
                       next_planned=next_planned)


def _last_and_planned(session: Session, organization_ids: list[int], today: date) -> tuple[dict, dict]:
    ids = list(organization_ids) or [-1]
    last = dict(session.execute(select(Drill.organization_id, func.max(Drill.held_on))
                                .where(Drill.organization_id.in_(ids), Drill.status == "held", Drill.held_on <= today)
                                .group_by(Drill.organization_id)).all())
    planned = dict(session.execute(select(Drill.organization_id, func.min(Drill.planned_on))
                                   .where(Drill.organization_id.in_(ids), Drill.status == "planned",
                                          Drill.planned_on >= today)
                                   .group_by(Drill.organization_id)).all())
    return last, planned


def organization_drill_status(session: Session, org: Organization, *, today: date, rules: Rules) -> DrillStatus:
    """One organization's DrillStatus on a day, from its drills held up to that day."""
    last, planned = _last_and_planned(session, [org.id], today)
    return drill_status(org, today, rules, last_held=last.get(org.id), next_planned=planned.get(org.id))


@dataclass
class DrillCompliance:
    """The drill standing of a set of organizations on a day: each one's status and how many are in each state."""

    statuses: dict[int, DrillStatus] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for status in self.statuses.values():
            counts[status.state] += 1
        return counts

    @property
    def rate(self) -> float | None:
        """The share of organizations not overdue (None for no organizations)."""
        return 1 - self.counts["overdue"] / len(self.statuses) if self.statuses else None


def drill_compliance(session: Session, organization_ids, *, today: date, rules: Rules) -> DrillCompliance:
    """Every listed organization's DrillStatus on a day, in three queries whatever the count."""
    ids = sorted(set(organization_ids))
    orgs = list(session.scalars(select(Organization).where(Organization.id.in_(ids or [-1]))))
    last, planned = _last_and_planned(session, ids, today)
    return DrillCompliance({org.id: drill_status(org, today, rules, last_held=last.get(org.id),
                                                 next_planned=planned.get(org.id)) for org in orgs})


# ------------------------------------------------------------------------------ lists and exports

@dataclass(frozen=True)
class DrillFilter:
    year: int | None = None
    kind: str = ""
    status: str = ""


def drills_statement(organization_id: int, chosen: DrillFilter = DrillFilter()):
    """The organization's drills, the latest day first, filtered by year (of the day), kind and status."""
    day = func.coalesce(Drill.held_on, Drill.planned_on)
    statement = select(Drill).where(Drill.organization_id == organization_id)
    if chosen.year:
        statement = statement.where(extract("year", day) == chosen.year)
    if chosen.kind in DRILL_KINDS:
        statement = statement.where(Drill.kind == chosen.kind)
    if chosen.status in ("planned", "held"):
        statement = statement.where(Drill.status == chosen.status)
    return statement.order_by(day.desc(), Drill.id.desc())


def participant_counts(session: Session, drill_ids) -> dict[int, int]:
    return dict(session.execute(select(DrillParticipant.drill_id, func.count())
                                .where(DrillParticipant.drill_id.in_(list(drill_ids) or [-1]))
                                .group_by(DrillParticipant.drill_id)).all())


def open_action_counts(session: Session, drill_ids) -> dict[int, int]:
    return dict(session.execute(select(DrillAction.drill_id, func.count())
                                .where(DrillAction.drill_id.in_(list(drill_ids) or [-1]), DrillAction.done_on.is_(None))
                                .group_by(DrillAction.drill_id)).all())


def drills_table(session: Session, statement, *, kind_label, status_label):
    """Headers and rows of a list of drills, for exports (labels: functions giving a kind's and status's words)."""
    from flask_babel import gettext as _

    records = list(session.scalars(statement))
    counts = participant_counts(session, [r.id for r in records])
    actions = open_action_counts(session, [r.id for r in records])
    headers = [_("Date"), _("Status"), _("Kind of drill"), _("Scenario"), _("Places"), _("Duration (minutes)"),
               _("Participants"), _("Open follow-up actions"), _("Findings")]
    rows = [[r.day, status_label(r.status), kind_label(r.kind), r.scenario, r.places, r.duration_minutes,
             counts.get(r.id, 0), actions.get(r.id, 0), r.summary] for r in records]
    return headers, rows
