"""Small builders for test data; they flush, the test commits when a request must see the data."""
from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import select

from portal.domain.platform.passwords import hash_password
from portal.domain.platform.validators import uscc_check_char
from portal.extensions import db
from portal.models import KeyGroup, Locality, Organization, Person, RoleGrant, Sector, Trainee, User

DEFAULT_PASSWORD = "Correct-Horse-9"
_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def make_locality(code: str | None = None, level: str = "grid", parent: Locality | None = None) -> Locality:
    n = _n()
    locality = Locality(code=code or f"L{n:06d}", name_zh=f"地点{n}", name_en=f"Place {n}", level=level, parent=parent)
    db.session.add(locality)
    db.session.flush()
    return locality


def sector(code: str = "commerce") -> Sector:
    return db.session.scalar(select(Sector).where(Sector.code == code))


def make_org(name: str | None = None, *, kind: str = "general", sector_code: str = "commerce",
             locality: Locality | None = None) -> Organization:
    n = _n()
    first17 = f"91110199MA{n:07d}"
    org = Organization(
        name=name or f"单位{n}", credit_code=first17 + uscc_check_char(first17), kind=kind,
        sector=sector(sector_code), locality=locality or make_locality(), invite_code=f"INV{n:05d}",
    )
    db.session.add(org)
    db.session.flush()
    return org


def key_groups(*codes: str) -> list[KeyGroup]:
    return list(db.session.scalars(select(KeyGroup).where(KeyGroup.code.in_(codes))))


def make_user(role: str | None = None, *, org: Organization | None = None, sector_code: str | None = None,
              username: str | None = None, password: str = DEFAULT_PASSWORD) -> User:
    n = _n()
    user = User(username=username or f"user{n}", display_name=f"User {n}", password_hash=hash_password(password))
    if role == "org_admin":
        user.grants.append(RoleGrant(role=role, organization=org))
    elif role == "dept_viewer":
        user.grants.append(RoleGrant(role=role, sector=sector(sector_code or "commerce")))
    elif role in ("office_admin", "superuser"):
        user.grants.append(RoleGrant(role=role))
    db.session.add(user)
    db.session.flush()
    if role == "trainee":
        make_trainee(org, user=user)
    return user


def make_trainee(org: Organization | None, *, user: User | None = None, name: str | None = None,
                 mobile: str | None = None, groups: tuple[str, ...] = ("all_staff",), post: str = "",
                 start_date: date | None = None, id_number: str | None = None, person: Person | None = None,
                 second_job: bool = False, department: str = "") -> Trainee:
    """A roster row (an employment); a new person unless `person` is given (a second job, a job change)."""
    n = _n()
    if person is None:
        person = Person(real_name=name or f"学员{n}", mobile=mobile or f"137{n:08d}", id_number=id_number,
                        user=user)
        db.session.add(person)
    trainee = Trainee(
        person=person, organization=org, locality=org.locality if org else None, post=post,
        groups=key_groups(*groups), start_date=start_date, second_job=second_job, department=department,
    )
    db.session.add(trainee)
    db.session.flush()
    return trainee


def make_course(code: str, *, level: str = "basic") -> "Course":
    from portal.models import Course

    course = Course(code=code, slug=code, title_zh=f"课程{code}", title_en=f"Course {code}", level=level,
                    credit_hours=1.0, quiz={"pools": [], "pass_mark": 80})
    db.session.add(course)
    db.session.flush()
    return course


def make_completion(trainee: Trainee, course, *, on: date, valid_until: date | None = None) -> "Completion":
    from portal.models import Completion

    completion = Completion(person_id=trainee.person_id, course_id=course.id, completed_on=on,
                            valid_until=valid_until, mode="online")
    db.session.add(completion)
    db.session.flush()
    return completion
