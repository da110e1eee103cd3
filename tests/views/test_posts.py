"""The post catalogue: other names, unknown posts from every source (form, import, API), the office's edits."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from portal.domain.workforce import posts, roster
from portal.domain.platform import tabular
from portal.domain.content.sync import sync_content
from portal.domain.platform.errors import ValidationError
from portal.domain.workforce.rules import current_rules
from portal.models import Assignment, AuditEvent, EmploymentEvent, Person, Post, RuleSet, Trainee
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_course, make_org, make_user
from tests.views.test_company import RULES

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def app_config():
    return {"JOBS_SYNCHRONOUS": True}


@pytest.fixture
def world(session):
    """Fixture courses, the company test rules, and 保安员 requiring a course of its own."""
    sync_content(session, FIXTURE_CONTENT)
    session.add(RuleSet(text=RULES, note="test"))
    course = make_course("guard-duty")
    guard = session.scalar(select(Post).where(Post.name == "保安员"))
    guard.courses, guard.basis = [course.code], "第三十八条"
    org = make_org()
    session.commit()
    return org, course


def hire(session, org, post, *, mobile="13900000001", add_post=False):
    data = roster.PersonData(real_name="王伟", mobile=mobile, post=post, start_date=NOW.date(), add_post=add_post)
    return roster.hire(session, org, data, rules=current_rules(session), actor=roster.Actor(None), now=NOW)


def open_rules(session, trainee) -> set[str]:
    return set(session.scalars(select(Assignment.rule).where(Assignment.trainee_id == trainee.id,
                                                             Assignment.status == "open")))


def test_another_name_is_read_as_the_catalogue_post_and_gets_its_courses(session, world):
    org, _course = world
    for typed in ("保安", " 保 安 ", "安保员"):
        trainee = hire(session, org, typed, mobile=f"1390000{len(typed):04d}")
        assert trainee.post == "保安员"
        assert "post:保安员" in open_rules(session, trainee)
        session.rollback()


def test_an_unknown_post_is_refused_unless_the_company_adds_it(session, world):
    org, _course = world
    with pytest.raises(posts.UnknownPost) as refused:
        hire(session, org, "叉车司机")
    assert "叉车司机" in str(refused.value.message) and refused.value.field == "post"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Trainee)) == 0
    trainee = hire(session, org, "叉车司机", add_post=True)
    post = session.scalar(select(Post).where(Post.name == "叉车司机"))
    assert trainee.post == "叉车司机" and post.reviewed is False and post.added_by_organization_id == org.id
    assert post.courses == []
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "post.add")) == "post.add"


def test_the_office_gives_a_post_courses_and_everyone_in_it_is_scheduled_again(session, world):
    org, course = world
    trainee = hire(session, org, "仓管员")
    assert "post:仓管员" not in open_rules(session, trainee)
    store = session.scalar(select(Post).where(Post.name == "仓管员"))
    _post, rescheduled = posts.save(session, store, posts.PostData("仓管员", ["库管员"], [course.code], "危化品仓库"),
                                    actor_id=None, address="", now=NOW)
    assert rescheduled == 1 and "post:仓管员" in open_rules(session, trainee)
    posts.save(session, store, posts.PostData("仓管员", ["库管员"], [], ""), actor_id=None, address="", now=NOW)
    assert "post:仓管员" not in open_rules(session, trainee)


def test_a_name_belongs_to_one_post_only(session, world):
    store = session.scalar(select(Post).where(Post.name == "仓管员"))
    with pytest.raises(ValidationError) as refused:
        posts.save(session, store, posts.PostData("仓管员", ["保安"], [], ""), actor_id=None, address="", now=NOW)
    assert "保安员" in str(refused.value.message)
    with pytest.raises(ValidationError):
        posts.save(session, None, posts.PostData("收银员", [], [], ""), actor_id=None, address="", now=NOW)
    with pytest.raises(ValidationError) as refused:
        posts.save(session, store, posts.PostData("仓管员", [], ["no-such-course"], "x"), actor_id=None, address="",
                   now=NOW)
    assert refused.value.field == "courses"


def test_merging_renames_the_post_on_rosters_without_a_transfer(session, world):
    org, _course = world
    trainee = hire(session, org, "叉车司机", add_post=True)
    forklift = session.scalar(select(Post).where(Post.name == "叉车司机"))
    guard = session.scalar(select(Post).where(Post.name == "保安员"))
    moved = posts.merge(session, forklift, guard, actor_id=None, address="", now=NOW)
    session.refresh(trainee)
    assert moved == 1 and trainee.post == "保安员" and "叉车司机" in guard.synonyms
    assert session.scalar(select(Post).where(Post.name == "叉车司机")) is None
    assert "post:保安员" in open_rules(session, trainee)
    kinds = list(session.scalars(select(EmploymentEvent.kind).where(EmploymentEvent.trainee_id == trainee.id)))
    assert kinds == ["hire"]
    assert hire(session, org, "叉车司机", mobile="13900000002").post == "保安员"


# ---------------------------------------------------------------------------------------- pages


@pytest.fixture
def admin(session, world, login):
    org, _course = world
    user = make_user("org_admin", org=org)
    session.commit()
    login(user)
    return org


def test_the_person_form_offers_the_catalogue_and_adds_an_unknown_post_only_when_ticked(client, session, admin):
    org = admin
    page = client.get(f"/company/{org.id}/people/new").get_data(as_text=True)
    assert 'list="post-catalogue"' in page and '<option value="保安员">' in page
    form = {"real_name": "赵长青", "mobile": "13600009001", "post": "叉车司机", "start_date": "2026-12-01",
            "groups": ["all_staff"]}
    page = client.post(f"/company/{org.id}/people/new", data=form).get_data(as_text=True)
    assert "“叉车司机”不在岗位目录中" in page and 'name="add_post"' in page
    assert 'value="赵长青"' in page  # what was typed is kept
    assert session.scalar(select(func.count()).select_from(Trainee)) == 0
    client.post(f"/company/{org.id}/people/new", data={**form, "add_post": "y"})
    trainee = session.scalar(select(Trainee))
    assert trainee.post == "叉车司机"
    page = client.post(f"/company/{org.id}/people/{trainee.id}/transfer",
                       data={"post": "保安", "effective_on": "2026-12-07", "groups": ["all_staff"]})
    session.refresh(trainee)
    assert page.status_code == 302 and trainee.post == "保安员"
    assert "post:保安员" in open_rules(session, trainee)
    assert [e.kind for e in session.scalars(select(EmploymentEvent).where(EmploymentEvent.trainee_id == trainee.id)
                                            .order_by(EmploymentEvent.id))] == ["hire", "transfer"]


IMPORT = ("姓名,手机号,身份证号,岗位,重点人群,入职日期\n"
          "赵长青,13600009001,,叉车司机,,2026-12-01\n"
          "钱守业,13600009002,,叉车司机,,2026-12-01\n"
          "孙立本,13600009003,,保安,,2026-12-01\n")


def _upload(client, org, text: str) -> str:
    response = client.post(f"/company/{org.id}/import", data={"file": (io.BytesIO(text.encode()), "r.csv")},
                           content_type="multipart/form-data")
    return response.headers["Location"]


def test_an_import_lists_unknown_posts_and_imports_nothing_until_each_is_mapped_or_added(client, session, admin):
    org = admin
    preview = _upload(client, org, IMPORT)
    page = client.get(preview).get_data(as_text=True)
    assert "不在岗位目录中的岗位" in page and "“叉车司机”（2 行）" in page
    assert "保安 → 保安员" in page
    refused = client.post(preview + "/confirm", data={"post-0": ""})
    assert refused.status_code == 422 and "请逐一选择" in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Trainee)) == 0
    client.post(preview + "/confirm", data={"post-0": "仓管员"})
    posts_now = dict(session.execute(select(Person.real_name, Trainee.post).join(Trainee.person)).all())
    assert posts_now == {"赵长青": "仓管员", "钱守业": "仓管员", "孙立本": "保安员"}
    assert session.scalar(select(Post).where(Post.name == "叉车司机")) is None


def test_an_import_can_add_an_unknown_post_for_the_office_to_review(client, session, admin):
    org = admin
    preview = _upload(client, org, IMPORT)
    client.post(preview + "/confirm", data={"post-0": "+"})
    post = session.scalar(select(Post).where(Post.name == "叉车司机"))
    assert post is not None and post.reviewed is False and post.added_by_organization_id == org.id
    assert session.scalar(select(func.count()).select_from(Trainee).where(Trainee.post == "叉车司机")) == 2


@pytest.fixture
def office(session, world, login):
    user = make_user("office_admin")
    session.commit()
    login(user)
    return user


def test_the_office_finds_edits_exports_and_merges_posts(client, session, world, office):
    org, course = world
    hire(session, org, "叉车司机", add_post=True)
    session.commit()
    page = client.get("/office/posts?q=保安").get_data(as_text=True)
    assert "保安员" in page and "收银员" not in page
    page = client.get("/office/posts?status=to_review").get_data(as_text=True)
    assert "叉车司机" in page and "待审核" in page and "仓管员" not in page
    table = tabular.read_table(client.get("/office/posts?format=csv").data, "posts.csv")
    guard = next(row for row in table.rows if row.cells[0] == "保安员")
    assert "保安" in str(guard.cells[1])
    forklift = session.scalar(select(Post).where(Post.name == "叉车司机"))
    page = client.post(f"/office/posts/{forklift.id}", data={"name": "叉车司机", "synonyms": "叉车工\n铲车司机",
                                                             "courses": [course.code], "basis": ""})
    assert "请写明" in page.get_data(as_text=True)  # courses without a legal basis are refused, typed text kept
    client.post(f"/office/posts/{forklift.id}", data={"name": "叉车司机", "synonyms": "叉车工，铲车司机",
                                                      "courses": [course.code], "basis": "厂内机动车辆"})
    session.refresh(forklift)
    assert forklift.synonyms == ["叉车工", "铲车司机"] and forklift.reviewed and forklift.courses == [course.code]
    trainee = session.scalar(select(Trainee))
    assert "post:叉车司机" in open_rules(session, trainee)
    store = session.scalar(select(Post).where(Post.name == "仓管员"))
    client.post(f"/office/posts/{forklift.id}/merge", data={"into": store.id})
    session.refresh(trainee)
    assert trainee.post == "仓管员" and "叉车工" in session.get(Post, store.id).synonyms


def test_the_rules_no_longer_take_a_posts_section(client, session, world, office):
    page = client.post("/office/rules", data={"text": RULES + "posts:\n  保安员: {courses: [], basis: x}\n",
                                              "note": "", "action": "preview"}).get_data(as_text=True)
    assert "岗位目录" in page and 'data-created' not in page  # "kept in the post catalogue"


# ---------------------------------------------------------------------------------------- API


def test_the_api_reads_other_names_refuses_unknown_posts_and_lists_the_catalogue(app, session, world):
    from portal.domain.platform import api_tokens
    from portal.models import utcnow

    org, _course = world
    admin = make_user("org_admin", org=org)
    _token, plain = api_tokens.create(session, org, name="HR", actor_id=admin.id, address="", now=utcnow())
    session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    body = {"real_name": "孙立本", "post": "保安", "start_date": "2026-12-01"}
    answer = client.put("/api/v1/employees/13600009003", json=body, headers={**headers, "Idempotency-Key": "k1"})
    assert answer.status_code == 201 and answer.json["post"] == "保安员"
    answer = client.put("/api/v1/employees/13600009004", json={**body, "post": "叉车司机"},
                        headers={**headers, "Idempotency-Key": "k2"})
    assert answer.status_code == 422 and answer.json["error"]["code"] == "unknown_post"
    assert "GET /api/v1/posts" in answer.json["error"]["message"]
    assert session.scalar(select(func.count()).select_from(Trainee)) == 1
    catalogue = client.get("/api/v1/posts", headers=headers).json["items"]
    guard = next(item for item in catalogue if item["name"] == "保安员")
    assert "保安" in guard["other_names"] and guard["courses"]
