"""What the README promises about personal data (security review, second round, item 6): mobiles used as logins
are masked on the office's pages and exports, and a person's own data download holds what is recorded about them."""
from __future__ import annotations

import csv
import io
import json


from portal.domain.platform import audit
from portal.models import Person
from tests.factories import DEFAULT_PASSWORD, make_org, make_trainee, make_user


def _trainee_with_mobile_login(session, org):
    job = make_trainee(org, mobile="13912345678")
    person = session.get(Person, job.person_id)
    user = make_user()
    user.username, user.mobile = None, "13912345678"
    person.user = user
    session.flush()
    return user, job


def test_mobile_logins_are_masked_on_the_accounts_page_and_in_the_audit_log(app, session, client, login):
    office = make_user("office_admin")
    user, job = _trainee_with_mobile_login(session, make_org())
    audit.record(session, actor_id=user.id, action="user.delete_self", target_type="user", target_id=user.id)
    session.commit()
    login(office)

    accounts = client.get("/office/users").get_data(as_text=True)
    log = client.get("/office/audit").get_data(as_text=True)
    exported = client.get("/office/audit?format=csv").get_data(as_text=True)

    for text in (accounts, log, exported):
        assert "13912345678" not in text
    assert "139****5678" in accounts and "139****5678" in log
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert any("139****5678" in row for row in rows)


def test_my_data_holds_the_events_about_my_jobs_and_my_logins(app, session, client, login):
    org = make_org()
    office = make_user("office_admin")
    user, job = _trainee_with_mobile_login(session, org)
    other = make_trainee(org)
    audit.record(session, actor_id=office.id, action="roster.leave", target_type="trainee", target_id=job.id)
    audit.record(session, actor_id=office.id, action="roster.leave", target_type="trainee", target_id=other.id)
    session.commit()
    client.post("/auth/login", data={"login": "13912345678", "password": DEFAULT_PASSWORD})

    data = json.loads(client.get("/me/data.json").get_data(as_text=True))

    about = [(e["action"], e["target_type"], e["target_id"]) for e in data["audit_events_about_you"]]
    assert ("roster.leave", "trainee", str(job.id)) in about
    assert ("roster.leave", "trainee", str(other.id)) not in about  # someone else's record
    assert len(data["sessions"]) == 1 and data["sessions"][0]["ended_at"] is None
    assert "token_hash" not in data["sessions"][0]
