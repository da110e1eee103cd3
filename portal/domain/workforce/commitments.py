"""Duty commitments (履职承诺): who must sign one, whether their training lets them, signing, and the standing of
people, organizations and the district.

A role (the rules' `commitments` section) is held by the members of a key group on an active roster, optionally
only in one post or one kind of organization. Its holder signs once the training the rules require of that key
group is complete; the commitment then holds until that training expires, and renewed training means signing
again. Commitments belong to the person; each names the job (employment, organization) it was signed for.

Standing of a role holder: `training_first` (the group's training is not complete), `to_sign`, `signed` (until the
training's expiry), `expired` (signed before, that training lapsed and was renewed: sign again). Someone holding
no role has nothing to sign. `organization_commitments()` lists an organization's role holders with their
standing; `commitment_coverage()` counts required and signed over organizations on a date.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.domain.platform import audit
from portal.domain.platform.errors import ValidationError
from portal.domain.platform.localtime import day_start, local_date
from portal.domain.workforce.rules import CommitmentRole, Rules, current_rules
from portal.models import Commitment, CommitmentText, Completion, Course, KeyGroup, Organization, Trainee, User
from portal.models.people import trainee_group

STATUSES = ("to_sign", "expired", "training_first", "signed")
ROLE_LABELS = {
    "responsible_person": _l("Fire-safety responsible person"),
    "safety_manager": _l("Fire-safety manager"),
    "micro_station_chief": _l("Micro fire station chief"),
    "complex_shop_owner": _l("Shop owner in a commercial complex"),
}
STATUS_LABELS = {
    "to_sign": _l("To sign"),
    "expired": _l("To sign again (training renewed)"),
    "training_first": _l("Training first"),
    "signed": _l("Signed"),
}
TITLE_LENGTH, BODY_LENGTH, BASIS_LENGTH = 200, 10_000, 1000
_BLANKS = re.compile(r"\s+")


class CommitmentError(ValidationError):
    """A commitment that cannot be signed (or a text that cannot be saved) now, and why."""


def role_label(role: str) -> str:
    """A role's name in the reader's language (its code for a role the office added without a name here)."""
    return str(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def normalised_name(text: str | None) -> str:
    """How a typed name is compared with the record: full-width and half-width alike, blanks and case ignored."""
    return _BLANKS.sub("", unicodedata.normalize("NFKC", text or "")).casefold()


# ------------------------------------------------------------------------------ who holds a role


def holds(holder: CommitmentRole, job: Trainee, group_codes: set[str]) -> bool:
    """Whether a job (active, at an organization) holds the role: its key group, post and organization kind. A roster
    row holds the post catalogue's name of its post, so the rules name the post by that name."""
    if job.organization_id is None or holder.group not in group_codes:
        return False
    if holder.organization_kind and (job.organization is None or job.organization.kind != holder.organization_kind):
        return False
    if holder.post:
        from portal.domain.workforce.rules import post_key

        return post_key(job.post) == post_key(holder.post)
    return True


@dataclass(frozen=True)
class Training:
    """The training a role needs, as of a day: complete or not, the courses missing, and when it expires (None:
    it does not)."""

    complete: bool
    valid_until: date | None = None
    missing: tuple[str, ...] = ()


@dataclass
class Duty:
    """One role held at one job, and where its holder stands."""

    trainee: Trainee
    role: str
    status: str
    training: Training
    text: CommitmentText | None
    commitment: Commitment | None = None  # the one in force (signed), else the last one signed (expired)
    missing_titles: list[tuple[str, str]] = field(default_factory=list)  # (zh, en) titles of the courses missing

    @property
    def signed_until(self) -> date | None:
        return self.commitment.valid_until if self.status == "signed" and self.commitment else None


def _training(rules: Rules, group: str, person_id: int, held: dict[tuple[int, str], date | None]) -> Training:
    rule = rules.groups.get(group)
    courses = rule.courses if rule is not None else ()
    missing = tuple(code for code in courses if (person_id, code) not in held)
    expiries = [held[(person_id, code)] for code in courses if (person_id, code) in held]
    dated = [day for day in expiries if day is not None]
    return Training(complete=not missing, valid_until=min(dated) if dated else None, missing=missing)


def _held(session: Session, person_ids: set[int], codes: set[str], on: date) -> dict[tuple[int, str], date | None]:
    """(person, course code) -> the latest expiry of the person's completions valid on the day (None: no expiry)."""
    if not person_ids or not codes:
        return {}
    return latest_expiries(session.execute(
        select(Completion.person_id, Course.code, Completion.valid_until).join(Course, Course.id == Completion.course_id)
        .where(Completion.person_id.in_(person_ids), Course.code.in_(codes), Completion.completed_on <= on,
               or_(Completion.valid_until.is_(None), Completion.valid_until >= on))))


def latest_expiries(rows: Iterable[tuple[int, str, date | None]]) -> dict[tuple[int, str], date | None]:
    """(person, course code) -> the latest expiry among these completions valid on the day (None: no expiry)."""
    held: dict[tuple[int, str], date | None] = {}
    for person_id, code, valid_until in rows:
        key = (person_id, code)
        if key not in held:
            held[key] = valid_until
        elif held[key] is not None and (valid_until is None or valid_until > held[key]):
            held[key] = valid_until
    return held


def _signed(session: Session, person_ids: set[int], on: date) -> dict[tuple[int, str, int | None], list[Commitment]]:
    """(person, role, organization) -> the commitments signed by the end of the day and not revoked then,
    newest first."""
    end = day_start(on + timedelta(days=1))
    found: dict[tuple[int, str, int | None], list[Commitment]] = {}
    if not person_ids:
        return found
    for commitment in session.scalars(
            select(Commitment).where(Commitment.person_id.in_(person_ids), Commitment.signed_at < end,
                                     or_(Commitment.revoked_at.is_(None), Commitment.revoked_at >= end))
            .order_by(Commitment.signed_at.desc(), Commitment.id.desc())):
        found.setdefault((commitment.person_id, commitment.role, commitment.organization_id), []).append(commitment)
    return found


def active_texts(session: Session) -> dict[str, CommitmentText]:
    """The text in use of each role."""
    return {text.role: text for text in session.scalars(
        select(CommitmentText).where(CommitmentText.active.is_(True)).order_by(CommitmentText.version))}


def duties(session: Session, jobs: Iterable[Trainee], *, on: date, rules: Rules | None = None,
           held: dict[tuple[int, str], date | None] | None = None,
           titles: dict[str, tuple[str, str]] | None = None) -> list[Duty]:
    """Every role the jobs hold and where each stands on the day, in a few queries whatever the count. A caller that
    has read the people's completions valid on the day (`held`, latest_expiries) or course titles (`titles`: code ->
    (zh, en)) passes them, and they are not read again."""
    rules = rules if rules is not None else current_rules(session)
    jobs = list(jobs)
    if not rules.commitments or not jobs:
        return []
    held_roles = [(job, role, holder) for job in jobs for role, holder in rules.commitments.items()
                  if holds(holder, job, {g.code for g in job.groups})]
    if not held_roles:
        return []
    person_ids = {job.person_id for job, _role, _holder in held_roles}
    codes = {code for _job, _role, holder in held_roles
             for code in (rules.groups[holder.group].courses if holder.group in rules.groups else ())}
    held = held if held is not None else _held(session, person_ids, codes, on)
    signed = _signed(session, person_ids, on)
    result = []
    for job, role, holder in held_roles:
        training = _training(rules, holder.group, job.person_id, held)
        commitments = signed.get((job.person_id, role, job.organization_id), [])
        current = next((c for c in commitments if c.valid_until is None or c.valid_until >= on), None)
        if current is not None:
            status = "signed"
        elif not training.complete:
            status = "training_first"
        else:
            status = "expired" if commitments else "to_sign"
        result.append(Duty(trainee=job, role=role, status=status, training=training, text=None,
                           commitment=current or (commitments[0] if commitments else None)))
    # The texts and the missing courses' titles, read only when some duty shows them.
    texts = active_texts(session) if any(duty.status != "training_first" for duty in result) else {}
    titles = dict(titles or {})
    missing = {code for duty in result for code in duty.training.missing} - set(titles)
    if missing:
        titles.update({code: (zh, en) for code, zh, en in session.execute(
            select(Course.code, Course.title_zh, Course.title_en).where(Course.code.in_(missing)))})
    for duty in result:
        duty.text = texts.get(duty.role)
        duty.missing_titles = [titles.get(code, (code, code)) for code in duty.training.missing]
    return result


def person_duties(session: Session, person_id: int, *, today: date, rules: Rules | None = None) -> list[Duty]:
    """The roles a person holds at their active jobs, and where each stands today."""
    jobs = session.scalars(select(Trainee).where(Trainee.person_id == person_id, Trainee.status == "active",
                                                 Trainee.organization_id.is_not(None))
                           .options(selectinload(Trainee.organization)).order_by(Trainee.id)).all()
    return duties(session, jobs, on=today, rules=rules)


def due_duties(session: Session, jobs: list[Trainee], *, today: date,
               held: dict[tuple[int, str], date | None] | None = None,
               titles: dict[str, tuple[str, str]] | None = None) -> list[Duty]:
    """The roles held at these jobs (loaded with their groups and organization) with something to sign today: the
    home page's card. Reads only the rules' text when none of the jobs' key groups holds a role. `held`, `titles`:
    as duties()."""
    from portal.domain.workforce.rules import _parsed, current_rules_text

    rules = _parsed(current_rules_text(session))  # the post catalogue's courses are not needed here
    role_groups = {holder.group for holder in rules.commitments.values()}
    jobs = [job for job in jobs if job.status == "active" and role_groups & {g.code for g in job.groups}]
    return [duty for duty in duties(session, jobs, on=today, rules=rules, held=held, titles=titles)
            if duty.status in ("to_sign", "expired")]


def _role_holders(organization_ids, rules: Rules, on: date | None = None):
    """select(Trainee): jobs at these organizations (active today, or employed on the day) in a key group that
    holds a role."""
    groups = {holder.group for holder in rules.commitments.values()}
    statement = (select(Trainee).where(
        Trainee.organization_id.in_(organization_ids),
        Trainee.id.in_(select(trainee_group.c.trainee_id).join(KeyGroup, KeyGroup.id == trainee_group.c.key_group_id)
                       .where(KeyGroup.code.in_(groups))))
        .options(selectinload(Trainee.organization)))
    if on is None:
        return statement.where(Trainee.status == "active")
    return statement.where(
        or_(Trainee.start_date.is_(None), Trainee.start_date <= on),
        or_(and_(Trainee.status == "active", or_(Trainee.left_on.is_(None), Trainee.left_on > on)),
            and_(Trainee.status == "left", Trainee.left_on > on)))


def organization_commitments(session: Session, organization_id: int, *, today: date,
                             rules: Rules | None = None) -> list[Duty]:
    """The organization's role holders (active roster) and where each stands today, by name."""
    rules = rules if rules is not None else current_rules(session)
    if not rules.commitments:
        return []
    jobs = session.scalars(_role_holders([organization_id], rules)).all()
    found = duties(session, jobs, on=today, rules=rules)
    return sorted(found, key=lambda duty: (STATUSES.index(duty.status), duty.trainee.real_name, duty.role))


def count_by_status(found: Iterable[Duty]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for duty in found:
        counts[duty.status] += 1
    return counts


@dataclass
class Coverage:
    """Commitments required and signed on a day: a role held at a job is one commitment required."""

    on: date
    by_organization: dict[int, dict[str, int]]  # organization id -> {status: n}
    by_role: dict[str, dict[str, int]] = field(default_factory=dict)  # role -> {status: n}, over every organization

    @property
    def counts(self) -> dict[str, int]:
        """Commitments in each standing, over every organization."""
        counts = dict.fromkeys(STATUSES, 0)
        for by_status in self.by_organization.values():
            for status, n in by_status.items():
                counts[status] += n
        return counts

    def restrict(self, organization_ids: Iterable[int]) -> "Coverage":
        """The same figures for some of the organizations (by role only when they are all of them)."""
        ids = set(organization_ids)
        whole = ids >= set(self.by_organization)
        return Coverage(on=self.on, by_organization={org_id: counts for org_id, counts in self.by_organization.items()
                                                     if org_id in ids}, by_role=self.by_role if whole else {})

    @property
    def required(self) -> int:
        return sum(sum(counts.values()) for counts in self.by_organization.values())

    @property
    def signed(self) -> int:
        return sum(counts["signed"] for counts in self.by_organization.values())

    @property
    def rate(self) -> float | None:
        return self.signed / self.required if self.required else None


def commitment_coverage(session: Session, organization_ids: Iterable[int], *, on: date,
                        rules: Rules | None = None) -> Coverage:
    """Over these organizations on a day: each one's role holders (employed that day) by standing, and per role."""
    rules = rules if rules is not None else current_rules(session)
    ids = list(organization_ids)
    result: dict[int, dict[str, int]] = {}
    by_role: dict[str, dict[str, int]] = {}
    if rules.commitments and ids:
        for start in range(0, len(ids), 500):
            jobs = session.scalars(_role_holders(ids[start:start + 500], rules, on)).all()
            for duty in duties(session, jobs, on=on, rules=rules):
                result.setdefault(duty.trainee.organization_id, dict.fromkeys(STATUSES, 0))[duty.status] += 1
                by_role.setdefault(duty.role, dict.fromkeys(STATUSES, 0))[duty.status] += 1
    return Coverage(on=on, by_organization=result, by_role=by_role)


# ------------------------------------------------------------------------------ signing


def sign(session: Session, *, job: Trainee, role: str, typed_name: str, confirmed: bool, now: datetime, user: User,
         user_agent: str = "", address: str = "", rules: Rules | None = None) -> Commitment:
    """Sign the role's commitment for this job: only once its training is complete, with the box ticked and the
    person's own name typed. Signing again in the same training period returns the commitment already signed."""
    duty = next((d for d in duties(session, [job], on=local_date(now), rules=rules) if d.role == role), None)
    if duty is None:
        raise CommitmentError(_l("Your job does not hold this role: there is nothing for you to sign."))
    if duty.status == "signed":
        return duty.commitment
    if duty.status == "training_first":
        raise CommitmentError(_l("Complete your training for this role first; then you can sign."))
    if duty.text is None:
        raise CommitmentError(_l("The training office has not published this commitment yet."))
    if not confirmed:
        raise CommitmentError(_l("Tick the box to confirm that you have read the commitment and accept it."),
                              field="confirm")
    if not normalised_name(typed_name) or normalised_name(typed_name) != normalised_name(job.person.real_name):
        raise CommitmentError(_l("The name you typed is not the name on your record. Type your full name as it "
                                 "appears on your employer's roster."), field="typed_name")
    commitment = Commitment(person_id=job.person_id, trainee_id=job.id, organization_id=job.organization_id,
                            role=role, text_id=duty.text.id, text_version=duty.text.version,
                            typed_name=typed_name.strip()[:50], signed_at=now, user_agent=(user_agent or "")[:300],
                            address=(address or "")[:64], valid_until=duty.training.valid_until)
    session.add(commitment)
    session.flush()
    audit.record(session, actor_id=user.id, action="commitment.sign", target_type="commitment",
                 target_id=commitment.id, address=address,
                 details={"role": role, "version": duty.text.version, "organization_id": job.organization_id,
                          "valid_until": duty.training.valid_until.isoformat() if duty.training.valid_until else None})
    return commitment


def person_commitments(session: Session, person_id: int) -> list[Commitment]:
    """Everything the person signed, newest first."""
    return session.scalars(select(Commitment).where(Commitment.person_id == person_id)
                           .options(selectinload(Commitment.organization), selectinload(Commitment.text))
                           .order_by(Commitment.signed_at.desc(), Commitment.id.desc())).all()


# ------------------------------------------------------------------------------ the office's texts


@dataclass(frozen=True)
class TextData:
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    basis: str


def known_roles(session: Session, rules: Rules | None = None) -> list[str]:
    """The roles in the rules, then any other role that has a text."""
    rules = rules if rules is not None else current_rules(session)
    others = sorted(set(session.scalars(select(CommitmentText.role).distinct())) - set(rules.commitments))
    return [*rules.commitments, *others]


def text_versions(session: Session, role: str) -> list[CommitmentText]:
    return session.scalars(select(CommitmentText).where(CommitmentText.role == role)
                           .order_by(CommitmentText.version.desc())).all()


def signatures_by_version(session: Session, role: str) -> dict[int, int]:
    """How many commitments were signed on each version of a role's text."""
    return dict(session.execute(select(Commitment.text_version, func.count()).where(Commitment.role == role)
                                .group_by(Commitment.text_version)).all())


def save_text(session: Session, role: str, data: TextData, *, user: User, now: datetime,
              address: str = "") -> CommitmentText:
    """A new version of the role's text (the one in use from now on); unchanged text saves nothing. Who signed an
    earlier version stays signed until their training renews."""
    for value, limit in ((data.title_zh, TITLE_LENGTH), (data.title_en, TITLE_LENGTH), (data.body_zh, BODY_LENGTH),
                         (data.body_en, BODY_LENGTH), (data.basis, BASIS_LENGTH)):
        if not value.strip() or len(value) > limit:
            raise CommitmentError(_l("Fill in every field (titles up to %(title)s characters, texts up to %(body)s, "
                                     "the basis up to %(basis)s).", title=TITLE_LENGTH, body=BODY_LENGTH,
                                     basis=BASIS_LENGTH))
    versions = text_versions(session, role)
    current = next((text for text in versions if text.active), None)
    fields = ("title_zh", "title_en", "body_zh", "body_en", "basis")
    if current is not None and all(getattr(current, name) == getattr(data, name).strip() for name in fields):
        return current
    for text in versions:
        text.active = False
    text = CommitmentText(role=role, version=(versions[0].version + 1) if versions else 1, active=True,
                          created_at=now, created_by_id=user.id, **{name: getattr(data, name).strip() for name in fields})
    session.add(text)
    session.flush()
    audit.record(session, actor_id=user.id, action="commitment_text.save", target_type="commitment_text",
                 target_id=text.id, address=address, details={"role": role, "version": text.version})
    return text


def organizations_named(session: Session, ids: Iterable[int]) -> dict[int, Organization]:
    ids = list(ids)
    return {org.id: org for org in session.scalars(select(Organization).where(Organization.id.in_(ids)))} if ids else {}
