"""One definition of an organization's standing: the dashboard, the roster's filters and export, the
certificates page, the inspectors' page and the HR API give the same numbers for each organization."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from portal.domain.platform import api_tokens
from portal.domain.workforce import compliance
from portal.domain.certificates import verify
from portal.domain.platform.localtime import local_today
from portal.models import Assignment, Completion, utcnow
from tests.factories import make_course, make_org, make_trainee, make_user

STATUSES = compliance.STATUSES


def _varied_organization(session, course, n: int):
    """People in every standing, plus one who left: never trained, overdue, due soon, compliant."""
    org = make_org(name=f"单位{n}", kind="public_gathering" if n % 2 else "general")
    today = local_today()
    people = [make_trainee(org, name=f"人{n}-{i}") for i in range(2 + 3 * n)]
    for index, person in enumerate(people):
        kind = index % 4
        if kind in (1, 2, 3):
            session.add(Completion(person_id=person.person_id, course_id=course.id, mode="online",
                                   completed_on=today - timedelta(days=100), valid_until=today + timedelta(days=200)))
        if kind == 1:
            session.add(Assignment(trainee_id=person.id, course_id=course.id, due_on=today - timedelta(days=3),
                                   status="open", overdue_since=today - timedelta(days=3)))
        elif kind == 2:
            session.add(Assignment(trainee_id=person.id, course_id=course.id, due_on=today + timedelta(days=10),
                                   status="open"))
    people[-1].status = "left"
    session.flush()
    return org


def _stats(page: str) -> list[int]:
    section = page.split('class="stats"', 1)[1].split("</section>", 1)[0]
    return [int(n) for n in re.findall(r'<span class="num">(\d+)</span>', section)]


def test_every_page_export_and_api_answer_counts_the_same(app, client, session, login):
    course = make_course("one-figure")
    orgs = [_varied_organization(session, course, n) for n in range(3)]
    tokens = {}
    for org in orgs:
        admin = make_user("org_admin", org=org)
        tokens[org.id] = (admin, api_tokens.create(session, org, name="HR", actor_id=admin.id, address="",
                                                   now=utcnow())[1])
    session.commit()
    for org in orgs:
        expected = compliance.counts(session, org.id, local_today())
        assert sorted(expected.values()) != [0, 0, 0, 0]
        wanted = [expected[s] for s in STATUSES]
        admin, token = tokens[org.id]
        client.post("/auth/logout")
        login(admin)
        assert _stats(client.get(f"/company/{org.id}/").get_data(as_text=True)) == wanted, "dashboard"
        assert _stats(client.get(f"/company/{org.id}/certificates").get_data(as_text=True)) == wanted, "certificates"
        for status in STATUSES:  # the roster's filter lists exactly that many people
            roster = client.get(f"/company/{org.id}/people?status={status}&per_page=100").get_data(as_text=True)
            assert roster.count(f'/company/{org.id}/people/') - roster.count(f'/company/{org.id}/people/new') \
                == expected[status], status
        export = client.get(f"/company/{org.id}/people?format=csv").get_data(as_text=True).lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(export)))
        standing_column = [row[rows[0].index("培训状态")] for row in rows[1:]]  # found by its header
        labels = {"compliant": "合规", "due_soon": "30 天内到期", "overdue": "逾期", "never_trained": "从未培训"}
        assert [standing_column.count(labels[s]) for s in STATUSES] == wanted, "roster export"
        inspection = verify.organization_token(org.id, app.config["SECRET_KEY"])
        assert _stats(client.get(f"/verify/org/{inspection}").get_data(as_text=True)) == wanted, "inspectors"
        api = client.get("/api/v1/employees?per_page=100", headers={"Authorization": f"Bearer {token}"}).json
        assert [sum(1 for e in api["items"] if e["standing"] == s) for s in STATUSES] == wanted, "HR API"
