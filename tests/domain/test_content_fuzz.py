"""Property tests: the content check never raises on any input, it reports problems."""
from __future__ import annotations

import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.domain.content.check import check_tree
from tests.conftest import FIXTURE_CONTENT

yaml_like = st.text(alphabet=st.sampled_from(list("abc: -[]{}\n\t'\"#&*!|>%@`0123456789中文")), max_size=400)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(course=yaml_like, bank=yaml_like, lesson=st.text(max_size=300))
def test_check_never_raises_on_arbitrary_files(tmp_path_factory, course, bank, lesson):
    root = tmp_path_factory.mktemp("content")
    shutil.copytree(FIXTURE_CONTENT, root, dirs_exist_ok=True)
    (root / "courses" / "sample-course" / "course.yaml").write_text(course, encoding="utf-8")
    (root / "question_bank" / "sample.yaml").write_text(bank, encoding="utf-8")
    (root / "courses" / "sample-course" / "lessons" / "01-first.zh_CN.md").write_text(lesson, encoding="utf-8")
    tree = check_tree(root)
    assert all(problem.line >= 1 and problem.message for problem in tree.problems)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_check_reports_binary_garbage(tmp_path_factory, data):
    root = tmp_path_factory.mktemp("content")
    shutil.copytree(FIXTURE_CONTENT, root, dirs_exist_ok=True)
    (root / "question_bank" / "sample.yaml").write_bytes(data)
    tree = check_tree(root)
    assert all(problem.line >= 1 for problem in tree.problems)
