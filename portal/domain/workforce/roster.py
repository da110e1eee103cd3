"""A company's roster: hire, update, transfer and release people; each change re-runs the schedule."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.platform import audit
from portal.domain.workforce import claims, people, posts, prior, schedule
from portal.domain.platform.errors import ValidationError
from portal.domain.platform.localtime import local_date
from portal.domain.workforce.rules import Rules
from portal.domain.platform.validators import (
    EARLIEST_DATE, LATEST_DATE, date_range_message, is_plausible_date, normalize_department, normalize_id_number,
    normalize_mobile
)
from portal.models import (Assignment, Completion, Course, EmploymentEvent, KeyGroup, Organization, Person,
                           PriorTraining, Trainee)


NAME_MAX_LENGTH = 50
NAME_RULE = _l("A name has 1 to 50 characters.")
# The dates of hires, transfers and departures: a working life's, and far from date.max, which due dates and
# validity periods counted from them would otherwise pass.
FIRST_DAY, LAST_DAY = EARLIEST_DATE, LATEST_DATE  # the dates people type, as every form and import takes them


def check_day(day: date | None, field: str) -> None:
    """Refuse a roster date outside FIRST_DAY..LAST_DAY."""
    if day is not None and not is_plausible_date(day):
        raise ValidationError(date_range_message(), field)


@dataclass
class PersonData:
    real_name: str
    mobile: str
    post: str
    start_date: date | None
    groups: list[str] = field(default_factory=lambda: ["all_staff"])
    id_number: str | None = None
    add_post: bool = False  # a post the catalogue does not know joins it (the administrator said so)
    department: str | None = None  # None: keep the roster's (a new row has none); "" clears it


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


def _clean(session: Session, data: PersonData, org: Organization | None, actor: Actor) -> PersonData:
    """Checked details, the post in the catalogue's name (posts.resolve: unknown posts are refused unless
    `add_post`)."""
    name = (data.real_name or "").strip()
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        raise ValidationError(NAME_RULE, "real_name")
    check_day(data.start_date, "start_date")
    id_number = normalize_id_number(data.id_number) if (data.id_number or "").strip() else None
    mobile = normalize_mobile(data.mobile)
    department = normalize_department(data.department) if data.department is not None else None
    post = posts.resolve(session, data.post, add_for=org if data.add_post else None, actor_id=actor.user_id,
                         address=actor.address)
    return PersonData(real_name=name, mobile=mobile, post=post, start_date=data.start_date,
                      groups=list(data.groups or []), id_number=id_number, department=department)


def find_on_roster(session: Session, org: Organization, mobile: str) -> Trainee | None:
    """The organization's roster row (active first) of the person with this mobile."""
    return session.scalar(select(Trainee).join(Person, Person.id == Trainee.person_id)
                          .where(Trainee.organization_id == org.id, Person.mobile == mobile)
                          .order_by(Trainee.status != "active", Trainee.id.desc()).limit(1))


def _event(session, trainee, org, kind, on, actor: Actor) -> None:
    session.add(EmploymentEvent(trainee_id=trainee.id, organization_id=org.id if org else None, kind=kind,
                                effective_on=on, post=trainee.post, groups=[g.code for g in trainee.groups],
                                actor_id=actor.user_id, source=actor.source))
    if actor.user_id is not None:
        audit.record(session, actor_id=actor.user_id, action=f"roster.{kind}", target_type="trainee",
                     target_id=trainee.id, details={"organization": org.id if org else None, "source": actor.source},
                     address=actor.address)


def hire(session: Session, org: Organization, data: PersonData, *, rules: Rules, actor: Actor, now: datetime,
         allow_concurrent: bool = False, ask_person: bool = False) -> Trainee:
    """Add a person to the roster (or re-hire one who left) and assign what they do not validly hold.

    The person is found by ID number only. One who works elsewhere can be added only as a second job where
    the office allows it; otherwise people.EmployedElsewhere, or with `ask_person` (the web form) and an
    account, a row waiting for them to confirm the move (status 'pending', see claims). A mobile that belongs
    to an account is no proof: the row gets a person of its own and the account's owner is asked (claims).
    """
    data = _clean(session, data, org, actor)
    trainee = find_on_roster(session, org, data.mobile)
    known = _known_person(session, org, data, trainee)
    if known is not None:
        try:
            second = people.check_may_employ(session, known, org.id, allow_concurrent=allow_concurrent)
        except people.EmployedElsewhere:
            if not (ask_person and known.user_id is not None and trainee is None):
                raise
            return _ask_to_move(session, org, known, data, now=now)
        people.close_unemployed_rows(session, known, on=local_date(now))
        if trainee is None:
            trainee = Trainee(person=known, organization_id=org.id, locality_id=org.locality_id)
            session.add(trainee)
        trainee.second_job = second
        if data.id_number and not known.id_number:
            known.id_number = data.id_number
    else:
        person = Person(real_name=data.real_name, mobile=data.mobile, id_number=data.id_number)
        trainee = Trainee(person=person, organization_id=org.id, locality_id=org.locality_id)
        session.add(trainee)
    _fill(session, trainee, data)
    trainee.status, trainee.left_on = "active", None
    session.flush()
    _event(session, trainee, org, "hire", data.start_date or local_date(now), actor)
    _ask_account_owner(session, trainee, now=now)
    schedule.reconcile(session, trainee, rules, now=now)
    return trainee


def _known_person(session: Session, org: Organization, data: PersonData, row: Trainee | None) -> Person | None:
    """The person a hire is about, if already here: the one who left this roster with this mobile (a re-hire),
    else the one with this ID number. Refuses what would put one person on the roster twice."""
    if row is not None and row.status == "active":
        raise ValidationError(_l("%(name)s with this mobile number is already on the roster.", name=row.real_name),
                              "mobile")
    known = people.with_id_number(session, data.id_number)
    waiting = row if row is not None and row.status == "pending" else known and next(
        (job for job in known.employments if job.organization_id == org.id and job.status == "pending"), None)
    if waiting:
        raise ValidationError(_l("%(name)s has been asked to confirm the move to your organization; they appear on "
                                 "the roster once they do.", name=waiting.real_name), "mobile")
    if known is not None and row is not None and known.id != row.person_id:
        raise ValidationError(_l("This ID number belongs to another person than the one who left with this mobile "
                                 "number; check both."), "id_number")
    if row is not None:  # a re-hire: the roster's corrections apply while the person has no account
        known = row.person
        if known.user_id is None:
            known.real_name = data.real_name
    if known is not None and session.scalar(select(Trainee.id).where(
            Trainee.person_id == known.id, Trainee.organization_id == org.id, Trainee.status == "active")):
        raise ValidationError(_l("%(name)s with this ID number is already on the roster.", name=known.real_name),
                              "id_number")
    return known


def _fill(session: Session, trainee: Trainee, data: PersonData) -> None:
    trainee.post, trainee.start_date = data.post, data.start_date
    trainee.groups = _groups(session, data.groups)
    if data.department is not None:
        trainee.department = data.department


def _ask_to_move(session: Session, org: Organization, person: Person, data: PersonData, *, now: datetime) -> Trainee:
    """A row waiting for the person, who works elsewhere, to confirm from their account that they move here."""
    row = Trainee(person=person, organization_id=org.id, locality_id=org.locality_id, status="pending")
    session.add(row)
    _fill(session, row, data)
    session.flush()
    claims.open_claim(session, row, person.user, "move", now=now)
    return row


def _ask_account_owner(session: Session, trainee: Trainee, *, now: datetime) -> None:
    """A new row whose mobile belongs to somebody else's account: that account's owner confirms it is them."""
    if trainee.person.user_id is not None:
        return
    user = people.has_account_with_mobile(session, trainee.person.mobile)
    # a re-hired row may still wait for that account's answer from its first hire
    if user is None or any(c.trainee_id == trainee.id for c in people.pending_claims(session, user_id=user.id)):
        return
    claims.open_claim(session, trainee, user, "by_employer", now=now)


def update(session: Session, trainee: Trainee, data: PersonData, *, rules: Rules, actor: Actor, now: datetime) -> Trainee:
    """Correct a person's details. A new post is a transfer, whatever it comes from (the form, an import, the HR
    API): the new post's and the transfer training, due today (see transfer()); other corrections assign nothing.

    Name, mobile and ID number are the person's; an employer corrects them only while no account holds them
    (the person keeps their own details once registered)."""
    org = trainee.organization
    data = _clean(session, data, org, actor)
    person = trainee.person
    other = find_on_roster(session, org, data.mobile) if org else None
    if other is not None and other.id != trainee.id and other.status == "active":
        raise ValidationError(_l("Another person on the roster has this mobile number."), "mobile")
    if data.id_number and data.id_number != person.id_number:
        holder = people.with_id_number(session, data.id_number)
        if holder is not None:
            raise ValidationError(_l("Another person has this ID number; if they are the same person, ask the "
                                     "training office to join their records."), "id_number")
        if person.id_number and person.user_id is not None:
            raise ValidationError(_l("This person has registered: only they or the training office can change "
                                     "their ID number."), "id_number")
        person.id_number = data.id_number
    if person.user_id is not None and (data.real_name, data.mobile) != (person.real_name, person.mobile):
        raise ValidationError(_l("This person has registered: their name and mobile number are theirs to change."),
                              "real_name")
    person.real_name, person.mobile = data.real_name, data.mobile
    trainee.start_date = data.start_date
    if data.department is not None:
        trainee.department = data.department
    if _new_post(trainee, data.post):
        transfer(session, trainee, post=data.post, groups=data.groups, effective_on=local_date(now), rules=rules,
                 actor=actor, now=now)
        return trainee
    trainee.post, trainee.groups = data.post, _groups(session, data.groups)
    session.flush()
    _event(session, trainee, org, "update", local_date(now), actor)
    schedule.reconcile(session, trainee, rules, now=now)
    return trainee


def _new_post(trainee: Trainee, post: str) -> bool:
    """Does this change of post make a transfer? (Only for someone at work, and only to a named post.)"""
    return trainee.status == "active" and bool(post) and post != (trainee.post or "")


def transfer(session: Session, trainee: Trainee, *, post: str, groups: list[str], effective_on: date,
             rules: Rules, actor: Actor, now: datetime, add_post: bool = False) -> list[Assignment]:
    """Move a person to a new post: assign what the new post requires and they do not validly hold,
    plus the transfer course, all due before the new post starts."""
    if trainee.status != "active":
        raise ValidationError(_l("Only people on the active roster can be transferred."))
    check_day(effective_on, "effective_on")
    post = posts.resolve(session, post, add_for=trainee.organization if add_post else None, actor_id=actor.user_id,
                         address=actor.address)
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
        assignment.overdue_since = effective_on if effective_on < local_date(now) else None
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
                                   overdue_since=effective_on if effective_on < local_date(now) else None))


def release(session: Session, trainee: Trainee, *, left_on: date, actor: Actor, now: datetime, rules: Rules) -> None:
    """A person leaves: history is kept, open assignments close as 'left'."""
    if trainee.status == "pending":
        raise ValidationError(_l("This person has not confirmed the move to your organization yet: there is nothing "
                                 "to release."))
    if trainee.status != "active":
        raise ValidationError(_l("This person has already left."))
    check_day(left_on, "left_on")
    trainee.status, trainee.left_on = "left", left_on
    session.flush()
    people.promote_second_job(session, trainee.person)
    _event(session, trainee, trainee.organization, "leave", left_on, actor)
    schedule.reconcile(session, trainee, rules, now=now)


def has_completion(session: Session, trainee: Trainee) -> bool:
    return session.scalar(select(Completion.id).where(Completion.person_id == trainee.person_id).limit(1)) is not None


def known_people(session: Session, org: Organization, id_numbers, *, allow_concurrent: bool) -> dict:
    """ID number -> roster_import.KnownPerson for the numbers of a file that belong to persons already here."""
    from portal.domain.workforce.roster_import import KnownPerson

    found = {}
    for person in _persons_with_numbers(session, id_numbers):
        mine = next((job.id for job in person.employments if job.organization_id == org.id), None)
        elsewhere = people.standing(session, person, org.id)
        found[person.id_number] = KnownPerson(trainee_id=mine, employed_elsewhere_since=elsewhere.since,
                                              may_join=allow_concurrent or not elsewhere.employed_elsewhere,
                                              has_account=elsewhere.has_account)
    return found


def _posts_named(session: Session, preview):
    """The preview with every post in the catalogue's name; a post still unknown (the administrator has not
    mapped or added it, see roster_posts) refuses the whole import."""
    from portal.domain.workforce.roster_posts import rename_posts

    named = posts.catalogue(session)
    texts = {row.post for row in [*preview.new, *(match.row for match in preview.changed)] if row.post}
    unknown = sorted(text for text in texts if named.resolve(text) is None)
    if unknown:
        raise posts.UnknownPost(_l("Posts not in the catalogue: %(posts)s. Map each to a post of the catalogue or "
                                   "add it, then confirm again.", posts="、".join(unknown)), "post")
    return rename_posts(preview, {text: named.resolve(text) for text in texts})


def apply_import(session: Session, org: Organization, preview, *, rules: Rules, actor: Actor, now: datetime,
                 progress=None, allow_concurrent: bool = False, grace_days: int = 0) -> dict[str, int]:
    """Apply a confirmed import preview: every new and changed row, in the caller's one transaction.

    Bulk path: people are written in batches, then the schedule runs once for all of them. A blank ID
    number or group cell keeps what the roster holds. A new row whose ID number belongs to a person already
    here becomes that person's new employment (their valid training counts). An organization's first import
    gives people without any training record `grace_days` instead of due dates in the past (schedule.grant_grace).
    A blank department cell keeps the roster's too.
    """
    first_import = session.scalar(select(Trainee.id).where(Trainee.organization_id == org.id).limit(1)) is None
    preview = _posts_named(session, preview)
    groups = {g.code: g for g in session.scalars(select(KeyGroup))}
    total = len(preview.new) + len(preview.changed)
    known = {p.id_number: p for p in _persons_with_numbers(session, [row.id_number for row in preview.new])}
    touched: list[Trainee] = []
    moves: list[tuple[Trainee, object]] = []
    for index, row in enumerate(preview.new, start=1):
        person = known.get(row.id_number) if row.id_number else None
        second = False
        if person is not None:
            second = people.check_may_employ(session, person, org.id, allow_concurrent=allow_concurrent)
            people.close_unemployed_rows(session, person, on=local_date(now))
        else:
            person = Person(real_name=row.real_name, mobile=row.mobile, id_number=row.id_number)
        trainee = Trainee(person=person, organization_id=org.id, locality_id=org.locality_id, post=row.post,
                          department=row.department or "", start_date=row.start_date, status="active", second_job=second,
                          groups=[groups[c] for c in dict.fromkeys(("all_staff", *row.group_codes)) if c in groups])
        session.add(trainee)
        touched.append(trainee)
        _batch(session, index, total, progress)
    for index, match in enumerate(preview.changed, start=len(preview.new) + 1):
        trainee = session.get(Trainee, match.person.trainee_id)
        if trainee is None or trainee.organization_id != org.id:
            raise ValidationError(_l("The roster changed since the preview; upload the file again."))
        row = match.row
        person = trainee.person
        if person.user_id is None:
            person.real_name = row.real_name
        if row.id_number and not person.id_number:
            person.id_number = row.id_number
        if _new_post(trainee, row.post):  # a transfer, once everyone is in (below)
            moves.append((trainee, row))
        else:
            trainee.post = row.post
        trainee.start_date = row.start_date
        if row.department is not None:
            trainee.department = row.department
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
                                    effective_on=trainee.start_date or local_date(now), post=trainee.post,
                                    groups=[g.code for g in trainee.groups], actor_id=actor.user_id, source=actor.source))
    for trainee in touched[:len(preview.new)]:
        _ask_account_owner(session, trainee, now=now)
    schedule.reconcile_many(session, [t.id for t in touched], rules, now=now)
    for trainee, row in moves:
        transfer(session, trainee, post=row.post, groups=[g.code for g in trainee.groups], effective_on=local_date(now),
                 rules=rules, actor=actor, now=now)
    rows = [*preview.new, *(match.row for match in preview.changed)]
    for trainee, row in zip(touched, rows):
        if row.prior:
            _record_prior(session, trainee, row.prior, org=org, actor=actor, now=now, rules=rules)
    if first_import and grace_days > 0:
        schedule.grant_grace(session, [t.id for t in touched], days=grace_days, now=now)
    audit.record(session, actor_id=actor.user_id, action="roster.import", target_type="organization", target_id=org.id,
                 details={"created": len(preview.new), "updated": len(preview.changed)}, address=actor.address)
    if progress is not None:
        progress(total, total)
    return {"created": len(preview.new), "updated": len(preview.changed)}


def _record_prior(session: Session, trainee: Trainee, cells: dict, *, org: Organization, actor: Actor,
                  now: datetime, rules: Rules) -> None:
    """A prior training from the file's optional columns, recorded once (the same file imported again adds none)."""
    data = prior.PriorData(cells["course"], date.fromisoformat(cells["completed_on"]), cells["provider"],
                           cells["hours"], cells["evidence"])
    course_id = session.scalar(select(Course.id).where(Course.code == data.course_code))
    if session.scalar(select(PriorTraining.id).where(
            PriorTraining.person_id == trainee.person_id, PriorTraining.course_id == course_id,
            PriorTraining.completed_on == data.completed_on)) is None:
        prior.record(session, trainee.person, data, organization_id=org.id, actor_id=actor.user_id, now=now,
                     rules=rules, address=actor.address)


def _persons_with_numbers(session: Session, numbers) -> list[Person]:
    numbers = sorted({n for n in numbers if n})
    found: list[Person] = []
    for start in range(0, len(numbers), 500):
        found.extend(session.scalars(select(Person).where(Person.id_number.in_(numbers[start:start + 500]))))
    return found


def _batch(session: Session, index: int, total: int, progress) -> None:
    if index % 500 == 0:
        session.flush()
        if progress is not None:
            progress(index, total)
