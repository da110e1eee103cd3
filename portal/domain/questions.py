"""Question types: each knows how to check its definition, validate an answer and grade it.

Types register by name; an unknown type is refused when content is checked, never when a
trainee answers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

LANGS = ("zh_CN", "en")


@dataclass(frozen=True)
class QuestionType:
    name: str
    check: Callable[[dict], list[tuple[str, str]]]  # -> [(key, message)]
    choices: Callable[[dict], list[str]]  # answer values a trainee may pick
    grade: Callable[[dict, list[str], str], float]  # (question, answer, rule) -> 0..1
    correct: Callable[[dict], list[str]]
    many: bool  # may pick several


REGISTRY: dict[str, QuestionType] = {}


def register(question_type: QuestionType) -> QuestionType:
    REGISTRY[question_type.name] = question_type
    return question_type


def get(name: str) -> QuestionType:
    return REGISTRY[name]


def _option_ids(question: dict) -> list[str]:
    return [str(option.get("id")) for option in question.get("options") or [] if isinstance(option, dict)]


def _check_options(question: dict, *, single: bool) -> list[tuple[str, str]]:
    problems = []
    options = question.get("options")
    if not isinstance(options, list) or len(options) < 2:
        return [("options", "needs a list of at least two options")]
    ids = _option_ids(question)
    if len(set(ids)) != len(ids):
        problems.append(("options", "option ids must be unique"))
    answer = question.get("answer")
    if not isinstance(answer, list) or not answer:
        return problems + [("answer", "answer must be a list of option ids")]
    for value in answer:
        if str(value) not in ids:
            problems.append(("answer", f"answer names no option: {value!r}"))
    if single and len(answer) != 1:
        problems.append(("answer", "a single-choice question has exactly one correct option"))
    if not single and len(set(map(str, answer))) < 2:
        problems.append(("answer", "a multiple-choice question has at least two correct options"))
    return problems


def _grade_single(question: dict, answer: list[str], rule: str) -> float:
    return 1.0 if answer == [str(question["answer"][0])] else 0.0


def _grade_multiple(question: dict, answer: list[str], rule: str) -> float:
    correct, chosen = set(map(str, question["answer"])), set(answer)
    if rule != "partial":
        return 1.0 if chosen == correct else 0.0
    # partial credit: each right pick earns a share, each wrong pick cancels one; never below 0
    wrong = len(chosen - correct)
    return max(0.0, (len(chosen & correct) - wrong) / len(correct))


def _check_true_false(question: dict) -> list[tuple[str, str]]:
    problems = []
    if not isinstance(question.get("answer"), bool):
        problems.append(("answer", "a true/false answer is true or false"))
    if question.get("options"):
        problems.append(("options", "a true/false question has no options"))
    return problems


register(QuestionType("single", lambda q: _check_options(q, single=True), _option_ids, _grade_single,
                      lambda q: [str(q["answer"][0])], many=False))
register(QuestionType("multiple", lambda q: _check_options(q, single=False), _option_ids, _grade_multiple,
                      lambda q: sorted(map(str, q["answer"])), many=True))
register(QuestionType(
    "true_false", _check_true_false, lambda q: ["true", "false"],
    lambda q, answer, rule: 1.0 if answer == [("true" if q["answer"] else "false")] else 0.0,
    lambda q: ["true" if q["answer"] else "false"], many=False,
))


def text(value: Any, locale: str) -> str:
    """The text of a {zh_CN, en} mapping in the locale (falls back to zh_CN)."""
    if isinstance(value, dict):
        return str(value.get("en" if locale == "en" else "zh_CN") or value.get("zh_CN") or "")
    return str(value or "")
