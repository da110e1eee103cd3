"""Coverage data for the demo district: targets with declared counts, and two classroom sessions.

Idempotent: targets are upserted by (group, locality); sessions are recognised by their place.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.learning import offline
from portal.domain.coverage.targets import TargetData, default_deadline, save_target
from portal.models import Course, KeyGroup, Locality, OfflineSession, Organization, Person, Target, Trainee

DISTRICT_CODE = "110199"
# group -> declared people without rosters, per street (street code suffix -> count)
DECLARED_PER_STREET = {
    "grid_worker": {"01": 12, "02": 15, "03": 9, "04": 10},
    "community_police": {"01": 3, "02": 4, "03": 2, "04": 3},
    "small_business_owner": {"01": 20, "02": 25, "03": 30, "04": 15},
}
DECLARED_PER_COMMUNITY = {"committee_staff": 5}
MALL_SESSION_PLACE = "示范购物中心三楼培训室"
OFFICE_SESSION_PLACE = "东城街道办事处会议室"
UNROSTERED = (("赵网格", "13900000901"), ("钱网格", "13900000902"), ("孙网格", "13900000903"))


def seed_demo_coverage(session: Session, *, today: date) -> dict[str, int]:
    """Targets for the demo district and two offline sessions; returns how many records were added."""
    counts = {"targets": 0, "offline_sessions": 0, "attendances": 0, "people_without_employer": 0}
    district = session.scalar(select(Locality).where(Locality.code == DISTRICT_CODE))
    if district is None:
        return counts
    groups = {g.code: g for g in session.scalars(select(KeyGroup))}
    existing = {(t.key_group_id, t.locality_id) for t in session.scalars(select(Target))}

    def target(group_code: str, locality: Locality | None, declared: int) -> None:
        group = groups.get(group_code)
        if group is None or locality is None or (group.id, locality.id) in existing:
            return
        save_target(session, TargetData(group.id, locality.id, declared, default_deadline(today), 1.0),
                    actor_id=None)
        existing.add((group.id, locality.id))
        counts["targets"] += 1

    for code in groups:
        target(code, district, 0)
    for group_code, per_street in DECLARED_PER_STREET.items():
        for suffix, declared in per_street.items():
            target(group_code, _locality(session, DISTRICT_CODE + suffix), declared)
    for group_code, declared in DECLARED_PER_COMMUNITY.items():
        for community in session.scalars(select(Locality).where(Locality.level == "community",
                                                                Locality.code.like(DISTRICT_CODE + "%"))):
            target(group_code, community, declared)
    _seed_sessions(session, today=today, groups=groups, counts=counts)
    session.flush()
    return counts


def _locality(session: Session, code: str) -> Locality | None:
    return session.scalar(select(Locality).where(Locality.code == code))


def _seed_sessions(session: Session, *, today: date, groups: dict, counts: dict) -> None:
    courses = {c.code: c for c in session.scalars(select(Course).where(Course.retired.is_(False)))}
    now = datetime.combine(today, time(9), tzinfo=timezone.utc)
    mall = session.scalar(select(Organization).where(Organization.invite_code == "DEMO0001"))
    course = courses.get("all-staff-basics")
    if mall is not None and course is not None and not _session_exists(session, MALL_SESSION_PLACE):
        record = offline.create_session(session, offline.SessionData(course.id, mall.id, today - timedelta(days=10),
                                                                     "李消防（区消防救援大队）", MALL_SESSION_PLACE),
                                        actor_id=None, today=today)
        people = session.scalars(select(Trainee.id).join(Trainee.person).where(
            Trainee.organization_id == mall.id, Trainee.status == "active", Person.user_id.is_(None))
                                 .order_by(Trainee.id).limit(6)).all()
        counts["offline_sessions"] += 1
        counts["attendances"] += offline.record_attendance(session, record, people, method="roster", now=now,
                                                           today=today)
    course = courses.get("grid-worker")
    street = _locality(session, DISTRICT_CODE + "01")
    if course is None or street is None or _session_exists(session, OFFICE_SESSION_PLACE):
        return
    grid = session.scalar(select(Locality).where(Locality.level == "grid", Locality.code.like(street.code + "%"))
                          .order_by(Locality.code).limit(1))
    attendees = []
    for name, mobile in UNROSTERED:
        person = session.scalar(select(Trainee).join(Trainee.person).where(Person.mobile == mobile,
                                                                           Trainee.organization_id.is_(None)))
        if person is None:
            # registered a month before the demo's today (coverage counts people from the day they are on a roster)
            person = Trainee(person=Person(real_name=name, mobile=mobile), organization_id=None,
                             start_date=today - timedelta(days=30), locality_id=grid.id if grid else street.id,
                             post="网格员",
                             groups=[g for code, g in groups.items() if code == "grid_worker"])
            session.add(person)
            session.flush()
            counts["people_without_employer"] += 1
        attendees.append(person.id)
    record = offline.create_session(session, offline.SessionData(course.id, None, today - timedelta(days=3),
                                                                 "王教官（区消防安全委员会办公室）", OFFICE_SESSION_PLACE),
                                    actor_id=None, today=today)
    counts["offline_sessions"] += 1
    counts["attendances"] += offline.record_attendance(session, record, attendees[:2], method="roster", now=now,
                                                       today=today)


def _session_exists(session: Session, place: str) -> bool:
    return session.scalar(select(OfflineSession.id).where(OfflineSession.place == place).limit(1)) is not None
