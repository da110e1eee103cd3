"""The quiz engine: draw, autosave, time limit, idempotent submit, tampering, grading, limits, completion."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from portal.domain.learning import progress, quiz
from portal.domain.content import questions as qtypes
from portal.domain.content.sync import sync_content
from portal.domain.platform.errors import NotAllowed
from portal.models import Assignment, Attempt, AttemptItem, Completion, Course, Question, QuestionVersion
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_org, make_trainee

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def course(session):
    sync_content(session, FIXTURE_CONTENT)
    return session.scalar(select(Course).where(Course.code == "sample-course"))


@pytest.fixture
def trainee(session):
    return make_trainee(make_org())


def answer_all(session, attempt, *, right: bool, now=T0):
    for item in attempt.items:
        qtype = qtypes.get(item.question_version.qtype)
        correct = qtype.correct(item.question_version.data)
        wrong = [c for c in item.option_order if c not in correct][:1]
        quiz.save_answer(session, attempt, item.id, correct if right else wrong, now=now)


def read_everything(session, trainee, course, now=T0):
    for lesson in progress.live_lessons(course):
        progress.mark_read(session, trainee, lesson, now=now)


def test_draw_takes_each_pools_count_and_is_stored(session, course, trainee):
    attempt = quiz.start_attempt(session, trainee, course, now=T0, rng=random.Random(1))
    tags = [item.question_version.data["tags"][0] for item in attempt.items]
    assert sorted(tags) == ["sample.a", "sample.a", "sample.b", "sample.b"]
    assert len({item.question_version_id for item in attempt.items}) == 4
    again = quiz.start_attempt(session, trainee, course, now=T0 + timedelta(minutes=1))
    assert again.id == attempt.id  # resuming, not redrawing
    assert [i.option_order for i in again.items] == [i.option_order for i in attempt.items]


def test_same_seed_same_draw(session, course):
    first = quiz.draw_questions(session, make_trainee(None), course, random.Random(7))
    second = quiz.draw_questions(session, make_trainee(None), course, random.Random(7))
    assert [v.id for v in first] == [v.id for v in second]


def test_options_are_shuffled_when_asked(session, course, trainee):
    orders = set()
    for seed in range(20):
        attempt = quiz.start_attempt(session, make_trainee(None), course, now=T0, rng=random.Random(seed))
        orders.update(tuple(i.option_order) for i in attempt.items if i.question_version.qtype == "single")
    assert len(orders) > 2


def test_second_attempt_prefers_unseen_questions(session, course, trainee):
    first = quiz.start_attempt(session, trainee, course, now=T0, rng=random.Random(3))
    answer_all(session, first, right=False)
    quiz.submit(session, first, now=T0)
    second = quiz.start_attempt(session, trainee, course, now=T0 + timedelta(hours=1), rng=random.Random(4))
    seen = {i.question_version.question_id for i in first.items}
    assert not seen & {i.question_version.question_id for i in second.items}


def test_answers_are_saved_at_once_and_grading_uses_them(session, course, trainee):
    attempt = quiz.start_attempt(session, trainee, course, now=T0)
    answer_all(session, attempt, right=True)
    session.commit()
    session.expire_all()
    assert all(item.answer for item in attempt.items)
    graded = quiz.submit(session, attempt, now=T0 + timedelta(minutes=3))
    assert graded.score == 100.0 and graded.passed


def test_answer_after_the_deadline_is_not_counted_and_the_attempt_is_graded(session, course, trainee):
    attempt = quiz.start_attempt(session, trainee, course, now=T0)
    first = attempt.items[0]
    correct = qtypes.get(first.question_version.qtype).correct(first.question_version.data)
    quiz.save_answer(session, attempt, first.id, correct, now=T0 + timedelta(minutes=10, seconds=20))  # within grace
    late = attempt.items[1]
    with pytest.raises(NotAllowed):
        quiz.save_answer(session, attempt, late.id, late.option_order[:1], now=T0 + timedelta(minutes=11))
    assert late.answer is None
    assert attempt.status == "graded" and attempt.score == 25.0


def test_overdue_attempt_is_graded_when_reopened(session, course, trainee):
    attempt = quiz.start_attempt(session, trainee, course, now=T0)
    answer_all(session, attempt, right=True)
    assert quiz.finish_if_overdue(session, attempt, now=T0 + timedelta(hours=2))
    assert attempt.status == "graded" and attempt.score == 100.0
    assert attempt.submitted_at == T0 + timedelta(minutes=10) + quiz.GRACE


def test_double_submit_gives_one_grade(session, course, trainee):
    attempt = quiz.start_attempt(session, trainee, course, now=T0)
    answer_all(session, attempt, right=True)
    quiz.submit(session, attempt, now=T0 + timedelta(minutes=1))
    session.commit()
    item = attempt.items[0]
    with pytest.raises(NotAllowed):
        quiz.save_answer(session, attempt, item.id, [c for c in item.option_order if c not in (item.answer or [])][:1],
                         now=T0 + timedelta(minutes=2))
    again = quiz.submit(session, attempt, now=T0 + timedelta(minutes=5))
    assert again.score == 100.0 and again.submitted_at == T0 + timedelta(minutes=1)
    assert session.scalar(select(func.count()).select_from(Completion)) <= 1


def test_a_submit_graded_elsewhere_first_keeps_that_grade_and_writes_the_answers_it_saved(session, course, trainee):
    attempt = quiz.start_attempt(session, trainee, course, now=T0)
    session.commit()
    answer_all(session, attempt, right=True)  # the page's answers, not written yet
    with session.no_autoflush:  # another request grades the attempt first
        session.execute(update(Attempt).where(Attempt.id == attempt.id)
                        .values(status="graded", submitted_at=T0, score=0.0, passed=False)
                        .execution_options(synchronize_session=False))
    graded = quiz.submit(session, attempt, now=T0 + timedelta(minutes=1))
    assert (graded.status, graded.score, graded.submitted_at) == ("graded", 0.0, T0)
    session.commit()
    session.expire_all()
    items = session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)).all()
    assert all(item.answer for item in items) and all(item.points is None for item in items)
    assert session.scalar(select(func.count()).select_from(Completion)) == 0


@pytest.mark.parametrize("tamper", ["foreign option", "foreign item", "two answers to a single"])
def test_tampered_answers_are_refused_and_change_nothing(session, course, trainee, tamper):
    attempt = quiz.start_attempt(session, trainee, course, now=T0)
    single = next(i for i in attempt.items if i.question_version.qtype in ("single", "true_false"))
    item_id, values = single.id, ["zzz"]
    if tamper == "foreign item":
        other = quiz.start_attempt(session, make_trainee(None), course, now=T0)
        item_id, values = other.items[0].id, other.items[0].option_order[:1]
    elif tamper == "two answers to a single":
        values = single.option_order[:2]
    with pytest.raises(quiz.Tampered):
        quiz.save_answer(session, attempt, item_id, values, now=T0)
    assert all(item.answer is None for item in attempt.items)


def test_someone_elses_attempt_is_tampering(session, course, trainee):
    attempt = quiz.start_attempt(session, trainee, course, now=T0)
    with pytest.raises(quiz.Tampered):
        quiz.attempt_for(session, make_trainee(None), attempt.id)


def test_multiple_answer_grading_rules():
    question = {"answer": ["a", "c"]}
    grade = qtypes.get("multiple").grade
    assert grade(question, ["a", "c"], "all_or_nothing") == 1.0
    assert grade(question, ["a"], "all_or_nothing") == 0.0
    assert grade(question, ["a"], "partial") == 0.5
    assert grade(question, ["a", "b"], "partial") == 0.0
    assert grade(question, ["a", "b", "c"], "partial") == 0.5
    assert grade(question, ["b", "d"], "partial") == 0.0
    assert qtypes.get("true_false").grade({"answer": False}, ["false"], "") == 1.0
    assert qtypes.get("single").grade({"answer": ["b"]}, ["a"], "") == 0.0


def test_attempt_limit_and_cooldown(session, course, trainee):
    first = quiz.start_attempt(session, trainee, course, now=T0)
    answer_all(session, first, right=False)
    quiz.submit(session, first, now=T0)
    with pytest.raises(NotAllowed) as error:
        quiz.start_attempt(session, trainee, course, now=T0 + timedelta(minutes=4))
    message = str(error.value.message)
    assert "16:05" in message and "UTC" not in message  # 08:05 UTC, in Shanghai
    second = quiz.start_attempt(session, trainee, course, now=T0 + timedelta(minutes=6))
    answer_all(session, second, right=False, now=T0 + timedelta(minutes=6))
    quiz.submit(session, second, now=T0 + timedelta(minutes=7))
    with pytest.raises(NotAllowed) as error:
        quiz.start_attempt(session, trainee, course, now=T0 + timedelta(days=1))
    assert "2" in str(error.value.message)
    assert not quiz.eligibility(session, trainee, course, now=T0 + timedelta(days=1)).allowed


def test_no_new_attempt_once_passed_unless_practice_is_allowed(session, course, trainee):
    attempt = quiz.start_attempt(session, trainee, course, now=T0)
    answer_all(session, attempt, right=True)
    quiz.submit(session, attempt, now=T0)
    with pytest.raises(NotAllowed):
        quiz.start_attempt(session, trainee, course, now=T0 + timedelta(hours=1))
    course.quiz = {**course.quiz, "allow_practice": True}
    practice = quiz.start_attempt(session, trainee, course, now=T0 + timedelta(hours=1))
    assert practice.practice


def test_completion_needs_every_lesson_and_a_pass_in_either_order(session, course, trainee):
    assignment = Assignment(trainee_id=trainee.id, course_id=course.id, rule="test", status="open")
    session.add(assignment)
    attempt = quiz.start_attempt(session, trainee, course, now=T0)
    answer_all(session, attempt, right=True)
    quiz.submit(session, attempt, now=T0)
    assert session.scalar(select(func.count()).select_from(Completion)) == 0
    read_everything(session, trainee, course, now=T0 + timedelta(minutes=5))
    completion = session.scalar(select(Completion))
    assert completion.course_id == course.id and completion.score == 100.0 and completion.mode == "online"
    assert assignment.status == "completed"
    read_everything(session, trainee, course, now=T0 + timedelta(minutes=6))
    assert session.scalar(select(func.count()).select_from(Completion)) == 1


def test_failed_quiz_records_no_completion(session, course, trainee):
    read_everything(session, trainee, course)
    attempt = quiz.start_attempt(session, trainee, course, now=T0)
    answer_all(session, attempt, right=False)
    quiz.submit(session, attempt, now=T0)
    assert not attempt.passed
    assert session.scalar(select(func.count()).select_from(Completion)) == 0


def test_review_is_hidden_until_pass_so_failures_are_no_answer_key(session, course, trainee):
    attempt = quiz.start_attempt(session, trainee, course, now=T0)
    answer_all(session, attempt, right=False)
    quiz.submit(session, attempt, now=T0)
    assert not quiz.may_review(session, attempt)
    attempt.settings = {**attempt.settings, "review": "always"}
    assert quiz.may_review(session, attempt)


def test_editing_a_question_keeps_the_version_an_attempt_showed(session, course, trainee, tmp_path):
    import shutil

    attempt = quiz.start_attempt(session, trainee, course, now=T0)
    shown = {item.question_version_id for item in attempt.items}
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    bank = root / "question_bank" / "sample.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("示例问题", "改过的问题"), encoding="utf-8")
    sync_content(session, root)
    session.refresh(attempt)
    assert {item.question_version_id for item in attempt.items} == shown
    assert all("示例问题" in item.question_version.data["stem"]["zh_CN"] for item in attempt.items)


def test_study_time_counts_only_reports_of_active_study_and_never_more_than_elapsed(session, course, trainee):
    from portal.domain.learning import study_time

    lesson = progress.live_lessons(course)[0]
    progress.open_lesson(session, trainee, lesson, now=T0)
    assert study_time.record_beat(session, trainee, lesson, seconds=15, now=T0 + timedelta(seconds=15)) == 15
    # reports faster than time passes count only the time that passed; one report never more than MAX_BEAT
    assert study_time.record_beat(session, trainee, lesson, seconds=15, now=T0 + timedelta(seconds=20)) == 20
    assert study_time.record_beat(session, trainee, lesson, seconds=900, now=T0 + timedelta(hours=1)) == 50
    row = progress.mark_read(session, trainee, lesson, now=T0 + timedelta(hours=7))  # reading adds no time
    assert row.seconds_spent == 50
    cap = study_time.lesson_cap(course, len(progress.live_lessons(course)))
    for minute in range(1, 200):
        study_time.record_beat(session, trainee, lesson, seconds=30, now=T0 + timedelta(hours=8, seconds=30 * minute))
    assert row.seconds_spent == cap


def test_question_statistics(session, course):
    from portal.domain.content.question_stats import question_statistics

    for n in range(6):
        trainee = make_trainee(None)
        attempt = quiz.start_attempt(session, trainee, course, now=T0, rng=random.Random(n))
        answer_all(session, attempt, right=n % 2 == 0)
        quiz.submit(session, attempt, now=T0)
    stats = question_statistics(session, course.id)
    assert sum(s.answered for s in stats) == 24

    # The same statistics worked out by hand from every answer: attempts sorted by score (then id), the first
    # and last two of six are the bottom and top thirds; all-right attempts score 100, all-wrong ones 0.
    answers = session.execute(select(Question.code, Attempt.id, Attempt.score, AttemptItem.correct)
                              .join(QuestionVersion, QuestionVersion.question_id == Question.id)
                              .join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
                              .join(Attempt, Attempt.id == AttemptItem.attempt_id)).all()
    ranked = sorted({(score, attempt_id) for _code, attempt_id, score, _ok in answers})
    bottom, top = {a for _s, a in ranked[:2]}, {a for _s, a in ranked[-2:]}

    def share(code, among=None):
        picked = [ok for c, a, _s, ok in answers if c == code and (among is None or a in among)]
        return sum(picked) / len(picked) if picked else None

    expected = []
    for code in sorted({code for code, *_rest in answers}):
        high, low = share(code, top), share(code, bottom)
        expected.append((code, sum(c == code for c, *_rest in answers), share(code),
                         None if high is None or low is None else round(high - low, 2)))
    assert sorted((s.code, s.answered, s.share_correct, s.discrimination) for s in stats) == expected
    assert [s.share_correct for s in stats] == sorted(s.share_correct for s in stats)  # weakest first
    assert any(s.discrimination == 1.0 for s in stats)  # asked of strong and weak trainees alike
