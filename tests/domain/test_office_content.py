"""The office's changes to questions: edits make versions, retirement, uploads, the sync rule, export."""
from __future__ import annotations

import random
import shutil
from datetime import datetime, timezone

import pytest
import yaml
from sqlalchemy import func, select

from portal.domain.learning import quiz
from portal.domain.content import upload as uploads
from portal.domain.content.check import check_tree
from portal.domain.content.export import export_bank
from portal.domain.content.office_content import (
    QuestionFilter, QuestionRefused, course_summaries, edit_question, is_flagged, question_list, set_retired
)
from portal.domain.content.sync import sync_content
from portal.domain.platform.errors import ValidationError
from portal.domain.content.question_stats import QuestionStat
from portal.models import AuditEvent, Course, Question, QuestionVersion
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_org, make_trainee, make_user

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)

GIFT = """// two questions and one the portal cannot take
::gift-one:: 灭火器压力表指针在绿区表示？ {=压力正常 ~压力不足 ~压力过高}

::gift-two:: 发现火灾应立即拨打119。 {T}

::gift-three:: 灭火器的有效期是几年？ {#5}
"""


@pytest.fixture
def root(tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, copy)
    return copy


@pytest.fixture
def synced(session, root):
    sync_content(session, root)
    return root


@pytest.fixture
def office(session):
    return make_user("office_admin")


def question(session, code: str) -> Question:
    return session.scalar(select(Question).where(Question.code == code))


def edited(data: dict, **changes) -> dict:
    return {**data, **changes}


def test_an_edit_is_a_new_version_and_attempts_keep_theirs(session, synced, office):
    course = session.scalar(select(Course).where(Course.code == "sample-course"))
    attempt = quiz.start_attempt(session, make_trainee(make_org()), course, now=T0, rng=random.Random(1))
    shown = {item.question_version.question.code: item.question_version_id for item in attempt.items}
    code, first = next(iter(shown.items()))
    q = question(session, code)
    old_data = dict(q.current_version.data)
    version = edit_question(session, q, edited(old_data, stem={"zh_CN": "新的题干", "en": "A new stem"}),
                            actor_id=office.id)
    assert version.number == 2 and version.origin == "office" and version.created_by_id == office.id
    assert q.current_version_id == version.id != first
    assert session.get(QuestionVersion, first).data == old_data  # the old version is untouched
    assert {i.question_version_id for i in attempt.items if i.question_version.question.code == code} == {first}
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "question.edit"))
    assert event.actor_id == office.id and event.details == {"code": code, "version": 2, "previous_version": 1}
    assert edit_question(session, q, edited(old_data, stem={"zh_CN": "新的题干", "en": "A new stem"}),
                         actor_id=office.id) is None  # the same text again: no version


def test_an_edit_the_check_refuses_changes_nothing(session, synced, office):
    q = question(session, "sample-001")
    with pytest.raises(QuestionRefused) as refused:
        edit_question(session, q, edited(q.current_version.data, answer=["z"]), actor_id=office.id)
    assert any("answer names no option" in message for _keys, message in refused.value.problems)
    assert q.current_version.number == 1


def test_a_retired_question_is_never_drawn(session, synced, office):
    course = session.scalar(select(Course).where(Course.code == "sample-course"))
    for code in ("sample-001", "sample-002"):
        set_retired(session, question(session, code), True, reason="statistics flag it", actor_id=office.id)
    for seed in range(8):
        attempt = quiz.start_attempt(session, make_trainee(make_org()), course, now=T0, rng=random.Random(seed))
        assert not {"sample-001", "sample-002"} & {i.question_version.question.code for i in attempt.items}
    with pytest.raises(ValidationError):
        set_retired(session, question(session, "sample-003"), True, reason=" ", actor_id=office.id)
    assert session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "question.retire")) == 2


def test_flagged_is_one_rule():
    assert is_flagged(QuestionStat("x", 20, 0.25, 0.5))
    assert is_flagged(QuestionStat("x", 20, 0.9, 0.05))
    assert not is_flagged(QuestionStat("x", 19, 0.1, 0.0))  # too few answers to say
    assert not is_flagged(QuestionStat("x", 40, 0.6, None))


def test_courses_show_their_pools_against_active_questions(session, synced, office):
    set_retired(session, question(session, "sample-001"), True, reason="flagged", actor_id=office.id)
    summary = next(s for s in course_summaries(session) if s.course.code == "sample-course")
    pools = {p.tag: (p.count, p.active, p.cannot_draw, p.too_small) for p in summary.pools}
    assert pools == {"sample.a": (2, 3, False, True), "sample.b": (2, 4, False, False)}
    statement, _stats = question_list(session, QuestionFilter(status="retired"))
    assert [q.code for q in session.scalars(statement)] == ["sample-001"]


def test_upload_preview_then_apply_all_at_once(session, synced, office, tmp_path):
    upload = uploads.read_upload(GIFT.encode(), "new.gift", user_id=office.id, tag="sample.a", session=session)
    assert [q["data"]["id"] for q in upload.questions] == ["gift-one", "gift-two"]
    assert upload.refused[0]["line"] == 6 and "numerical" in upload.refused[0]["message"].lower()
    assert any("missing translation 'en'" in w["message"] for w in upload.warnings)
    token = uploads.store(upload, tmp_path)
    kept = uploads.load(tmp_path, token, user_id=office.id)
    assert uploads.load(tmp_path, token, user_id=office.id + 1) is None
    assert [i.status for i in uploads.preview(session, kept)] == ["added", "added"]
    assert question(session, "gift-one") is None  # nothing happens before "Apply"
    assert uploads.apply_upload(session, kept, actor_id=office.id) == {"added": 2, "changed": 0, "unchanged": 0}
    one = question(session, "gift-one")
    assert one.current_version.origin == "office" and one.source_file == "question_bank/office.yaml"
    assert [t.tag for t in one.tags] == ["sample.a"]
    assert [i.status for i in uploads.preview(session, kept)] == ["unchanged", "unchanged"]


def test_a_yaml_upload_shows_what_changed_and_refuses_with_lines(session, synced, office):
    data = yaml.safe_load((FIXTURE_CONTENT / "question_bank" / "sample.yaml").read_text(encoding="utf-8"))
    first = data["questions"][0]
    first["stem"]["en"] = "Sample question one"
    data["questions"][1]["answer"] = ["x"]
    text = yaml.safe_dump({"questions": data["questions"][:3]}, allow_unicode=True, sort_keys=False)
    upload = uploads.read_upload(text.encode(), "bank.yaml", user_id=office.id, session=session)
    answer_line = next(n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "- x")
    assert {"line": answer_line - 1, "message": "answer names no option: 'x'"} in upload.refused
    shown = uploads.preview(session, upload)
    assert [(i.code, i.status) for i in shown] == [("sample-001", "changed"), ("sample-003", "unchanged")]
    field, segments = shown[0].diff[0]
    assert field == "stem.en" and ("delete", "1") in segments and ("insert", "one") in segments


@pytest.mark.parametrize("raw, name, message", [
    (b"\xff\xfe\x00junk", "x.gift", "不是UTF-8文本"),
    (b"questions: 3", "x.yaml", "“questions”列表"),
    (b"anything", "x.docx", "请上传GIFT文件"),
    (b"x" * (uploads.MAX_UPLOAD_BYTES + 1), "x.gift", "文件超过"),
    (b"// only a comment\n", "x.gift", "没有题目"),
])
def test_a_file_that_cannot_be_read_says_why(session, synced, office, raw, name, message):
    with pytest.raises(ValidationError) as error:
        uploads.read_upload(raw, name, user_id=office.id, tag="sample.a", session=session)
    assert message in str(error.value.message)


def test_a_failing_apply_leaves_nothing(session, synced, office, monkeypatch):
    upload = uploads.read_upload(GIFT.encode(), "new.gift", user_id=office.id, tag="sample.a", session=session)
    session.commit()
    calls = []

    def fail_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    real = uploads.add_version
    monkeypatch.setattr(uploads, "add_version", fail_second)
    with pytest.raises(RuntimeError):
        uploads.apply_upload(session, upload, actor_id=office.id)
    session.rollback()
    assert question(session, "gift-one") is None and question(session, "gift-two") is None


def test_sync_keeps_the_office_change_until_the_file_changes(session, synced, office):
    q = question(session, "sample-001")
    data = dict(q.current_version.data)
    edit_question(session, q, edited(data, stem={"zh_CN": "办公室改的", "en": "Office wording"}), actor_id=office.id)
    set_retired(session, question(session, "sample-002"), True, reason="flagged", actor_id=office.id)
    report = sync_content(session, synced)
    assert sorted(line.split(" (")[0] for line in report.kept) == ["question sample-001", "question sample-002"]
    assert q.current_version.data["stem"]["en"] == "Office wording" and question(session, "sample-002").retired
    bank = synced / "question_bank" / "sample.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("en: Sample question 1", "en: File wording"),
                    encoding="utf-8")
    report = sync_content(session, synced)
    assert "question sample-001" in report.changed
    assert q.current_version.data["stem"]["en"] == "File wording" and q.current_version.origin == "file"
    assert q.current_version.number == 3 and question(session, "sample-002").retired


def test_export_check_sync_changes_nothing(session, synced, office):
    edit_question(session, question(session, "sample-001"),
                  edited(question(session, "sample-001").current_version.data, explanation={"zh_CN": "改过"}),
                  actor_id=office.id)
    set_retired(session, question(session, "sample-002"), True, reason="flagged", actor_id=office.id)
    upload = uploads.read_upload(GIFT.encode(), "new.gift", user_id=office.id, tag="sample.a", session=session)
    uploads.apply_upload(session, upload, actor_id=office.id)
    versions = session.scalar(select(func.count()).select_from(QuestionVersion))
    written = export_bank(session, synced / "question_bank")
    assert written == {"sample.yaml": 8, "sample-cases.yaml": 4, "office.yaml": 2}
    exported = yaml.safe_load((synced / "question_bank" / "sample.yaml").read_text(encoding="utf-8"))
    assert exported["questions"][1]["retired"] is True and "retired" not in exported["questions"][0]
    tree = check_tree(synced)
    assert tree.problems == []
    assert any(w.path == "question_bank/office.yaml" and "missing translation 'en'" in w.message
               for w in tree.warnings)
    report = sync_content(session, synced)
    assert (report.added, report.changed, report.retired, report.kept) == ([], [], [], [])
    assert session.scalar(select(func.count()).select_from(QuestionVersion)) == versions
    assert question(session, "sample-002").retired and question(session, "gift-one").file_hash


def test_a_chinese_only_gift_file_imports_and_syncs(session, root):
    from portal.domain.content.gift import parse_gift

    result = parse_gift(GIFT, tag="sample.a")
    (root / "question_bank" / "gift.yaml").write_text(
        yaml.safe_dump({"questions": result.questions}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    tree = check_tree(root)
    assert tree.problems == []
    assert "question_bank/gift.yaml:11: warning: stem: missing translation 'en': English readers see the Chinese text" \
        in [str(w) for w in tree.warnings]
    report = sync_content(session, root)
    assert "question gift-one" in report.added
    from portal.domain.content.questions import text
    assert text(question(session, "gift-one").current_version.data["stem"], "en") == "灭火器压力表指针在绿区表示？"


def test_an_upload_with_yaml_aliases_is_refused_at_its_line(session, synced, office):
    bomb = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nquestions: [*b, *b]\n"
    upload = uploads.read_upload(bomb.encode(), "bomb.yaml", user_id=office.id, session=session)
    assert upload.questions == [] and upload.refused == [
        {"line": 2, "message": "YAML aliases (*name) are not accepted here"}]
