"""The demo's compliance stories (idempotent): a paper record of training before the portal, and a logistics
park that joined the portal with long-serving staff and imported its roster (their grace period shows)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workforce import posts, prior, roster, roster_posts
from portal.domain.workforce.roster_import import ParsedRoster, Preview, RosterRow
from portal.domain.workforce.rules import current_rules
from portal.models import Completion, Course, Locality, Organization, Person, PriorTraining, Sector, Trainee

PAPER_RECORD = "纸质台账 2025-033"
NEWCOMER_NAME = "示范物流园"
NEWCOMER_STAFF = (("赵长青", "13600009001", "叉车司机", "仓储部"), ("钱守业", "13600009002", "仓管员", "仓储部"),
                  ("孙立本", "13600009003", "保安", "安保部"))  # 叉车司机 is new to the catalogue, 保安 another name


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=timezone.utc)


def seed_compliance_stories(session: Session, *, today: date, credit_code: str,
                            report_settings=None) -> dict[str, int]:
    """Add the stories if missing; with `report_settings` (a report_pdf.ReportSettings per language: the PDF
    needs its font), last year's report is also marked final, as the office does once it has sent it."""
    counts = {"prior training records": 0, "first imports": 0, "final reports": 0}
    if _seed_paper_record(session, today=today):
        counts["prior training records"] += 1
    if _seed_first_import(session, today=today, credit_code=credit_code):
        counts["first imports"] += 1
    if report_settings is not None and _seed_final_report(session, today=today, settings=report_settings):
        counts["final reports"] += 1
    return counts


def _seed_final_report(session: Session, *, today: date, settings) -> bool:
    from portal.domain.coverage import final
    from portal.domain.coverage.report import yearly_report

    year = today.year - 1
    if final.find(session, year, settings[0].locale) is not None:
        return False
    report = yearly_report(session, year=year, today=today, rules=current_rules(session))
    final.make_final(session, report, settings, actor_id=None, now=_at(today))
    return True


def _seed_paper_record(session: Session, *, today: date) -> bool:
    """The mall's HR clerk entered a mall employee's all-staff training from the paper ledger of last autumn."""
    if session.scalar(select(PriorTraining.id).where(PriorTraining.evidence == PAPER_RECORD)) is not None:
        return False
    mall = session.scalar(select(Organization).where(Organization.invite_code == "DEMO0001"))
    course = session.scalar(select(Course).where(Course.code == "all-staff-basics", Course.retired.is_(False)))
    if mall is None or course is None:
        return False
    done = select(Completion.id).where(Completion.person_id == Person.id, Completion.course_id == course.id).exists()
    person = session.scalar(  # preferably someone with no completion of the course on the portal
        select(Person).join(Trainee, Trainee.person_id == Person.id)
        .where(Trainee.organization_id == mall.id, Trainee.status == "active", Person.user_id.is_(None))
        .order_by(done, Trainee.id).limit(1))
    if person is None:
        return False
    data = prior.PriorData("all-staff-basics", today - timedelta(days=60), "区消防救援大队培训中心", 4, PAPER_RECORD)
    prior.record(session, person, data, organization_id=mall.id, actor_id=None, now=_at(today),
                 rules=current_rules(session))
    return True


def _seed_first_import(session: Session, *, today: date, credit_code: str) -> bool:
    """A logistics park with staff who started years ago joins and imports its roster: 30 days' grace."""
    if session.scalar(select(Organization.id).where(Organization.credit_code == credit_code)) is not None:
        return False
    sector = session.scalar(select(Sector).where(Sector.code == "commerce"))
    grid = session.scalar(select(Locality).where(Locality.level == "grid").order_by(Locality.code).limit(1))
    if sector is None or grid is None:
        return False
    org = Organization(name=NEWCOMER_NAME, credit_code=credit_code, kind="general", sector=sector, locality=grid,
                       address="示范区物流大道1号", contact_name="周经理", contact_phone="01012349999",
                       invite_code="DEMO0025")
    session.add(org)
    session.flush()
    rows = [RosterRow(number=n, real_name=name, mobile=mobile, id_number=None, post=post, group_codes=("all_staff",),
                      start_date=date(2016 + n, 3, 1), department=department)
            for n, (name, mobile, post, department) in enumerate(NEWCOMER_STAFF, start=2)]
    parsed, names = roster_posts.name_posts(ParsedRoster(headers=[], rows=rows), posts.catalogue(session))
    preview = Preview(headers=[], new=parsed.rows, posts=names)
    preview = roster_posts.choose(session, org, preview, {text: roster_posts.ADD for text, _n in
                                                          roster_posts.unknown_posts(preview)}, actor_id=None)
    roster.apply_import(session, org, preview, rules=current_rules(session),
                        actor=roster.Actor(None, source="import"), now=_at(today), grace_days=30)
    return True
