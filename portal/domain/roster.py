"""A company's roster: hire, update, transfer and release people; each change re-runs the schedule."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import audit, schedule
from portal.domain.errors import ValidationError
from portal.domain.rules import Rules
from portal.domain.validators import normalize_id_number, normalize_mobile
from portal.models import Assignment, Completion, Course, EmploymentEvent, KeyGroup, Organization, Trainee, User


@dataclass
class PersonData:
    real_name: str
    mobile: str
    post: str
    start_date: date | None
    groups: list[str] = field(default_factory=lambda: ["all_staff"])
    id_number: str | None = None


@dataclass
class Actor:
    user_id: int | None
    address: str = ""
    source: str = "web"  # web | import | api


def _groups(session: Session, codes: list[str]) -> list[KeyGroup]:
    wanted = list(dict.fromkeys(["all_staff", *codes]))
    found = {g.code: g for g in session.scalars(select(KeyGroup).where(KeyGroup.code.in_(wanted)))}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise ValidationError(_l("Unknown key group: %(codes)s", codes=", ".join(unknown)), "groups")
    return [found[c] for c in wanted]


def _clean(data: PersonData) -> PersonData:
    name = (data.real_name or "").strip()
    if not 1 <= len(name) <= 50:
        raise ValidationError(_l("A name has 1 to 50 characters."), "real_name")
    post = (data.post or "").strip()
    if len(post) > 100:
        raise ValidationError(_l("A post has at most 100 characters."), "post")
    id_number = normalize_id_number(data.id_number) if (data.id_number or "").strip() else None
    return PersonData(real_name=name, mobile=normalize_mobile(data.mobile), post=post, start_date=data.start_date,
                      groups=list(data.groups or []), id_number=id_number)


def find_on_roster(session: Session, org: Organization, mobile: str) -> Trainee | None:
    return session.scalar(select(Trainee).where(Trainee.organization_id == org.id, Trainee.mobile == mobile))


def _event(session, trainee, org, kind, on, actor: Actor) -> None:
    session.add(EmploymentEvent(trainee_id=trainee.id, organization_id=org.id if org else None, kind=kind,
                                effective_on=on, post=trainee.post, groups=[g.code for g in trainee.groups],
                                actor_id=actor.user_id, source=actor.source))
    if actor.user_id is not None:
        audit.record(session, actor_id=actor.user_id, action=f"roster.{kind}", target_type="trainee",
                     target_id=trainee.id, details={"organization": org.id if org else None, "source": actor.source},
                     address=actor.address)


def hire(session: Session, org: Organization, data: PersonData, *, rules: Rules, actor: Actor, now: datetime) -> Trainee:
    """Add a person to the roster (or re-hire one who left) and assign their onboarding."""
    data = _clean(data)
    trainee = find_on_roster(session, org, data.mobile)
    if trainee is not None and trainee.status == "active":
        raise ValidationError(_l("%(name)s with this mobile number is already on the roster.", name=trainee.real_name), "mobile")
    if trainee is None:
        trainee = Trainee(organization_id=org.id, locality_id=org.locality_id, mobile=data.mobile,
                          real_name=data.real_name)
        session.add(trainee)
        _link_account(session, trainee)
    trainee.real_name, trainee.post, trainee.start_date = data.real_name, data.post, data.start_date
    trainee.id_number = data.id_number or trainee.id_number
    trainee.groups = _groups(session, data.groups)
    trainee.status, trainee.left_on = "active", None
    session.flush()
    _event(session, trainee, org, "hire", data.start_date or now.date(), actor)
    schedule.reconcile(session, trainee, rules, now=now)
    return trainee


def _link_account(session: Session, trainee: Trainee) -> None:
    """A registered user without an employer whose mobile matches becomes this roster row's user."""
    with session.no_autoflush:
        user = session.scalar(select(User).where(User.mobile == trainee.mobile))
    if user is not None and user.trainee is not None and user.trainee.organization_id is None:
        stray = user.trainee
        stray.user_id = None
        session.flush()
        trainee.user_id = user.id


def update(session: Session, trainee: Trainee, data: PersonData, *, rules: Rules, actor: Actor, now: datetime) -> Trainee:
    """Correct a person's details (not a transfer: no transfer training is assigned)."""
    data = _clean(data)
    org = trainee.organization
    other = find_on_roster(session, org, data.mobile) if org else None
    if other is not None and other.id != trainee.id:
        raise ValidationError(_l("Another person on the roster has this mobile number."), "mobile")
    trainee.real_name, trainee.mobile, trainee.post = data.real_name, data.mobile, data.post
    trainee.start_date, trainee.groups = data.start_date, _groups(session, data.groups)
    if data.id_number:
        trainee.id_number = data.id_number
    session.flush()
    _event(session, trainee, org, "update", now.date(), actor)
    schedule.reconcile(session, trainee, rules, now=now)
    return trainee


def transfer(session: Session, trainee: Trainee, *, post: str, groups: list[str], effective_on: date,
             rules: Rules, actor: Actor, now: datetime) -> list[Assignment]:
    """Move a person to a new post: assign what the new post requires and they do not validly hold,
    plus the transfer course, all due before the new post starts."""
    if trainee.status != "active":
        raise ValidationError(_l("Only people on the active roster can be transferred."))
    post = (post or "").strip()
    if not post:
        raise ValidationError(_l("Name the new post."), "post")
    before = {a.id for a in session.scalars(select(Assignment).where(Assignment.trainee_id == trainee.id))}
    trainee.post, trainee.groups = post, _groups(session, groups)
    session.flush()
    _event(session, trainee, trainee.organization, "transfer", effective_on, actor)
    schedule.reconcile(session, trainee, rules, now=now)
    new = [a for a in session.scalars(select(Assignment).where(Assignment.trainee_id == trainee.id)) if a.id not in before]
    for assignment in new:  # whatever the new post newly requires is due before it starts
        assignment.due_on = effective_on
        assignment.overdue_since = effective_on if effective_on < now.date() else None
    _assign_transfer_courses(session, trainee, rules, effective_on, now)
    session.flush()
    return [a for a in session.scalars(select(Assignment).where(Assignment.trainee_id == trainee.id)) if a.id not in before]


def _assign_transfer_courses(session: Session, trainee: Trainee, rules: Rules, effective_on: date, now: datetime) -> None:
    for code in rules.transfer.courses:
        course = session.scalar(select(Course).where(Course.code == code, Course.retired.is_(False)))
        if course is None:
            continue
        already = session.scalar(select(Assignment.id).where(
            Assignment.trainee_id == trainee.id, Assignment.course_id == course.id, Assignment.status == "open"))
        if already is None:
            session.add(Assignment(trainee_id=trainee.id, course_id=course.id, rule="transfer", reason="transfer",
                                   legal_basis=rules.transfer.basis[:300], due_on=effective_on, status="open",
                                   overdue_since=effective_on if effective_on < now.date() else None))


def release(session: Session, trainee: Trainee, *, left_on: date, actor: Actor, now: datetime, rules: Rules) -> None:
    """A person leaves: history is kept, open assignments close as 'left'."""
    if trainee.status != "active":
        raise ValidationError(_l("This person has already left."))
    trainee.status, trainee.left_on = "left", left_on
    session.flush()
    _event(session, trainee, trainee.organization, "leave", left_on, actor)
    schedule.reconcile(session, trainee, rules, now=now)


def has_completion(session: Session, trainee: Trainee) -> bool:
    return session.scalar(select(Completion.id).where(Completion.trainee_id == trainee.id).limit(1)) is not None


def apply_import(session: Session, org: Organization, preview, *, rules: Rules, actor: Actor, now: datetime,
                 progress=None) -> dict[str, int]:
    """Apply a confirmed import preview: every new and changed row, in the caller's one transaction.

    Bulk path: people are written in batches, then the schedule runs once for all of them. A blank ID
    number or group cell keeps what the roster holds.
    """
    groups = {g.code: g for g in session.scalars(select(KeyGroup))}
    total = len(preview.new) + len(preview.changed)
    touched: list[Trainee] = []
    for index, row in enumerate(preview.new, start=1):
        trainee = Trainee(organization_id=org.id, locality_id=org.locality_id, mobile=row.mobile,
                          real_name=row.real_name, post=row.post, start_date=row.start_date,
                          id_number=row.id_number, status="active",
                          groups=[groups[c] for c in dict.fromkeys(("all_staff", *row.group_codes)) if c in groups])
        session.add(trainee)
        touched.append(trainee)
        _batch(session, index, total, progress)
    for index, match in enumerate(preview.changed, start=len(preview.new) + 1):
        trainee = session.get(Trainee, match.person.trainee_id)
        if trainee is None or trainee.organization_id != org.id:
            raise ValidationError(_l("The roster changed since the preview; upload the file again."))
        row = match.row
        trainee.real_name, trainee.post, trainee.start_date = row.real_name, row.post, row.start_date
        if row.id_number:
            trainee.id_number = row.id_number
        if row.groups_given:
            trainee.groups = [groups[c] for c in dict.fromkeys(("all_staff", *row.group_codes)) if c in groups]
        if trainee.status != "active":
            trainee.status, trainee.left_on = "active", None
        touched.append(trainee)
        _batch(session, index, total, progress)
    session.flush()
    rehired = {m.person.trainee_id for m in preview.changed if m.rehire}
    for position, trainee in enumerate(touched):
        kind = "hire" if position < len(preview.new) or trainee.id in rehired else "update"
        session.add(EmploymentEvent(trainee_id=trainee.id, organization_id=org.id, kind=kind,
                                    effective_on=trainee.start_date or now.date(), post=trainee.post,
                                    groups=[g.code for g in trainee.groups], actor_id=actor.user_id, source=actor.source))
    schedule.reconcile_many(session, [t.id for t in touched], rules, now=now)
    audit.record(session, actor_id=actor.user_id, action="roster.import", target_type="organization", target_id=org.id,
                 details={"created": len(preview.new), "updated": len(preview.changed)}, address=actor.address)
    if progress is not None:
        progress(total, total)
    return {"created": len(preview.new), "updated": len(preview.changed)}


def _batch(session: Session, index: int, total: int, progress) -> None:
    if index % 500 == 0:
        session.flush()
        if progress is not None:
            progress(index, total)
