"""Question types: each knows how to check its definition, validate an answer and grade it.

Types register by name; an unknown type is refused when content is checked, never when a
trainee answers. Answers are lists of strings: option ids (`single`, `multiple`, `image`), "true"
or "false" (`true_false`), the option ids in the order given, "" for a step not chosen yet
(`ordering`), "<part>:<choice>" per chosen choice (`scenario`, parts numbered from 1).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable, Iterator

LANGS = ("zh_CN", "en")
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".webp")
ALT_LENGTH = (20, 200)
IMAGE_NAME_LENGTH = 100  # stored with a prefix among a course's files (question_media_name)
# Words that tell the answer instead of describing the picture: alt text says what is drawn, never what is wrong.
GIVEAWAY_WORDS = ("隐患", "危险", "违规", "违章", "错误", "不安全", "hazard", "danger", "wrong", "violation",
                  "unsafe", "illegal")
ORDERING_STEPS = (3, 6)
SCENARIO_PARTS = (2, 4)
PART_TYPES = ("single", "multiple", "true_false")


class BadAnswer(ValueError):
    """An answer no honest quiz page could have sent."""


@dataclass(frozen=True)
class QuestionType:
    name: str
    check: Callable[[dict], list[tuple[str, str]]]  # -> [(key, message)]; a nested key as "parts.0.answer"
    choices: Callable[[dict], list[str]]  # answer values a trainee may pick
    grade: Callable[[dict, list[str], str], float]  # (question, answer, rule) -> 0..1
    correct: Callable[[dict], list[str]]
    many: Callable[[dict], bool]  # may pick several (checkboxes rather than radio buttons)
    # (this type, question, option_order, values) -> the answer as stored; raises BadAnswer
    accept: Callable[[QuestionType, dict, list[str], list[str]], list[str]] | None = None
    # (question, choices, rng, shuffle wanted) -> the order a new attempt shows the choices in
    order: Callable[[dict, list[str], random.Random, bool], list[str]] | None = None
    texts: tuple[str, ...] = ("stem", "explanation")  # the question's own translated texts
    # (question, answer) -> has every part of the question an answer? (default: anything chosen)
    complete: Callable[[dict, list[str]], bool] = lambda question, answer: bool(answer)

    def accepted(self, question: dict, option_order: list[str], values: list[str]) -> list[str]:
        """The answer as stored (see the module's docstring); BadAnswer for what the page never offered.
        Default: sorted, without repeats, every value offered, one only where the question takes one."""
        return (self.accept or _accept_choices)(self, question, option_order, [str(v) for v in values])

    def option_order(self, question: dict, rng: random.Random, shuffle: bool) -> list[str]:
        """The order a new attempt shows the choices in (default: shuffled when the course asks for it)."""
        choices = list(self.choices(question))
        if self.order is not None:
            return self.order(question, choices, rng, shuffle)
        if shuffle:
            rng.shuffle(choices)
        return choices


REGISTRY: dict[str, QuestionType] = {}


def register(question_type: QuestionType) -> QuestionType:
    REGISTRY[question_type.name] = question_type
    return question_type


def get(name: str) -> QuestionType:
    return REGISTRY[name]


def _option_ids(question: dict) -> list[str]:
    return [str(option.get("id")) for option in question.get("options") or [] if isinstance(option, dict)]


def _accept_choices(qtype: QuestionType, question: dict, option_order: list[str], values: list[str]) -> list[str]:
    """Sorted, without repeats; each value offered, one only where the question asks for one."""
    values = sorted(dict.fromkeys(values))
    if any(v not in option_order for v in values) or (not qtype.many(question) and len(values) > 1):
        raise BadAnswer(values)
    return values


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


def _no_shuffle(question: dict, choices: list[str], rng: random.Random, shuffle: bool) -> list[str]:
    return choices


register(QuestionType("single", lambda q: _check_options(q, single=True), _option_ids, _grade_single,
                      lambda q: [str(q["answer"][0])], many=lambda q: False))
register(QuestionType("multiple", lambda q: _check_options(q, single=False), _option_ids, _grade_multiple,
                      lambda q: sorted(map(str, q["answer"])), many=lambda q: True))
register(QuestionType(
    "true_false", _check_true_false, lambda q: ["true", "false"],
    lambda q, answer, rule: 1.0 if answer == [("true" if q["answer"] else "false")] else 0.0,
    lambda q: ["true" if q["answer"] else "false"], many=lambda q: False, order=_no_shuffle,
))


# --- image: a picture with a question; one correct option (radio) or several (checkboxes) -------------------

def _image_many(question: dict) -> bool:
    return len(question.get("answer") or []) > 1


def _check_image(question: dict) -> list[tuple[str, str]]:
    answer = question.get("answer")
    problems = _check_options(question, single=not (isinstance(answer, list) and len(answer) > 1))
    image = question.get("image")
    if not isinstance(image, dict):
        return problems + [("image", "image: a mapping with file (in question_bank/media/) and alt")]
    name = str(image.get("file") or "")
    if not name.lower().endswith(IMAGE_SUFFIXES) or "/" in name or "\\" in name or name.startswith("."):
        problems.append(("image.file", f"image.file: a file name in question_bank/media/ ending in "
                                       f"{', '.join(IMAGE_SUFFIXES)}, not {name!r}"))
    elif len(name) > IMAGE_NAME_LENGTH:
        problems.append(("image.file", f"image.file: at most {IMAGE_NAME_LENGTH} characters"))
    alt = image.get("alt")
    if not isinstance(alt, dict):
        return problems + [("image.alt", "image.alt: a description of the picture in each of " + ", ".join(LANGS))]
    low, high = ALT_LENGTH
    for lang in LANGS:
        value = str(alt.get(lang) or "").strip()
        if not low <= len(value) <= high:
            problems.append((f"image.alt.{lang}", f"image.alt.{lang}: {low}-{high} characters describing what is "
                                                  f"drawn (now {len(value)})"))
        given = [word for word in GIVEAWAY_WORDS if word in value.lower()]
        if given:
            problems.append((f"image.alt.{lang}", f"image.alt.{lang}: describe what is drawn without giving the "
                                                  f"answer away (remove {', '.join(given)})"))
    return problems


def _grade_image(question: dict, answer: list[str], rule: str) -> float:
    return (_grade_multiple if _image_many(question) else _grade_single)(question, answer, rule)


register(QuestionType("image", _check_image, _option_ids, _grade_image, lambda q: sorted(map(str, q["answer"])),
                      many=_image_many))


# --- ordering: put the steps in order ----------------------------------------------------------------------

def _check_ordering(question: dict) -> list[tuple[str, str]]:
    options = question.get("options")
    low, high = ORDERING_STEPS
    if not isinstance(options, list) or not low <= len(options) <= high:
        return [("options", f"an ordering question has {low} to {high} steps")]
    ids = _option_ids(question)
    if len(set(ids)) != len(ids):
        return [("options", "option ids must be unique")]
    answer = question.get("answer")
    if not isinstance(answer, list) or sorted(map(str, answer)) != sorted(ids):
        return [("answer", "answer lists every option id exactly once, in the correct order")]
    return []


def _accept_ordering(qtype: QuestionType, question: dict, option_order: list[str], values: list[str]) -> list[str]:
    """One value per position (a step chosen twice on the way is allowed: it is simply wrong); none chosen: []."""
    if len(values) != len(option_order) or any(v and v not in option_order for v in values):
        raise BadAnswer(values)
    return values if any(values) else []


def _grade_ordering(question: dict, answer: list[str], rule: str) -> float:
    correct = [str(v) for v in question["answer"]]
    if rule != "partial":
        return 1.0 if answer == correct else 0.0
    return sum(1 for given, right in zip(answer, correct) if given == right) / len(correct)


def _always_shuffle(question: dict, choices: list[str], rng: random.Random, shuffle: bool) -> list[str]:
    rng.shuffle(choices)  # in the given order the steps would be their own answer
    return choices


register(QuestionType("ordering", _check_ordering, _option_ids, _grade_ordering,
                      lambda q: [str(v) for v in q["answer"]], many=lambda q: False,
                      accept=_accept_ordering, order=_always_shuffle,
                      complete=lambda q, answer: bool(answer) and all(answer)))


# --- scenario: a case with 2-4 parts, each a single, multiple or true/false question ---------------------

def parts(question: dict) -> list[dict]:
    return [part for part in question.get("parts") or [] if isinstance(part, dict)]


def part_value(number: int, choice: str) -> str:
    return f"{number}:{choice}"


def split_answer(answer: list[str]) -> dict[int, list[str]]:
    """A scenario answer by part number: {1: ["a"], 2: ["true"]} (parts not answered are absent)."""
    by_part: dict[int, list[str]] = {}
    for value in answer:
        number, _, choice = value.partition(":")
        by_part.setdefault(int(number), []).append(choice)
    return by_part


def _check_scenario(question: dict) -> list[tuple[str, str]]:
    low, high = SCENARIO_PARTS
    given = question.get("parts")
    if not isinstance(given, list) or not low <= len(given) <= high or len(parts(question)) != len(given):
        return [("parts", f"a scenario has {low} to {high} parts, each a mapping with stem, type and answer")]
    if question.get("options") or "answer" in question:
        return [("parts", "a scenario's options and answers belong to its parts")]
    problems = []
    for number, part in enumerate(given, start=1):
        kind = part.get("type")
        if kind not in PART_TYPES:
            problems.append((f"parts.{number - 1}.type", f"part {number}: type is one of {', '.join(PART_TYPES)}, "
                                                         f"not {kind!r}"))
            continue
        problems += [(f"parts.{number - 1}.{key}", f"part {number}: {message}") for key, message in get(kind).check(part)]
    return problems


def _scenario_choices(question: dict) -> list[str]:
    return [part_value(number, choice) for number, part in enumerate(parts(question), start=1)
            for choice in get(part["type"]).choices(part)]


def _accept_scenario(qtype: QuestionType, question: dict, option_order: list[str], values: list[str]) -> list[str]:
    values = list(dict.fromkeys(values))
    if any(v not in option_order for v in values):
        raise BadAnswer(values)
    stored = []
    for number, chosen in sorted(split_answer(values).items()):
        part = parts(question)[number - 1]
        stored += [part_value(number, choice) for choice in _accept_choices(get(part["type"]), part,
                                                                            get(part["type"]).choices(part), chosen)]
    return stored


def part_points(question: dict, answer: list[str], rule: str) -> list[float]:
    """Each part's points (0..1) for this answer."""
    chosen = split_answer(answer)
    return [get(part["type"]).grade(part, sorted(chosen.get(number, [])), rule)
            for number, part in enumerate(parts(question), start=1)]


def _grade_scenario(question: dict, answer: list[str], rule: str) -> float:
    points = part_points(question, answer, rule)
    if rule != "partial":
        return 1.0 if all(p == 1.0 for p in points) else 0.0
    return sum(points) / len(points)


def _correct_scenario(question: dict) -> list[str]:
    return [part_value(number, choice) for number, part in enumerate(parts(question), start=1)
            for choice in get(part["type"]).correct(part)]


def _order_scenario(question: dict, choices: list[str], rng: random.Random, shuffle: bool) -> list[str]:
    """The parts keep their order (they tell a story); each part's options follow its own type's rule."""
    return [part_value(number, choice) for number, part in enumerate(parts(question), start=1)
            for choice in get(part["type"]).option_order(part, rng, shuffle)]


register(QuestionType("scenario", _check_scenario, _scenario_choices, _grade_scenario, _correct_scenario,
                      many=lambda q: True, accept=_accept_scenario, order=_order_scenario,
                      texts=("case", "explanation"),
                      complete=lambda q, answer: len(split_answer(answer)) == len(parts(q))))


def translated_texts(question: dict) -> Iterator[tuple[tuple, str]]:
    """Every text a trainee reads, as (the keys leading to it, what to call it): each needs both languages."""
    qtype = REGISTRY.get(question.get("type"))
    for key in qtype.texts if qtype else ("stem", "explanation"):
        yield (key,), key
    for index, option in enumerate(question.get("options") or []):
        if isinstance(option, dict):
            yield ("options", index, "text"), f"option {option.get('id', index + 1)}"
    for index, part in enumerate(question.get("parts") or []):
        if not isinstance(part, dict):
            continue
        number = index + 1
        yield ("parts", index, "stem"), f"part {number}"
        for position, option in enumerate(part.get("options") or []):
            if isinstance(option, dict):
                yield ("parts", index, "options", position, "text"), f"part {number} option {option.get('id')}"
        if "explanation" in part:
            yield ("parts", index, "explanation"), f"part {number} explanation"


def text(value: Any, locale: str) -> str:
    """The text of a {zh_CN, en} mapping in the locale (falls back to zh_CN)."""
    if isinstance(value, dict):
        return str(value.get("en" if locale == "en" else "zh_CN") or value.get("zh_CN") or "")
    return str(value or "")
