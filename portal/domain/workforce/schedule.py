"""The compliance schedule: which courses each person must hold, and the assignments that follow.

reconcile() is the one place where assignments are created, marked overdue and closed; it is
idempotent and runs after every roster change for that person and hourly for everyone
(`flask schedule run`).
"""
from __future__ import annotations

import calendar
import dataclasses
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, inspect, select, update
from sqlalchemy.orm import Session, joinedload

from portal.domain.platform import audit
from portal.domain.platform.localtime import local_date
from portal.domain.workforce.rules import CourseRule, Rules, current_rules, parse_rules
from portal.models import Assignment, Completion, Course, KeyGroup, Organization, Person, RuleSet, Trainee, utcnow

STICKY_RULES = ("transfer", "manual")  # assigned by an event, kept until completed or the person leaves


@dataclass(frozen=True)
class Requirement:
    course_code: str
    rule: str  # onboarding | group:<code> | post:<name> | periodic:<kind> | transfer
    basis: str
    due_on: date | None
    valid_months: int | None


@dataclass
class Plan:
    """What reconcile would do (or did) for one person."""

    create: list[Requirement]
    close: list[Assignment]
    overdue: list[Assignment]

    def __bool__(self) -> bool:
        return bool(self.create or self.close or self.overdue)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _due(start: date | None, days: int, today: date) -> date:
    """Due `days` after the start date; people already at work without a start date get 30 days."""
    return start + timedelta(days=days) if start else today + timedelta(days=max(days, 30))


def requirements(trainee: Trainee, org: Organization | None, rules: Rules, *, today: date) -> list[Requirement]:
    """Every course the person must hold under the rules, first rule per course wins."""
    kind = org.kind if org else "general"
    months = rules.periodic[kind].months if kind in rules.periodic else 12
    found: dict[str, Requirement] = {}

    def add(rule_name: str, rule: CourseRule, courses, due_on: date, valid: int | None) -> None:
        for code in courses:
            found.setdefault(code, Requirement(code, rule_name, rule.basis, due_on, valid))

    onboarding = rules.onboarding
    add("onboarding", onboarding, onboarding.courses + rules.onboarding_by_kind.get(kind, ()),
        _due(trainee.start_date, onboarding.due_days, today), months)
    group_codes = {g.code for g in trainee.groups}
    for code, rule in rules.groups.items():
        if code in group_codes:
            add(f"group:{code}", rule, rule.courses, _due(trainee.start_date, rule.due_days, today),
                rule.valid_months or months)
    post = rules.post_rule(trainee.post)
    if post is not None:
        name, rule = post
        add(f"post:{name}", rule, rule.courses, _due(trainee.start_date, 0, today), rule.valid_months or months)
    return list(found.values())


@dataclass
class Known:
    """What the schedule needs to know about people, loaded in bulk (keyed by employment)."""

    open_rows: dict[int, list[Assignment]]
    latest: dict[int, dict[int, Completion]]  # the person's latest completion per course, wherever earned
    latest_here: dict[int, dict[int, Completion]]  # the same, leaving out what was earned in an earlier job


def _earned_elsewhere(completion: Completion, job: Trainee, others: list[Trainee]) -> bool:
    """Was this completion earned while the person worked at another organization, before this job began?
    Onboarding (入职必训) is about one site: such a completion does not count as this job's onboarding."""
    day = completion.completed_on
    if day >= local_date(job.created_at):
        return False
    return any(_began(other) <= day and (other.left_on is None or day <= other.left_on) for other in others)


def _began(job: Trainee) -> date:
    """When a job began: its start date, or when it was put on the roster if that was earlier or unknown."""
    added = local_date(job.created_at)
    return min(job.start_date, added) if job.start_date else added


def load_known(session: Session, trainee_ids: list[int]) -> Known:
    """Open assignments and latest completions of many employments, a few queries per 500."""
    known = Known(open_rows={t: [] for t in trainee_ids}, latest={t: {} for t in trainee_ids},
                  latest_here={t: {} for t in trainee_ids})
    for start in range(0, len(trainee_ids), 500):
        chunk = trainee_ids[start:start + 500]
        for row in session.scalars(select(Assignment).where(Assignment.trainee_id.in_(chunk), Assignment.status == "open")):
            known.open_rows[row.trainee_id].append(row)
        jobs_by_person: dict[int, list[Trainee]] = {}
        for job in _jobs_of_people(session, chunk):
            jobs_by_person.setdefault(job.person_id, []).append(job)
        # per asked-for job, the person's jobs at other organizations (where onboarding cannot have been earned)
        others = {job.id: [o for o in jobs if o.organization_id and o.organization_id != job.organization_id]
                  for jobs in jobs_by_person.values() for job in jobs if job.id in known.latest}
        for completion in session.scalars(select(Completion).where(Completion.person_id.in_(list(jobs_by_person)))
                                          .order_by(Completion.completed_on, Completion.id)):
            for job in jobs_by_person[completion.person_id]:
                if job.id not in others:
                    continue
                known.latest[job.id][completion.course_id] = completion
                if not others[job.id] or not _earned_elsewhere(completion, job, others[job.id]):
                    known.latest_here[job.id][completion.course_id] = completion
    return known


def _jobs_of_people(session: Session, trainee_ids: list[int]) -> list[Trainee]:
    """These employments and every other employment of the same persons."""
    persons = select(Trainee.person_id).where(Trainee.id.in_(trainee_ids))
    return list(session.scalars(select(Trainee).where(Trainee.person_id.in_(persons))))


def plan_for(session: Session, trainee: Trainee, rules: Rules, *, today: date,
             courses: dict[str, Course] | None = None, known: Known | None = None) -> Plan:
    """What must change for this person (nothing is written)."""
    courses = courses or {c.code: c for c in session.scalars(select(Course).where(Course.retired.is_(False)))}
    known = known or load_known(session, [trainee.id])
    open_rows = known.open_rows.get(trainee.id, [])
    if trainee.status != "active":
        return Plan(create=[], close=open_rows, overdue=[])
    kind = trainee.organization.kind if trainee.organization else "general"
    latest = known.latest.get(trainee.id, {})
    latest_here = known.latest_here.get(trainee.id, {})
    open_by_course = {a.course_id: a for a in open_rows}
    needed: dict[int, Requirement] = {}
    for requirement in requirements(trainee, trainee.organization, rules, today=today):
        course = courses.get(requirement.course_code)
        if course is None:
            continue
        # What the person validly holds counts wherever they earned it, except this site's onboarding.
        completion = (latest_here if requirement.rule == "onboarding" else latest).get(course.id)
        if completion is None:
            needed[course.id] = requirement
        elif completion.valid_until is not None and completion.valid_until <= today + timedelta(days=rules.renewal_lead_days):
            # expiring or expired: a renewal, due (and overdue since) the day the one held expires, however long
            # ago the rule first asked for the course
            needed[course.id] = Requirement(requirement.course_code, f"periodic:{kind}",
                                            rules.periodic[kind].basis if kind in rules.periodic else requirement.basis,
                                            completion.valid_until, requirement.valid_months)
    create = [r for cid, r in needed.items() if cid not in open_by_course]
    close = [a for cid, a in open_by_course.items() if cid not in needed and a.rule not in STICKY_RULES]
    overdue = [a for a in open_rows if a.due_on and a.due_on < today and a.overdue_since is None and a not in close]
    return Plan(create=create, close=close, overdue=overdue)


def apply_plan(session: Session, trainee: Trainee, plan: Plan, *, now: datetime,
               courses: dict[str, Course] | None = None, close_reason: str = "no_longer_required",
               flush: bool = True) -> None:
    """Write a plan: create assignments, close what no longer applies, mark overdue ones."""
    courses = courses or {c.code: c for c in session.scalars(select(Course))}
    for requirement in plan.create:
        session.add(Assignment(
            trainee_id=trainee.id, course_id=courses[requirement.course_code].id, rule=requirement.rule,
            reason=requirement.rule, legal_basis=requirement.basis[:300], due_on=requirement.due_on,
            valid_months=requirement.valid_months, status="open",
            overdue_since=requirement.due_on if requirement.due_on and requirement.due_on < local_date(now) else None,
        ))
    for assignment in plan.close:
        assignment.status, assignment.closed_at = "closed", now
        assignment.closed_reason = "left" if trainee.status != "active" else close_reason
    for assignment in plan.overdue:
        assignment.overdue_since = assignment.due_on
    if flush:
        session.flush()


def reconcile(session: Session, trainee: Trainee, rules: Rules, *, now: datetime) -> Plan:
    """Bring one person's assignments in line with the rules (idempotent)."""
    plan = plan_for(session, trainee, rules, today=local_date(now))
    if plan:
        apply_plan(session, trainee, plan, now=now)
    return plan


@dataclass
class RunSummary:
    people: int = 0
    created: int = 0
    closed: int = 0
    overdue: int = 0


def run_all(session: Session, rules: Rules, *, now: datetime, apply: bool = True,
            organization_id: int | None = None) -> RunSummary:
    """Reconcile everyone (or preview it with apply=False): the hourly job and the rule-change preview."""
    statement = select(Trainee.id).where((Trainee.status == "active") | Trainee.id.in_(
        select(Assignment.trainee_id).where(Assignment.status == "open")))
    if organization_id is not None:
        statement = statement.where(Trainee.organization_id == organization_id)
    return reconcile_many(session, list(session.scalars(statement.order_by(Trainee.id))), rules, now=now, apply=apply)


def reconcile_many(session: Session, trainee_ids: list[int], rules: Rules, *, now: datetime, apply: bool = True,
                   progress=None) -> RunSummary:
    """Reconcile many people in batches, loading what the schedule needs in bulk."""
    from sqlalchemy.orm import selectinload

    courses = {c.code: c for c in session.scalars(select(Course).where(Course.retired.is_(False)))}
    summary = RunSummary()
    for start in range(0, len(trainee_ids), 500):
        chunk = trainee_ids[start:start + 500]
        known = load_known(session, chunk)
        people = session.scalars(select(Trainee).where(Trainee.id.in_(chunk))
                                 .options(selectinload(Trainee.organization), selectinload(Trainee.groups)))
        for trainee in people:
            plan = plan_for(session, trainee, rules, today=local_date(now), courses=courses, known=known)
            summary.people += 1
            summary.created += len(plan.create)
            summary.closed += len(plan.close)
            summary.overdue += len(plan.overdue)
            if apply and plan:
                apply_plan(session, trainee, plan, now=now, courses=courses, flush=False)
        session.flush()  # one flush per batch: a flush per person made big imports slow
        if progress is not None:
            progress(min(start + 500, len(trainee_ids)), len(trainee_ids))
    return summary


def grant_grace(session: Session, trainee_ids: list[int], *, days: int, now: datetime) -> int:
    """An organization joining the portal imports staff who worked there for years: those with no training
    record at all get `days` from today for what fell due in the past or within that time, instead of being
    overdue at once (the basis says so). Returns how many assignments moved."""
    until = local_date(now) + timedelta(days=days)
    untrained = select(Trainee.id).where(Trainee.id.in_(trainee_ids), ~select(Completion.id).where(
        Completion.person_id == Trainee.person_id).exists())
    moved = 0
    for assignment in session.scalars(select(Assignment).where(
            Assignment.trainee_id.in_(untrained), Assignment.status == "open", Assignment.due_on < until)):
        assignment.due_on, assignment.overdue_since = until, None
        assignment.legal_basis = (GRACE_BASIS.format(days=days) + assignment.legal_basis)[:300]
        moved += 1
    session.flush()
    return moved


# Stored with the assignment, like the rules' own bases (which are Chinese legal texts).
GRACE_BASIS = "首次导入花名册宽限 {days} 天（区培训办公室设置：原无培训记录的在岗人员自导入之日起计算）；"


def completion_validity(session: Session, completion: Completion, rules: Rules) -> date | None:
    """How long a completion stays valid: the months the rules give the course at the person's organization
    (its kind), whatever the channel (online, classroom). With two jobs, the shorter period counts; a course no
    rule requires keeps the months of the assignment that asked for it, if any."""
    person = session.get(Person, completion.person_id)
    course = session.get(Course, completion.course_id)
    jobs = [job for job in person.employments if job.status == "active"] or [person.current_employment]
    _load_organizations_and_groups(session, [job for job in jobs if job is not None])
    months = [requirement.valid_months for job in jobs if job is not None
              for requirement in requirements(job, job.organization, rules, today=completion.completed_on)
              if requirement.course_code == course.code and requirement.valid_months]
    if not months:
        assignment = session.scalar(select(Assignment).where(
            Assignment.trainee_id.in_([job.id for job in person.employments]), Assignment.course_id == course.id,
            Assignment.valid_months.is_not(None)).order_by(Assignment.id.desc()).limit(1))
        months = [assignment.valid_months] if assignment else []
    return add_months(completion.completed_on, min(months)) if months else None


def _load_organizations_and_groups(session: Session, jobs: list[Trainee]) -> None:
    """What requirements() reads of these jobs (their organization and key groups), in one statement for those
    that lack either (instead of one statement each)."""
    lacking = [job.id for job in jobs if {"organization", "groups"} & inspect(job).unloaded]
    if lacking:
        session.execute(select(Trainee).where(Trainee.id.in_(lacking))
                        .options(joinedload(Trainee.organization), joinedload(Trainee.groups))).unique().all()


@dataclass(frozen=True)
class Standing:
    """A person's compliance at a glance."""

    status: str  # compliant | due_soon | overdue | never_trained | left
    open_count: int
    next_due: date | None


def standing(trainee: Trainee, open_assignments: list[Assignment], has_completion: bool, *, today: date) -> Standing:
    if trainee.status != "active":
        return Standing("left", 0, None)
    dues = sorted(a.due_on for a in open_assignments if a.due_on)
    next_due = dues[0] if dues else None
    if next_due and next_due < today:
        status = "overdue"
    elif not has_completion:
        status = "never_trained"
    elif next_due and next_due <= today + timedelta(days=30):
        status = "due_soon"
    else:
        status = "compliant"
    return Standing(status, len(open_assignments), next_due)


def close_open_assignments(session: Session, completion: Completion, now: datetime) -> None:
    """Completion handler: a completion gets its validity from the rule that made it due and fulfils the open
    assignments of that course in any of its person's jobs (one UPDATE).

    A completion not written yet (maybe_complete's) stays unwritten here, so that one INSERT carries its
    validity (the certificate's handler writes it)."""
    with session.no_autoflush if inspect(completion).pending else nullcontext():
        if completion.valid_until is None:
            completion.valid_until = completion_validity(session, completion, current_rules(session))
        session.execute(_CLOSE_FULFILLED, {"person_key": completion.person_id, "course_key": completion.course_id,
                                           "closed_now": now or utcnow()})


_CLOSE_FULFILLED = (
    update(Assignment)
    .where(Assignment.trainee_id.in_(select(Trainee.id).where(Trainee.person_id == bindparam("person_key"))),
           Assignment.course_id == bindparam("course_key"), Assignment.status == "open")
    .values(status="completed", closed_reason="completed",
            closed_at=bindparam("closed_now", type_=Assignment.closed_at.type))
    .execution_options(synchronize_session="fetch"))


def save_rules(session: Session, text: str, *, note: str, actor_id: int, address: str, now, apply: bool):
    """Check a new rule set against the courses and groups; preview (apply=False) or save and re-evaluate
    everyone it affects. Returns the schedule's summary."""
    courses = set(session.scalars(select(Course.code).where(Course.retired.is_(False))))
    groups = set(session.scalars(select(KeyGroup.code)))
    rules = parse_rules(text, courses=courses, groups=groups, strict=True)
    rules = dataclasses.replace(rules, posts=current_rules(session).posts)
    summary = run_all(session, rules, now=now, apply=apply)
    if apply:
        session.add(RuleSet(text=text, created_by_id=actor_id, note=note[:300]))
        audit.record(session, actor_id=actor_id, action="rules.change", target_type="rule_set", address=address,
                     details={"note": note[:300], "created": summary.created, "closed": summary.closed})
        session.flush()
    return summary
