"""Who may see and change what: the one place every view and API call asks.

Plain answers about a user and a record, without a request: the web layer (`portal.web.access`) turns them into
the decorators every view declares its audience with (@public, @roles) and into 404s for records outside a
user's scope, so that changing an id in a URL reveals nothing.
"""
from __future__ import annotations

from functools import cache
from typing import Iterable

from sqlalchemy import Select, select, true
from sqlalchemy.orm import Session

from portal.models import Organization, Person, Trainee, User

ROLE_HOMES = (  # first matching role wins
    ("superuser", "office.home"),
    ("office_admin", "office.home"),
    ("dept_viewer", "office.home"),
    ("org_admin", "company.home"),
    ("trainee", "trainee.home"),
)

OFFICE_ROLES = ("office_admin", "superuser")


def home_endpoint(user: User) -> str:
    """The endpoint of a user's own home page."""
    for role, endpoint in ROLE_HOMES:
        if user.has_role(role):
            return endpoint
    return "public.index"


def managed_organization_ids(user: User) -> set[int]:
    """Organizations a company administrator manages."""
    return {g.organization_id for g in user.grants if g.role == "org_admin" and g.organization_id}


def viewed_sector_ids(user: User) -> set[int]:
    """Sectors a department viewer may see."""
    return {g.sector_id for g in user.grants if g.role == "dept_viewer" and g.sector_id}


def sees_whole_district(user: User) -> bool:
    return user.has_role(*OFFICE_ROLES)


def organization_scope(user: User):
    """A WHERE clause limiting Organization to what the user may see."""
    if sees_whole_district(user):
        return true()
    clauses = []
    managed = managed_organization_ids(user)
    sectors = viewed_sector_ids(user)
    if managed:
        clauses.append(Organization.id.in_(managed))
    if sectors:
        clauses.append(Organization.sector_id.in_(sectors))
    if not clauses:
        return Organization.id.is_(None)
    from sqlalchemy import or_

    return or_(*clauses)


def visible_organizations(user: User) -> Select:
    """select(Organization) limited to the user's scope."""
    return select(Organization).where(organization_scope(user))


def can_see_organization(user: User, org: Organization) -> bool:
    if sees_whole_district(user):
        return True
    return org.id in managed_organization_ids(user) or org.sector_id in viewed_sector_ids(user)


def can_manage_organization(user: User, org: Organization) -> bool:
    """Change rosters and settings: the office, or the organization's own administrators."""
    return sees_whole_district(user) or org.id in managed_organization_ids(user)


def can_see_drills(user: User, org: Organization) -> bool:
    """See an organization's drills and their photos: whoever sees the organization (its administrators, its
    sector's department, the office)."""
    return can_see_organization(user, org)


def can_keep_drills(user: User, org: Organization) -> bool:
    """Plan and record an organization's drills, their participants, actions and photos."""
    return can_manage_organization(user, org)


def can_see_sector(user: User, sector_id: int) -> bool:
    return sees_whole_district(user) or sector_id in viewed_sector_ids(user)


def organization_for(session: Session, user: User, org_id: int, *, manage: bool = False) -> Organization | None:
    """The organization if the user may see (or manage) it; None otherwise."""
    org = session.get(Organization, org_id)
    allowed = org is not None and (
        can_manage_organization(user, org) if manage else can_see_organization(user, org)
    )
    return org if allowed else None


def trainee_for(session: Session, user: User, trainee_id: int, *, manage: bool = False) -> Trainee | None:
    """A roster person if the user may see (or manage) their organization (or is that person); None otherwise."""
    trainee = session.get(Trainee, trainee_id)
    if trainee is None:
        return None
    if trainee.person.user_id is not None and trainee.person.user_id == user.id and not manage:
        return trainee
    org = trainee.organization
    if org is None:
        return trainee if sees_whole_district(user) else None
    return trainee if organization_for(session, user, org.id, manage=manage) is not None else None


def can_administer_users(user: User) -> bool:
    return user.has_role(*OFFICE_ROLES)


def grantable_roles(user: User) -> Iterable[str]:
    """Roles this user may grant to others: only a superuser makes office admins."""
    if user.has_role("superuser"):
        return ("trainee", "org_admin", "dept_viewer", "office_admin", "superuser")
    if user.has_role("office_admin"):
        return ("org_admin", "dept_viewer")
    return ()


def may_reset_password_of(session: Session, actor: User, target: User) -> bool:
    """Set a new password for another account, or give it a one-time reset code: a superuser for anyone, an
    office administrator for accounts holding only roles they may grant (companies, departments) or none but
    trainee, a company administrator for trainee-only accounts of people on their own active roster."""
    if target.id == actor.id:
        return False  # their own: the change-password page, which asks for the current one
    if actor.has_role(*OFFICE_ROLES):
        return target.roles <= {"trainee", *grantable_roles(actor)}
    managed = managed_organization_ids(actor)
    if not managed or not target.roles <= {"trainee"}:
        return False
    on_roster = select(Trainee.id).join(Trainee.person).where(
        Person.user_id == target.id, Trainee.organization_id.in_(managed), Trainee.status == "active")
    return session.scalar(on_roster.limit(1)) is not None


@cache
def _trainee_courses_statement(*, bodies: bool, code: bool = False) -> Select:
    """select(Course) of the courses a trainee may study, without the course's key groups (the condition
    below has used them already). `code`: only the one course, with its lessons joined (`bodies`: their
    text too); the list has no lessons (the home page counts them, progress.lesson_counts).

    Built once per variant, with the trainee (and the code) bound at execution."""
    from sqlalchemy import bindparam
    from sqlalchemy.orm import defer, joinedload, lazyload

    from portal.models import Assignment, Course, Lesson
    from portal.models.content import course_group
    from portal.models.people import trainee_group

    # every current job of the person counts: what any of them assigns, and the groups of each
    jobs = select(Trainee.id).where(Trainee.person_id == bindparam("person_id"),
                                    (Trainee.status == "active") | (Trainee.id == bindparam("trainee_id")))
    assigned = select(Assignment.course_id).where(Assignment.trainee_id.in_(jobs))
    groups = select(trainee_group.c.key_group_id).where(trainee_group.c.trainee_id.in_(jobs))
    serving = select(course_group.c.course_id).where(course_group.c.key_group_id.in_(groups))
    lessons = joinedload(Course.lessons) if code else lazyload(Course.lessons)
    if code and not bodies:  # only the lesson page reads a lesson's text
        lessons = lessons.options(defer(Lesson.html_zh), defer(Lesson.html_en))
    statement = (select(Course).where(Course.retired.is_(False), Course.id.in_(assigned) | Course.id.in_(serving))
                 .order_by(Course.level, Course.code).options(lessons, lazyload(Course.groups)))
    return statement.where(Course.code == bindparam("course_code")) if code else statement


def trainee_courses(session: Session, trainee: Trainee) -> list:
    """Courses a trainee may study: those assigned to them and those serving one of their groups."""
    return list(session.scalars(_trainee_courses_statement(bodies=False),
                                {"trainee_id": trainee.id, "person_id": trainee.person_id}))


def course_for_trainee(session: Session, trainee: Trainee, code: str, *, lesson_bodies: bool = False):
    """The course if the trainee is assigned or enrolled (by key group); None otherwise.

    `lesson_bodies`: load the lessons' text too."""
    return session.execute(_trainee_courses_statement(bodies=lesson_bodies, code=True),
                           {"trainee_id": trainee.id, "person_id": trainee.person_id, "course_code": code}
                           ).unique().scalar_one_or_none()
