"""One person, one record: claims need proof, nothing moves without the person, records follow the person."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.domain.workforce import roster
from portal.domain.coverage.population import coverage_cells
from portal.domain.coverage.requirements import load_requirements
from portal.domain.platform.localtime import local_today
from portal.domain.workforce.people import EmployedElsewhere
from portal.domain.workforce.rules import current_rules
from portal.models import AuditEvent, Assignment, Person, RosterClaim, Trainee, User, utcnow
from tests.factories import make_completion, make_course, make_org, make_trainee, make_user

ID = "11010519491231002X"


def _register(client, org, **changes):
    data = {"real_name": "冒名者", "mobile": "13600000001", "id_number": "", "invite_code": org.invite_code,
            "password": "Fire-Safe-2026", "confirm": "Fire-Safe-2026"}
    data.update(changes)
    return client.post("/auth/register", data=data)


def test_a_colleagues_mobile_and_the_invitation_code_do_not_open_their_record(client, session):
    org = make_org()
    row = make_trainee(org, mobile="13600000001", name="王师傅", id_number=ID)
    session.commit()
    page = _register(client, org, id_number="").get_data(as_text=True)
    assert "与单位登记的不一致" in page and "王师傅" not in page and ID not in page
    page = _register(client, org, id_number="11010119900307803X").get_data(as_text=True)
    assert "与单位登记的不一致" in page
    assert session.scalar(select(User).where(User.mobile == "13600000001")) is None
    assert session.get(Trainee, row.id).person.user_id is None
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "claim.refused_at_registration")) == 2


def test_wrong_id_numbers_are_throttled_like_logins(client, session, app):
    org = make_org()
    make_trainee(org, mobile="13600000001", id_number=ID)
    session.commit()
    for _ in range(5):
        assert _register(client, org, id_number="").status_code == 200
    assert _register(client, org, id_number=ID).status_code == 429


def test_an_invalid_invitation_code_says_nothing_about_the_mobile(client, session):
    make_user("trainee", org=make_org())
    user = session.scalar(select(User).where(User.mobile.is_not(None)))
    if user is None:
        user = User(mobile="13600000001", display_name="x", password_hash="x")
        session.add(user)
    session.commit()
    page = client.post("/auth/register", data={
        "real_name": "张三", "mobile": user.mobile, "invite_code": "NO-SUCH-CODE", "password": "Fire-Safe-2026",
        "confirm": "Fire-Safe-2026"}).get_data(as_text=True)
    assert "邀请码无效" in page or "invitation code is not valid" in page
    assert "已存在" not in page


def test_a_roster_row_without_id_number_waits_for_the_employer(client, session, login):
    org = make_org()
    row = make_trainee(org, mobile="13600000001", name="王师傅")
    admin = make_user("org_admin", org=org)
    session.commit()
    response = _register(client, org, real_name="王师傅")
    assert response.status_code == 302
    home = client.get("/me/").get_data(as_text=True)
    assert "等待单位确认" in home and f"{org.name}（等待单位确认）" in home
    user = session.scalar(select(User).where(User.mobile == "13600000001"))
    assert [g.code for g in user.person.employments[0].groups] == ["all_staff"]  # may study meanwhile
    assert session.get(Trainee, row.id).person.user_id is None  # nothing joined yet
    claim = session.scalar(select(RosterClaim).where(RosterClaim.user_id == user.id))
    assert claim.status == "pending" and claim.direction == "by_person"
    client.post("/auth/logout")
    login(admin)
    listing = client.get(f"/company/{org.id}/claims").get_data(as_text=True)
    assert "王师傅" in listing and "136****0001" in listing
    client.post(f"/company/{org.id}/claims/{claim.id}/confirm")
    session.expire_all()
    assert session.get(Trainee, row.id).person.user_id == user.id
    assert session.get(RosterClaim, claim.id).status == "confirmed"
    assert session.scalar(select(func.count()).select_from(Person).where(Person.mobile == "13600000001")) == 1
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "claim.confirm")) is not None


def test_adding_a_registered_mobile_asks_the_person_and_keeps_their_records(client, session, login):
    course = make_course("c-pull")
    registered = make_trainee(None, mobile="13600000009", name="李娜")
    user = User(mobile="13600000009", display_name="李娜", password_hash=registered.person.user and "" or "x")
    session.add(user)
    registered.person.user = user
    make_completion(registered, course, on=local_today() - timedelta(days=5))
    org = make_org()
    session.flush()
    row = roster.hire(session, org, roster.PersonData("李娜", "13600000009", "收银员", local_today()),
                      rules=current_rules(session), actor=roster.Actor(None), now=utcnow())
    session.commit()
    assert row.person_id != registered.person_id  # a mobile is no proof: not moved
    claim = session.scalar(select(RosterClaim).where(RosterClaim.user_id == user.id))
    assert claim.direction == "by_employer" and claim.status == "pending"
    from portal.domain.workforce import claims

    claims.confirm(session, claim, actor=user, now=utcnow(), allow_concurrent=False)
    session.commit()
    session.expire_all()
    person = session.get(User, user.id).person
    assert {job.organization_id for job in person.employments} == {None, org.id}
    assert [job.status for job in person.employments if job.organization_id is None] == ["left"]
    assert session.scalar(select(func.count()).select_from(Person).where(Person.mobile == "13600000009")) == 1
    from portal.domain.workforce.personal_data import export_personal_data

    assert len(export_personal_data(session, session.get(User, user.id))["completions"]) == 1


def test_the_same_id_number_at_a_second_company_is_refused_then_one_person_with_two_jobs(session, app):
    first, second = make_org(), make_org()
    data = roster.PersonData("赵六", "13600000002", "保安员", local_today(), ["security_staff"], id_number=ID)
    kept = roster.hire(session, first, data, rules=current_rules(session), actor=roster.Actor(None), now=utcnow())
    again = roster.PersonData("赵六", "13600000003", "保安员", local_today(), ["security_staff"],
                              id_number="110105 19491231 002x")
    try:
        roster.hire(session, second, again, rules=current_rules(session), actor=roster.Actor(None), now=utcnow())
    except EmployedElsewhere:
        pass
    else:
        raise AssertionError("a second employer took the person without a release")
    second_job = roster.hire(session, second, again, rules=current_rules(session), actor=roster.Actor(None),
                             now=utcnow(), allow_concurrent=True)
    assert second_job.person_id == kept.person_id and second_job.second_job
    assert session.scalar(select(func.count()).select_from(Person).where(Person.id_number == ID)) == 1
    requirements = load_requirements(session, current_rules(session))
    cells = coverage_cells(session, requirements, dates=[local_today()])
    security = [c for c in cells if c.group_id in {g.id for g in requirements.groups if g.code == "security_staff"}]
    assert sum(c.population[0] for c in security) == 1  # counted once in the district


def test_a_guard_who_changes_employer_gets_only_the_gap(session, app):
    rules = current_rules(session)
    from portal.models import Course

    codes = {"all-staff-basics", "security-micro-station"} | set(rules.onboarding_by_kind.get("general", ()))
    for code in codes:
        if session.scalar(select(Course).where(Course.code == code)) is None:
            make_course(code)
    old, new = make_org(), make_org()
    data = roster.PersonData("孙保安", "13600000004", "保安员", local_today() - timedelta(days=200),
                             ["security_staff"], id_number=ID)
    guard = roster.hire(session, old, data, rules=rules, actor=roster.Actor(None), now=utcnow() - timedelta(days=200))
    guard.created_at = utcnow() - timedelta(days=200)
    for course in session.scalars(select(Course).where(Course.code.in_(codes))):
        make_completion(guard, course, on=local_today() - timedelta(days=190),
                        valid_until=local_today() + timedelta(days=170))
    roster.release(session, guard, left_on=local_today() - timedelta(days=1), actor=roster.Actor(None), now=utcnow(),
                   rules=rules)
    moved = roster.hire(session, new, data, rules=rules, actor=roster.Actor(None), now=utcnow())
    assert moved.person_id == guard.person_id
    due = {a.course.code for a in session.scalars(select(Assignment).where(Assignment.trainee_id == moved.id,
                                                                            Assignment.status == "open"))}
    assert "security-micro-station" not in due  # the valid certificate follows the person
    assert "all-staff-basics" in due  # onboarding is about this site


def _seed_demo(session) -> dict:
    """The demo district on the test content, plus the courses its stories need."""
    from portal.domain.demo import seed_demo
    from portal.models import Course

    for code in ("all-staff-basics", "security-micro-station", "public-gathering-staff"):
        if session.scalar(select(Course).where(Course.code == code)) is None:
            make_course(code)
    seeded = seed_demo(session, today=local_today(), people=60)
    session.commit()
    return seeded


def test_the_demo_shows_a_job_change_and_a_claim_waiting(app, session):
    from portal.domain.demo import DEMO_PASSWORD
    from portal.domain.demo.people import MOVER_ID_NUMBER
    from portal.models import Certificate

    seeded = _seed_demo(session)
    assert seeded["job changes"] == 1 and seeded["claims waiting"] == 1
    mover = session.scalar(select(Person).where(Person.id_number == MOVER_ID_NUMBER))
    assert [(job.organization.invite_code, job.status) for job in mover.employments] == [
        ("DEMO0003", "left"), ("DEMO0001", "active")]
    assert session.scalar(select(Certificate).where(Certificate.person_id == mover.id)).status == "valid"
    mall_job = mover.employments[1]
    due = {a.course.code for a in session.scalars(select(Assignment).where(Assignment.trainee_id == mall_job.id,
                                                                            Assignment.status == "open"))}
    assert "security-micro-station" not in due and "public-gathering-staff" in due  # this site's onboarding
    client = app.test_client()
    client.post("/auth/login", data={"login": "company", "password": DEMO_PASSWORD})
    mall = mall_job.organization_id
    assert "周强" in client.get(f"/company/{mall}/people/{mall_job.id}").get_data(as_text=True)
    waiting = client.get(f"/company/{mall}/claims").get_data(as_text=True)
    claim = session.scalar(select(RosterClaim).where(RosterClaim.status == "pending"))
    assert claim.trainee.real_name in waiting and "确认：是本人" in waiting
    assert "等待您确认" in client.get(f"/company/{mall}/").get_data(as_text=True)


def test_the_office_checks_what_a_merge_found(client, session, login):
    from portal.models import IdentityConflict

    org = make_org(name="示范物业")
    row = make_trainee(org, name="王五", id_number=ID)
    session.add(IdentityConflict(person_id=row.person_id, kind="names",
                                 details={"names": ["王五", "王伍"], "kept": "王五", "rows": [row.id]}))
    office = make_user("office_admin")
    session.commit()
    login(office)
    assert "1" in client.get("/office/").get_data(as_text=True)
    page = client.get("/office/people/conflicts").get_data(as_text=True)
    assert "王五、王伍" in page and "110105********002X" in page and ID not in page and "示范物业" in page
    conflict = session.scalar(select(IdentityConflict))
    client.post(f"/office/people/conflicts/{conflict.id}/resolve")
    session.expire_all()
    assert session.get(IdentityConflict, conflict.id).resolved_at is not None
    assert "王伍" not in client.get("/office/people/conflicts").get_data(as_text=True)
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "person.conflict_resolved")) is not None


def test_a_person_employed_elsewhere_confirms_the_move_from_their_account(client, session, login):
    from portal.models import Course

    course = session.scalar(select(Course).where(Course.code == "all-staff-basics")) or make_course("all-staff-basics")
    old, new = make_org(name="旧单位"), make_org(name="新单位")
    user = make_user("trainee", org=old)
    user.trainee.person.id_number = ID
    user.trainee.start_date = local_today() - timedelta(days=300)
    make_completion(user.trainee, course, on=local_today() - timedelta(days=30))  # the old site's onboarding
    admin = make_user("org_admin", org=new)
    session.commit()
    login(admin)
    response = client.post(f"/company/{new.id}/people/new", data={
        "real_name": "张三", "mobile": "13600000005", "id_number": ID, "post": "保安员", "groups": ["all_staff"],
        "start_date": local_today().isoformat()}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "确认调动" in page or "confirm the move" in page
    row = session.scalar(select(Trainee).where(Trainee.organization_id == new.id))
    assert row.status == "pending" and row.person_id == user.person.id
    assert client.get(f"/company/{new.id}/").get_data(as_text=True).count("旧单位") == 0  # nothing about the other employer
    client.post("/auth/logout")
    login(user)
    home = client.get("/me/").get_data(as_text=True)
    assert "新单位" in home and "是的，我在该单位工作" in home
    claim = session.scalar(select(RosterClaim).where(RosterClaim.direction == "move"))
    client.post(f"/me/claims/{claim.id}/confirm")
    session.expire_all()
    jobs = {job.organization_id: job.status for job in session.get(User, user.id).person.employments}
    assert jobs == {old.id: "left", new.id: "active"}
    due = session.scalars(select(Assignment).where(Assignment.trainee_id == row.id, Assignment.status == "open"))
    assert [a.course.code for a in due] == ["all-staff-basics"]  # the new site's own onboarding


def test_refusing_a_move_removes_the_waiting_row_and_keeps_the_job(session):
    from portal.domain.workforce import claims

    old, new = make_org(), make_org()
    user = make_user("trainee", org=old)
    user.trainee.person.id_number = ID
    data = roster.PersonData("张三", "13600000006", "保安员", local_today(), id_number=ID)
    row = roster.hire(session, new, data, rules=current_rules(session), actor=roster.Actor(None), now=utcnow(),
                      ask_person=True)
    assert row.status == "pending"
    try:
        roster.hire(session, new, data, rules=current_rules(session), actor=roster.Actor(None), now=utcnow())
    except EmployedElsewhere:
        raise AssertionError("a second hire should say it is waiting, not employed elsewhere")
    except Exception as error:  # noqa: BLE001 - the message is what matters
        assert "确认调入" in str(error.message)
    claim = session.scalar(select(RosterClaim).where(RosterClaim.direction == "move"))
    claims.refuse(session, claim, actor=user, now=utcnow())
    assert session.scalar(select(Trainee).where(Trainee.organization_id == new.id)) is None
    assert [job.status for job in user.person.employments] == ["active"]
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "claim.refuse")) is not None


def test_the_demo_has_a_paper_record_and_a_first_import_with_its_grace(app, session):
    from portal.domain.demo.compliance import NEWCOMER_NAME, PAPER_RECORD
    from portal.domain.demo import seed_demo
    from portal.models import Completion, Organization, PriorTraining

    seeded = _seed_demo(session)
    assert seeded["prior training records"] == 1 and seeded["first imports"] == 1
    record = session.scalar(select(PriorTraining).where(PriorTraining.evidence == PAPER_RECORD))
    assert session.get(Completion, record.completion_id).mode == "prior"
    park = session.scalar(select(Organization).where(Organization.name == NEWCOMER_NAME))
    due = session.scalars(select(Assignment).join(Trainee).where(Trainee.organization_id == park.id,
                                                                  Assignment.status == "open")).all()
    assert due and {a.due_on for a in due} == {local_today() + timedelta(days=30)}
    again = seed_demo(session, today=local_today(), people=60)
    assert again["prior training records"] == again["first imports"] == 0


def test_when_the_first_job_ends_the_second_job_places_the_person(session, app):
    first, second = make_org(), make_org()
    rules = current_rules(session)
    data = roster.PersonData("赵六", "13600000002", "保安员", local_today(), ["security_staff"], id_number=ID)
    main = roster.hire(session, first, data, rules=rules, actor=roster.Actor(None), now=utcnow())
    extra = roster.hire(session, second, data, rules=rules, actor=roster.Actor(None), now=utcnow(), allow_concurrent=True)
    assert extra.second_job
    roster.release(session, main, left_on=local_today(), actor=roster.Actor(None), now=utcnow(), rules=rules)
    assert not extra.second_job
    requirements = load_requirements(session, rules)
    cells = coverage_cells(session, requirements, dates=[local_today()])
    assert sum(c.population[0] for c in cells if c.organization_id == second.id) >= 1  # still counted, once


def test_the_demo_keeps_last_years_report_final_when_it_has_the_font(app, session):
    import hashlib

    from portal.domain.coverage.report_pdf import office_settings
    from portal.domain.demo import seed_demo
    from portal.models import FinalReport

    settings = [office_settings(app.config, code) for code in ("zh_CN", "en")]
    seeded = seed_demo(session, today=local_today(), people=40, report_settings=settings)
    assert seeded["final reports"] == 1
    kept = {r.locale: r for r in session.scalars(select(FinalReport))}
    assert set(kept) == {"zh_CN", "en"}  # the year is final in both languages
    for report in kept.values():
        assert report.year == local_today().year - 1 and report.pdf.startswith(b"%PDF")
        assert report.digest == hashlib.sha256(report.pdf).hexdigest()
    assert seed_demo(session, today=local_today(), people=40, report_settings=settings)["final reports"] == 0
