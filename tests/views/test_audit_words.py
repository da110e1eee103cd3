"""The audit log speaks in words (company and office pages, words for people): every event the portal records has a
label, and the page and its export show labels, local times and masked logins instead of codes."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from portal.domain.platform import audit
from portal.domain.workforce import audit_labels
from tests.factories import make_org, make_trainee, make_user

PORTAL = Path(__file__).resolve().parents[2] / "portal"
LITERAL = re.compile(r'action="([a-z_.]+)"')
ROSTER_KINDS = ("hire", "update", "transfer", "leave")
CLAIM_DIRECTIONS = ("by_person", "by_employer", "move")
CODE_LIKE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z_]+\.[a-z_]+\b|\('[a-z_]+',")


def _recorded_actions() -> set[str]:
    found = set()
    for path in PORTAL.rglob("*.py"):
        found.update(LITERAL.findall(path.read_text(encoding="utf-8")))
    return found | {f"roster.{k}" for k in ROSTER_KINDS} | {f"claim.{d}" for d in CLAIM_DIRECTIONS}


def test_every_recorded_event_and_record_type_has_a_label():
    assert _recorded_actions() - set(audit_labels.ACTIONS) == set()
    targets = set()
    for path in PORTAL.rglob("*.py"):
        targets.update(re.findall(r'target_type="([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert targets - set(audit_labels.TARGETS) == set()


def test_every_detail_the_portal_records_has_a_label():
    """The keys of every `details={...}` written with an audit event read as words on the page."""
    import ast

    keys = set()
    for path in PORTAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "record":
                for keyword in node.keywords:
                    if keyword.arg == "details" and isinstance(keyword.value, ast.Dict):
                        keys.update(k.value for k in keyword.value.keys if isinstance(k, ast.Constant))
    assert "declared_count" in keys  # the scan sees the details
    assert keys - set(audit_labels.DETAILS) == set()


def test_times_and_rates_in_details_read_as_people_write_them(app):
    with app.test_request_context():
        text = audit_labels.details_text({"at": "2026-12-07T10:00:00+00:00", "target_rate": 0.95,
                                          "previous_status": "valid"})
    assert "2026-12-07 18:00" in text and "95%" in text and "T10:00" not in text and "valid" not in text


def test_the_audit_log_shows_words_not_codes(app, session, client, login):
    office = make_user("office_admin")
    job = make_trainee(make_org())
    audit.record(session, actor_id=office.id, action="roster.leave", target_type="trainee", target_id=job.id,
                 details={"organization": job.organization_id, "source": "import"})
    session.commit()
    login(office)

    page = client.get("/office/audit").get_data(as_text=True)
    table = page[page.index("<tbody>"):page.index("</tbody>")]
    client.get("/lang/en?next=/")
    exported = client.get("/office/audit?format=csv").get_data(as_text=True)

    assert "从名单中移除" in table and f"名单记录 {job.real_name}" in table and "来源: 表格导入" in table
    assert f"单位: {job.organization.name}" in table  # the record's name, not its number
    assert "roster.leave" not in table and "import" not in table
    assert CODE_LIKE.search(re.sub(r"<[^>]+>", " ", table)) is None
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert rows[1][2] == "Released from the roster" and rows[1][3] == "Roster entry"
    assert "source: spreadsheet import" in rows[1][6]


def test_the_audit_log_filters_by_event_and_record_type(app, session, client, login):
    office = make_user("office_admin")
    job = make_trainee(make_org())
    audit.record(session, actor_id=office.id, action="roster.leave", target_type="trainee", target_id=job.id)
    audit.record(session, actor_id=office.id, action="rules.change", target_type="rule_set", target_id=1)
    session.commit()
    login(office)

    leaving = client.get("/office/audit?action=roster.leave").get_data(as_text=True)
    rules = client.get("/office/audit?target=rule_set").get_data(as_text=True)

    assert '<option value="roster.leave" selected>' in leaving
    leaving, rules = (page[page.index("<tbody>"):page.index("</tbody>")] for page in (leaving, rules))
    assert "从名单中移除" in leaving and "培训规则已修改" not in leaving
    assert "培训规则已修改" in rules and "从名单中移除" not in rules


def test_record_names_reads_many_records_in_batches_and_skips_ids_that_are_not_numbers(app, session):
    """An export names up to 100,000 events: their records are read 500 ids at a time (the databases bound the
    parameters of one statement), and a target id that is not a number is left as it is, never sent to an
    integer column."""
    from types import SimpleNamespace

    org = make_org()
    jobs = [make_trainee(org) for _ in range(3)]
    session.commit()
    events = [SimpleNamespace(target_type="trainee", target_id=job.id, details={"organization": org.id})
              for job in jobs]
    events += [SimpleNamespace(target_type="trainee", target_id=10_000 + n, details={}) for n in range(1200)]
    events.append(SimpleNamespace(target_type="certificate", target_id="SFQ-2026-000001", details=None))
    names = audit_labels.record_names(session, events, "zh_CN")
    assert {names[("trainee", job.id)] for job in jobs} == {job.real_name for job in jobs}
    assert names[("organization", org.id)] == org.name and ("trainee", 10_000) not in names
    assert not any(kind == "certificate" for kind, _id in names)
