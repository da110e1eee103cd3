"""The content commands end to end: GIFT in, sync, GIFT out; sync refusing bad content."""
from __future__ import annotations

import shutil

import yaml
from sqlalchemy import select

from portal.models import Question
from tests.conftest import FIXTURE_CONTENT

GIFT = """// a comment
$CATEGORY: $course$/extinguishers

::ext-001:: 扑救电器火灾应首选哪种灭火器？ {
  =二氧化碳灭火器 #不导电，不留残渍
  ~清水灭火器 #水会导电
  ~泡沫灭火器
  #### 带电设备火灾选用不导电的灭火剂。
}

::ext-002:: 哪些属于 A 类火灾？ {
  ~%50%木材 ~%50%纸张 ~%-100%汽油
}

::ext-003:: 火灾时可以乘坐普通电梯。 {F}

::ext-004:: 消防电话号码是？ {=119 =一一九}

::ext-005:: 匹配 { =A -> 1 =B -> 2 }
"""


def test_import_gift_then_sync_then_export(app, tmp_path, session):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    source = tmp_path / "bank.gift"
    source.write_text(GIFT, encoding="utf-8")
    runner = app.test_cli_runner()
    out = root / "question_bank" / "gift.yaml"
    result = runner.invoke(args=["content", "import-gift", str(source), "--tag", "ext", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 question(s) written" in result.output
    assert f"{source}:17: short-answer questions are not supported" in result.output
    assert f"{source}:19: matching questions are not supported" in result.output
    questions = yaml.safe_load(out.read_text(encoding="utf-8"))["questions"]
    assert [q["id"] for q in questions] == ["ext-001", "ext-002", "ext-003"]
    assert [q["type"] for q in questions] == ["single", "multiple", "true_false"]
    # a Chinese-only file: the missing English is a warning (English readers see the Chinese), the sync proceeds
    check = runner.invoke(args=["content", "check", "--root", str(root)])
    assert check.exit_code == 0, check.output
    assert "gift.yaml:12: warning: stem: missing translation 'en': English readers see the Chinese text" in check.output
    app.config["CONTENT_ROOT"] = root
    sync = runner.invoke(args=["content", "sync"])
    assert sync.exit_code == 0, sync.output
    assert session.scalar(select(Question).where(Question.code == "ext-002")) is not None
    exported = runner.invoke(args=["content", "export-gift", "--tag", "ext"])
    assert "::ext-001::" in exported.output and "=二氧化碳灭火器" in exported.output
    assert "~%50%木材" in exported.output and "::ext-003::火灾时可以乘坐普通电梯。 {F}" in exported.output


def test_sync_command_refuses_bad_content_and_changes_nothing(app, tmp_path, session):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    bank = root / "question_bank" / "sample.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("type: single", "type: essay", 1), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "sync", "--root", str(root)])
    assert result.exit_code == 1 and "unknown question type 'essay'" in result.output
    assert "nothing was changed" in result.output
    assert session.scalar(select(Question)) is None


def test_sync_prints_the_office_changes_it_keeps_and_export_writes_them(app, tmp_path, session):
    from portal.domain.content.office_content import edit_question
    from tests.factories import make_user

    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["content", "sync", "--root", str(root)]).exit_code == 0
    question = session.scalar(select(Question).where(Question.code == "sample-001"))
    edit_question(session, question, {**question.current_version.data, "source": "GB 50016 第7.1.8条"},
                  actor_id=make_user("office_admin").id)
    session.commit()
    again = runner.invoke(args=["content", "sync", "--root", str(root)])
    assert "kept question sample-001 (edited in the office; the file has not changed since the last sync)" \
        in again.output and "1 office change(s) kept" in again.output
    exported = runner.invoke(args=["content", "export", "--out", str(root / "question_bank")])
    assert exported.exit_code == 0 and "sample.yaml: 8 question(s)" in exported.output
    assert "source: GB 50016 第7.1.8条" in (root / "question_bank" / "sample.yaml").read_text(encoding="utf-8")
    final = runner.invoke(args=["content", "sync", "--root", str(root)])
    assert "sync done: 0 added, 0 changed, 0 retired" in final.output and "kept" not in final.output


def test_export_gift_names_the_case_questions_it_leaves_out(app, session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    result = runner.invoke(args=["content", "export-gift", "--tag", "sample.c", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert ("1 case (scenario) question(s) not exported, GIFT has no form for a case shared by several questions: "
            "sample-102") in result.output
    assert "::sample-101::" in result.output and "=Lift the extinguisher -> 1" in result.output
    assert '::sample-201::[html]<p>What is wrong in this picture?</p><img src\\="sample-201-corridor.svg"' in result.output
    assert "::sample-102::" not in result.output
