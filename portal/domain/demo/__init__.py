"""The demo district: localities, organizations of every kind, one account per role, a roster.

Idempotent: every record is looked up by its natural key before it is created. The modules beside this one
seed each context's part of the demo (people, compliance, certificates, coverage, drills, commitments).

May import: every context (the demo stands on top of them all); nothing imports it but `flask demo seed`
and the tests.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.platform.passwords import hash_password
from portal.domain.workforce.reference import ensure_reference_data
from portal.domain.platform.validators import id_check_char, uscc_check_char
from portal.models import KeyGroup, Locality, Organization, Person, RoleGrant, Sector, Trainee, User

EXPORTS: tuple[str, ...] = ()
MAY_IMPORT = ("platform", "content", "learning", "workforce", "certificates", "coverage")
DEMO_PASSWORD = "Demo-Pass-2026"
DISTRICT_CODE = "110199"

STREETS = (
    ("01", "东城街道", "Dongcheng Subdistrict"),
    ("02", "西湖街道", "Xihu Subdistrict"),
    ("03", "南山镇", "Nanshan Town"),
    ("04", "北苑街道", "Beiyuan Subdistrict"),
)
COMMUNITY_NAMES = (("和平社区", "Heping Community"), ("幸福社区", "Xingfu Community"), ("青山村", "Qingshan Village"))

# (name, kind, sector code, group codes given to most staff)
ORGANIZATIONS = (
    ("示范购物中心", "public_gathering", "commerce", ["key_unit_staff"]),
    ("东城大酒店", "public_gathering", "culture_tourism", ["key_unit_staff"]),
    ("西湖影城", "public_gathering", "culture_tourism", []),
    ("南山农贸市场", "public_gathering", "commerce", []),
    ("北苑体育馆", "public_gathering", "culture_tourism", []),
    ("和平KTV", "public_gathering", "culture_tourism", []),
    ("区人民医院", "key_unit", "health", ["key_unit_staff"]),
    ("区第一中学", "key_unit", "education", ["key_unit_staff"]),
    ("实验小学", "key_unit", "education", ["key_unit_staff"]),
    ("幸福养老院", "key_unit", "civil_affairs", ["key_unit_staff"]),
    ("青山寺", "key_unit", "religious_affairs", ["key_unit_staff"]),
    ("东方化工有限公司", "key_unit", "industry", ["key_unit_staff"]),
    ("南山物流仓储中心", "key_unit", "industry", ["key_unit_staff"]),
    ("安居物业服务有限公司", "general", "housing", ["property_staff"]),
    ("宏达保安服务公司", "general", "public_security", ["security_staff"]),
    ("新华书店北苑店", "general", "culture_tourism", []),
    ("青山农业合作社", "general", "agriculture", []),
    ("东城街道办事处", "general", "civil_affairs", ["grid_worker"]),
    ("西湖街道办事处", "general", "civil_affairs", ["grid_worker"]),
    ("和平社区居委会", "general", "civil_affairs", ["committee_staff"]),
    ("青山村村委会", "general", "agriculture", ["committee_staff"]),
    ("东城派出所", "general", "public_security", ["community_police"]),
    ("小李服装加工厂", "general", "industry", ["small_business_owner"]),
    ("老王小吃店", "general", "commerce", ["small_business_owner"]),
)
POSTS = ("营业员", "收银员", "厨师", "保洁员", "仓管员", "电工", "保安员", "前台", "教师", "护士", "司机", "文员")
# The department a post usually sits in, as a mall's or a hotel's HR clerk files it; schools, hospitals and
# offices file their teachers, nurses and clerks their own way (DEPARTMENTS_BY_SECTOR).
DEPARTMENTS = {"营业员": "营运部", "收银员": "营运部", "厨师": "餐饮部", "保洁员": "物业部", "仓管员": "仓储部",
               "电工": "工程部", "保安员": "安保部", "前台": "客服部", "教师": "培训部", "护士": "医务室",
               "司机": "后勤部", "文员": "行政部"}
DEPARTMENTS_BY_SECTOR = {
    "education": {"教师": "教务处", "保洁员": "总务处", "电工": "总务处", "保安员": "保卫处", "文员": "校长办公室"},
    "health": {"护士": "护理部", "保安员": "保卫科", "文员": "医务科", "电工": "后勤保障部", "保洁员": "后勤保障部"},
    "civil_affairs": {"文员": "综合办公室", "护士": "护理部"},
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"


@dataclass
class DemoAccount:
    login: str
    role: str
    note: str
    display_name: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", "superuser", "everything, including accounts of office administrators", "系统管理员"),
    DemoAccount("office", "office_admin", "the district training office", "区消防安全培训办公室"),
    DemoAccount("dept", "dept_viewer", "the Commerce Bureau (commerce sector only)", "区商务局"),
    DemoAccount("company", "org_admin", "示范购物中心 (a public gathering place)", "示范购物中心安全部"),
    DemoAccount("trainee", "trainee", "an employee of 示范购物中心", "陈小明"),
)


def credit_code_for(index: int) -> str:
    """A valid, deterministic unified social credit code for the n-th demo organization."""
    first17 = f"91{DISTRICT_CODE}MA{index:07d}"
    return first17 + uscc_check_char(first17)


def id_number_for(index: int, born: date) -> str:
    first17 = f"{DISTRICT_CODE}{born:%Y%m%d}{index % 1000:03d}"
    return first17 + id_check_char(first17)


def seed_demo(session: Session, *, today: date, people: int = 300, report_settings=None) -> dict[str, int]:
    """Create (or complete) the demo district; returns how many records of each kind were added."""
    ensure_reference_data(session)
    counts = {"localities": 0, "organizations": 0, "accounts": 0, "trainees": 0}
    grids = _seed_localities(session, counts)
    orgs = _seed_organizations(session, grids, counts)
    _seed_roster(session, orgs, today=today, people=people, counts=counts)
    _seed_accounts(session, orgs, counts)
    session.flush()
    counts["completions"] = _seed_training_history(session, today=today)
    from portal.domain.demo.certificates import seed_demo_certificates

    extra = seed_demo_certificates(session, today=today)
    counts["completions"] += extra.get("completions", 0)
    counts["revoked certificates"] = extra.get("revoked", 0)
    from portal.domain.demo.people import seed_people_stories

    counts.update(seed_people_stories(session, today=today, password=DEMO_PASSWORD))
    from portal.domain.demo.coverage import seed_demo_coverage

    coverage = seed_demo_coverage(session, today=today)
    counts["coverage targets"] = coverage["targets"]
    counts["classroom sessions"] = coverage["offline_sessions"]
    from portal.domain.demo.commitments import seed_commitment_stories

    counts.update(seed_commitment_stories(session, today=today))
    from portal.domain.demo.drills import seed_demo_drills

    counts["drills"] = seed_demo_drills(session, today=today)
    from portal.domain.demo.compliance import seed_compliance_stories

    # last: last year's final report is made from everything above
    counts.update(seed_compliance_stories(session, today=today, credit_code=credit_code_for(len(ORGANIZATIONS) + 1),
                                          report_settings=report_settings))
    return counts


def _seed_training_history(session: Session, *, today: date) -> int:
    """Past completions for about two thirds of the roster (some expired), then the schedule.

    Only runs once: skipped when any completion exists, and when no course has been loaded yet.
    """
    from datetime import datetime, time, timezone

    from portal.domain.learning import hooks
    from portal.domain.workforce import schedule
    from portal.domain.workforce.rules import current_rules
    from portal.models import Completion, Course

    courses = {c.code: c for c in session.scalars(select(Course).where(Course.retired.is_(False)))}
    if not courses or session.scalar(select(Completion.id).limit(1)) is not None:
        return 0
    rules = current_rules(session)
    now = datetime.combine(today, time(8), tzinfo=timezone.utc)
    rng = random.Random(7)
    added = 0
    for trainee in session.scalars(select(Trainee).join(Trainee.person).where(Person.user_id.is_(None))
                                   .order_by(Trainee.id)):
        if rng.random() < 0.3:
            continue  # never trained
        for requirement in schedule.requirements(trainee, trainee.organization, rules, today=today):
            course = courses.get(requirement.course_code)
            if course is None or rng.random() < 0.25:
                continue
            done = today - timedelta(days=rng.randrange(5, 420))
            completion = Completion(person_id=trainee.person_id, course_id=course.id, completed_on=done, mode="online",
                                    score=float(rng.choice((80, 85, 90, 95, 100))))
            _studied(session, trainee.person_id, course, done, rng)
            session.add(completion)
            session.flush()
            hooks.completion_recorded(session, completion, now=datetime.combine(done, time(10), tzinfo=timezone.utc))
            added += 1
    schedule.run_all(session, rules, now=now)
    return added


def _studied(session: Session, person_id: int, course, done: date, rng: random.Random) -> None:
    """The lessons a demo person read before completing the course, with a realistic study time each."""
    from datetime import datetime, time, timezone

    from portal.models import LessonProgress

    lessons = [lesson for lesson in course.lessons if not lesson.retired]
    share = course.credit_hours * 3600 / max(len(lessons), 1)
    at = datetime.combine(done, time(9), tzinfo=timezone.utc)
    for lesson in lessons:
        if session.scalar(select(LessonProgress.id).where(LessonProgress.person_id == person_id,
                                                          LessonProgress.lesson_id == lesson.id)) is None:
            session.add(LessonProgress(person_id=person_id, lesson_id=lesson.id, course_id=course.id, opened_at=at,
                                       last_seen_at=at, read_at=at, seconds_spent=int(share * rng.uniform(.6, 1.1))))


def _get_or_add_locality(session, counts, code, zh, en, level, parent) -> Locality:
    locality = session.scalar(select(Locality).where(Locality.code == code))
    if locality is None:
        locality = Locality(code=code, name_zh=zh, name_en=en, level=level, parent=parent)
        session.add(locality)
        counts["localities"] += 1
    return locality


def _seed_localities(session: Session, counts) -> list[Locality]:
    district = _get_or_add_locality(session, counts, DISTRICT_CODE, "示范区", "Demo District", "district", None)
    grids = []
    for street_code, street_zh, street_en in STREETS:
        street = _get_or_add_locality(session, counts, DISTRICT_CODE + street_code, street_zh, street_en, "street", district)
        for c, (community_zh, community_en) in enumerate(COMMUNITY_NAMES, start=1):
            code = f"{street.code}{c:02d}"
            community = _get_or_add_locality(session, counts, code, community_zh, community_en, "community", street)
            for g in range(1, 4):
                grids.append(_get_or_add_locality(
                    session, counts, f"{code}{g:02d}", f"{community_zh}第{g}网格", f"{community_en} Grid {g}", "grid", community))
    session.flush()
    return grids


def _seed_organizations(session: Session, grids: list[Locality], counts) -> list[Organization]:
    sectors = {s.code: s for s in session.scalars(select(Sector))}
    orgs = []
    for index, (name, kind, sector_code, _groups) in enumerate(ORGANIZATIONS, start=1):
        code = credit_code_for(index)
        org = session.scalar(select(Organization).where(Organization.credit_code == code))
        if org is None:
            org = Organization(
                name=name, credit_code=code, kind=kind, sector=sectors[sector_code],
                locality=grids[(index * 5) % len(grids)], address=f"示范区{name}路{index}号",
                contact_name=SURNAMES[index % len(SURNAMES)] + "经理", contact_phone=f"0101234{index:04d}",
                invite_code=f"DEMO{index:04d}",
            )
            session.add(org)
            counts["organizations"] += 1
        orgs.append(org)
    session.flush()
    return orgs


def _seed_roster(session: Session, orgs: list[Organization], *, today: date, people: int, counts) -> None:
    groups = {g.code: g for g in session.scalars(select(KeyGroup))}
    known = set(session.scalars(select(Person.mobile)))
    rng = random.Random(2026)
    for n in range(people):
        org_index = n % len(orgs)
        org, (_name, _kind, _sector, org_groups) = orgs[org_index], ORGANIZATIONS[org_index]
        mobile = f"139{n:08d}"
        if mobile in known:
            continue
        position = n // len(orgs)  # 0 for the first person of each organization, 1 for the second...
        member_of = ["all_staff", *org_groups]
        if position == 0:
            member_of.append("responsible_person")
        elif position == 1:
            member_of.append("safety_manager")
        elif position == 2 and ORGANIZATIONS[org_index][1] != "general":
            member_of.append("security_staff")
        born = date(1970 + rng.randrange(35), 1 + rng.randrange(12), 1 + rng.randrange(28))
        person = Person(
            real_name=SURNAMES[rng.randrange(len(SURNAMES))] + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
            mobile=mobile, id_number=id_number_for(n, born) if n % 3 else None)
        post = POSTS[rng.randrange(len(POSTS))]
        trainee = Trainee(
            person=person, organization=org, locality=org.locality, post=post,
            department=department_for(post, ORGANIZATIONS[org_index][2]),
            start_date=today - timedelta(days=rng.randrange(30, 2000)),
            groups=[groups[c] for c in dict.fromkeys(member_of)],
        )
        if n % 29 == 28:
            trainee.status, trainee.left_on = "left", today - timedelta(days=rng.randrange(1, 200))
        session.add(trainee)
        counts["trainees"] += 1


def _seed_accounts(session: Session, orgs: list[Organization], counts) -> None:
    commerce = session.scalar(select(Sector).where(Sector.code == "commerce"))
    for account in DEMO_ACCOUNTS:
        if session.scalar(select(User).where(User.username == account.login)) is not None:
            continue
        user = User(username=account.login, display_name=account.display_name, password_hash=hash_password(DEMO_PASSWORD))
        session.add(user)
        counts["accounts"] += 1
        if account.role == "trainee":
            _attach_demo_trainee(session, user, orgs[0])
        elif account.role == "org_admin":
            user.grants.append(RoleGrant(role="org_admin", organization=orgs[0]))
        elif account.role == "dept_viewer":
            user.grants.append(RoleGrant(role="dept_viewer", sector=commerce))
        else:
            user.grants.append(RoleGrant(role=account.role))
    session.flush()


def department_for(post: str, sector: str) -> str:
    """The demo's department for a post at an organization of this sector."""
    return DEPARTMENTS_BY_SECTOR.get(sector, {}).get(post) or DEPARTMENTS.get(post, "")


def _attach_demo_trainee(session: Session, user: User, org: Organization) -> None:
    user.mobile = "13800000001"
    user.display_name = "陈小明"
    groups = session.scalars(select(KeyGroup).where(KeyGroup.code.in_(("all_staff", "key_unit_staff")))).all()
    person = Person(real_name="陈小明", mobile="13800000001", id_number="11010519491231002X", user=user)
    session.add(person)
    session.add(Trainee(person=person, organization=org, locality=org.locality, post="营业员", department="营运部",
                        groups=list(groups)))
