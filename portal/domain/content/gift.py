"""Moodle GIFT import and export for the question bank.

`parse_gift` turns a GIFT file into questions in the bank's format (see
`courses/README.md`); `export_gift` writes questions back out as GIFT. Pure Python,
no Flask, no I/O.

The subset follows Moodle's own importer (`question/format/gift/format.php`):

* Questions are separated by blank lines; lines whose first non-blank characters are
  `//` are comments. A `$CATEGORY: path` line at the start of an item sets the category
  for the questions that follow (its last path component becomes the tag `<tag>.<slug>`).
* `::title::` names a question. The answer block is the text from the first `{` to the
  first `}` after it. Text after the block makes a "missing word" stem: the block is
  replaced by `MISSING_WORD_BLANK`.
* In the block: `~` or `=` anywhere means multiple choice. With an `=` it is single
  choice (`=` marks the correct option, `~` wrong ones; `~%-50%` weights below or equal
  to zero are wrong); without an `=` it is multiple choice whose options with a positive
  `~%w%` weight are correct. `T`, `TRUE`, `F`, `FALSE` (case-sensitive, as in Moodle)
  make true/false, optionally followed by `#wrong feedback#right feedback`.
  `#text` after an option is its feedback; `####text` (the last one in the block) is the
  general feedback, which becomes the explanation.
* `\\~ \\= \\# \\{ \\} \\: \\\\` escape special characters and `\\n` is a newline; any other
  backslash is kept as written. A leading `[html]`, `[moodle]`, `[markdown]` or `[plain]`
  marker is removed from each text; the text itself is kept unchanged.
* A multiple-choice question whose `[html]` stem carries `<img src="..." alt="...">` becomes an
  `image` question: the picture's file name (the last part of `src`) and its alt text; the file
  itself goes into `question_bank/media/` by hand, with its `.license`.
* A matching question whose right-hand sides are the positions 1, 2, 3 ... (3 to 6 pairs:
  `=Pull the pin -> 2`) becomes an `ordering` question.
* Short-answer, other matching, numerical and essay questions, description items and
  malformed questions are skipped and reported as `GiftProblem`s. A case (`scenario`)
  question has no GIFT form: `exportable` leaves it out and names it.

True/false feedback has no place in the bank's option list, so the importer stores it
under an extra `feedback` key: `{"wrong": {...}, "right": {...}}` (only the parts given).
"""
from __future__ import annotations

import html
import itertools
import math
import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
DEFAULT_DIFFICULTY = 2
DEFAULT_SOURCE = "GIFT import"
MISSING_WORD_BLANK = "____"
NO_GIFT_FORM = ("scenario",)
ORDERING_STEPS = (3, 6)

_ID_RE = re.compile(r"[a-z0-9-]{3,64}")
_FORMAT_MARKER_RE = re.compile(r"\[(?:html|moodle|markdown|plain)\]")
_WEIGHT_RE = re.compile(r"%(-?\d+(?:\.\d*)?)%")
_ESCAPE_RE = re.compile(r"\\([\\~=#{}:n])")
_SPECIAL_RE = re.compile(r"[\\~=#{}:]")
_CATEGORY_SEPARATOR_RE = re.compile(r"(?<!/)/(?!/)")
_CATEGORY_PREFIX = "$CATEGORY:"
_PROTECTED = "~=#{}:n"  # characters that stand for themselves after a backslash ("n": newline)
_TRUE_WORDS = frozenset({"T", "TRUE"})
_TRUE_FALSE_WORDS = frozenset({"T", "TRUE", "F", "FALSE"})
_PLAIN_WEIGHT_TOLERANCE = 1e-3
_PLACEHOLDER_RANGES = (range(0xE000, 0xF900), range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE))
_IMG_RE = re.compile(r"<img\b[^>]*>", re.I)
_ATTRIBUTE_RE = re.compile(r"""\b(src|alt)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class GiftProblem:
    """Something in a GIFT file that was not imported: the line its question starts on, and why."""

    line: int
    message: str


@dataclass
class GiftResult:
    """The questions read from a GIFT file, and the problems met on the way."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    problems: list[GiftProblem] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the line each question starts on


def parse_gift(text: str, *, tag: str, lang: str = "zh_CN", id_prefix: str | None = None) -> GiftResult:
    """Read GIFT `text` into bank questions carrying `tag`, with their texts in `lang`.

    The other language's texts are empty strings, waiting for a translation. Ids are the
    question titles when those are valid ids, else `<id_prefix or slug of tag>-NNN`.
    Never raises on bad input: what cannot be imported is listed in `problems`.
    """
    _check_lang(lang)
    parser = _Parser(tag=tag, lang=lang, escapes=_Escapes.for_text(text))
    drafts = parser.parse(text)
    prefix = id_prefix or _slugify(tag) or "gift"
    questions = _assign_ids(drafts, prefix, parser.problems)
    lines = [line for line, _question in questions]
    return GiftResult(questions=[question for _line, question in questions],
                      problems=sorted(parser.problems, key=lambda p: p.line), lines=lines)


def exportable(questions: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """(questions GIFT can carry, ids of those it cannot: case questions, whose parts share one case)."""
    kept, skipped = [], []
    for question in questions:
        (skipped.append(str(question.get("id"))) if question.get("type") in NO_GIFT_FORM else kept.append(question))
    return kept, skipped


def export_gift(questions: Iterable[dict[str, Any]], *, lang: str = "zh_CN") -> str:
    """Write bank questions as GIFT, with their texts in `lang`, one blank line between questions.

    Each question gets a `// tags: ...` comment and its id as `::title::`. Raises ValueError
    for a question type GIFT export does not know.
    """
    _check_lang(lang)
    return "\n".join(_export_question(question, lang) for question in questions)


# --- Reading ------------------------------------------------------------------------------


class _Skip(Exception):
    """Raised while parsing a question that cannot be imported; carries the problem message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Item:
    """One blank-line separated chunk of the file: (line number, stripped text) per non-comment line."""

    lines: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class _Draft:
    """A parsed question still waiting for its id."""

    line: int
    title: str
    body: dict[str, Any]


@dataclass(frozen=True)
class _Choice:
    """One option of a choice block, its text and feedback still escaped."""

    weight: float
    text: str
    feedback: str


@dataclass(frozen=True)
class _Answers:
    """The type-specific part of a question: what the answer block said."""

    kind: str
    answer: Any
    options: list[dict[str, Any]] | None = None
    weights: dict[str, float | int] | None = None
    feedback: dict[str, dict[str, str]] | None = None


@dataclass(frozen=True)
class _Escapes:
    """Placeholder characters standing for escaped characters while one file is parsed.

    They are private-use characters absent from the file, so they cannot clash with its text.
    """

    placeholders: dict[str, str]

    @classmethod
    def for_text(cls, text: str) -> _Escapes:
        used = set(text)
        candidates = (chr(code) for block in _PLACEHOLDER_RANGES for code in block)
        free = (char for char in candidates if char not in used)
        return cls(dict(zip(_PROTECTED, free)))

    def protect(self, text: str) -> str:
        """Replace escape sequences: `\\\\` by a backslash, the others by placeholders."""
        return _ESCAPE_RE.sub(lambda m: "\\" if m[1] == "\\" else self.placeholders[m[1]], text)

    def restore(self, text: str) -> str:
        """Turn placeholders back into the characters they stand for."""
        table = {ord(mark): ("\n" if char == "n" else char) for char, mark in self.placeholders.items()}
        return text.translate(table)


class _Parser:
    """Reads the questions of one file; holds the current category and the problems found."""

    def __init__(self, *, tag: str, lang: str, escapes: _Escapes) -> None:
        self.tag = tag
        self.lang = lang
        self.escapes = escapes
        self.category_tag: str | None = None
        self.problems: list[GiftProblem] = []

    def parse(self, text: str) -> list[_Draft]:
        drafts = []
        for item in _split_items(text):
            lines = self._consume_category(item.lines)
            if not lines:
                continue
            start = lines[0][0]
            try:
                drafts.append(self._parse_question(start, "\n".join(line for _, line in lines)))
            except _Skip as skip:
                self.problems.append(GiftProblem(start, skip.message))
        return drafts

    def _consume_category(self, lines: tuple[tuple[int, str], ...]) -> tuple[tuple[int, str], ...]:
        number, first = lines[0]
        if not first.startswith(_CATEGORY_PREFIX):
            return lines
        self._set_category(number, first[len(_CATEGORY_PREFIX):].strip())
        return lines[1:]

    def _set_category(self, number: int, path: str) -> None:
        self.category_tag = None
        parts = [part.replace("//", "/").strip() for part in _CATEGORY_SEPARATOR_RE.split(path)]
        names = [part for part in parts if part]
        if not names:
            return
        slug = _slugify(names[-1])
        if slug:
            self.category_tag = f"{self.tag}.{slug}"
        else:
            message = f"category '{names[-1]}' has no letters or digits usable in a tag; no tag added"
            self.problems.append(GiftProblem(number, message))

    def _parse_question(self, line: int, raw: str) -> _Draft:
        text = self.escapes.protect(raw)
        title, text = _split_title(text)
        start, finish = _find_answer_block(text)
        block, general = _split_general_feedback(text[start + 1 : finish].strip())
        answers = self._read_answers(block)
        title = self.escapes.restore(title).strip()
        question: dict[str, Any] = {
            "type": answers.kind,
            "difficulty": DEFAULT_DIFFICULTY,
            "tags": [self.tag] + ([self.category_tag] if self.category_tag else []),
            "source": DEFAULT_SOURCE,
        }
        if title:
            question["title"] = title
        question["stem"] = self._i18n(_remove_answer_block(text, start, finish))
        if answers.options is not None:
            question["options"] = answers.options
        question["answer"] = answers.answer
        if answers.weights is not None:
            question["weights"] = answers.weights
        question["explanation"] = self._i18n(general)
        if answers.feedback:
            question["feedback"] = answers.feedback
        if answers.kind in ("single", "multiple"):
            self._picture(text[:start], question)
        return _Draft(line=line, title=title, body=question)

    def _picture(self, stem: str, question: dict[str, Any]) -> None:
        """An `[html]` stem with an <img>: an image question (file name and alt text; the stem without HTML)."""
        stem = self.escapes.restore(stem).strip()
        image = _IMG_RE.search(stem)
        if not stem.startswith("[html]") or image is None:
            return
        attributes = {m[1].lower(): html.unescape(m[2] if m[2] is not None else m[3])
                      for m in _ATTRIBUTE_RE.finditer(image[0])}
        file = attributes.get("src", "").replace("\\", "/").rsplit("/", 1)[-1]
        if not file:
            return
        words = html.unescape(_TAG_RE.sub(" ", stem[len("[html]"):].replace(image[0], " "))).split()
        question["type"] = "image"
        question["image"] = {"file": file, "alt": {code: attributes.get("alt", "") if code == self.lang else ""
                                                   for code in LANGUAGES}}
        question["stem"] = {code: " ".join(words) if code == self.lang else "" for code in LANGUAGES}

    def _read_answers(self, block: str) -> _Answers:
        if not block:
            raise _Skip("essay questions are not supported")
        if block.startswith("#"):
            raise _Skip("numerical questions are not supported")
        if "~" in block:
            return self._choice_answers(block)
        if block.split("#", 1)[0].strip() in _TRUE_FALSE_WORDS:  # before "->", which its feedback may hold
            return self._true_false_answers(block)
        if "->" in block:
            return self._ordering_answers(block)
        raise _Skip("short-answer questions are not supported")

    def _choice_answers(self, block: str) -> _Answers:
        choices = [_parse_choice(part) for part in _split_choices(block)]
        if len(choices) < 2:
            raise _Skip("choice questions need at least two options")
        options = [self._option(option_id, choice) for option_id, choice in zip(_option_ids(), choices)]
        ids = [option["id"] for option in options]
        if "=" in block:
            return _Answers("single", answer=_single_answer(ids, choices), options=options)
        correct = [option_id for option_id, choice in zip(ids, choices) if choice.weight > 0]
        if not correct:
            raise _Skip("no correct answer")
        weights = {option_id: _number(choice.weight) for option_id, choice in zip(ids, choices)}
        plain = _plain_weights(ids, correct)
        is_plain = all(math.isclose(weights[i], plain[i], abs_tol=_PLAIN_WEIGHT_TOLERANCE) for i in ids)
        return _Answers("multiple", answer=correct, options=options, weights=None if is_plain else weights)

    def _ordering_answers(self, block: str) -> _Answers:
        """Matching whose right-hand sides are the positions 1..n: the steps of an ordering question."""
        pairs = [part.rpartition("->") for part in block.split("=")[1:]]
        positions = [right.strip() for _left, _arrow, right in pairs]
        low, high = ORDERING_STEPS
        if (not block.lstrip().startswith("=") or not low <= len(pairs) <= high
                or sorted(positions) != [str(n) for n in range(1, len(pairs) + 1)]):
            raise _Skip("matching questions are not supported")
        ids = list(itertools.islice(_option_ids(), len(pairs)))
        options = [{"id": option_id, "text": self._i18n(left)} for option_id, (left, _a, _r) in zip(ids, pairs)]
        by_position = sorted(zip(positions, ids), key=lambda pair: int(pair[0]))
        return _Answers("ordering", answer=[option_id for _position, option_id in by_position], options=options)

    def _option(self, option_id: str, choice: _Choice) -> dict[str, Any]:
        option: dict[str, Any] = {"id": option_id, "text": self._i18n(choice.text)}
        if self._clean(choice.feedback):
            option["feedback"] = self._i18n(choice.feedback)
        return option

    def _true_false_answers(self, block: str) -> _Answers:
        word, *parts = block.split("#", 2)
        texts = {"wrong": parts[0] if parts else "", "right": parts[1] if len(parts) > 1 else ""}
        feedback = {key: self._i18n(value) for key, value in texts.items() if self._clean(value)}
        return _Answers("true_false", answer=word.strip() in _TRUE_WORDS, feedback=feedback or None)

    def _clean(self, text: str) -> str:
        """The final form of an escaped text: format marker removed, escapes restored, trimmed."""
        text = text.strip()
        marker = _FORMAT_MARKER_RE.match(text)
        if marker:
            text = text[marker.end():]
        return self.escapes.restore(text).strip()

    def _i18n(self, escaped: str) -> dict[str, str]:
        text = self._clean(escaped)
        return {code: text if code == self.lang else "" for code in LANGUAGES}


def _split_items(text: str) -> Iterator[_Item]:
    """The blank-line separated items of a file, without comment lines; empty items are dropped."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    current: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            if current:
                yield _Item(tuple(current))
            current = []
        elif not line.startswith("//"):
            current.append((number, line))
    if current:
        yield _Item(tuple(current))


def _split_title(text: str) -> tuple[str, str]:
    """(title, rest) for a text that may start with `::title::`; like Moodle, an unclosed `::` is dropped."""
    if not text.startswith("::"):
        return "", text
    rest = text[2:]
    end = rest.find("::")
    if end == -1:
        return "", rest
    return rest[:end], rest[end + 2 :].strip()


def _find_answer_block(text: str) -> tuple[int, int]:
    """Positions of the `{` opening and the `}` closing the answer block."""
    start = text.find("{")
    if start == -1:
        if "}" in text:
            raise _Skip("'}' without an opening '{'")
        raise _Skip("description items are ignored")
    finish = text.find("}", start)
    if finish == -1:
        raise _Skip("unterminated answer block")
    return start, finish


def _remove_answer_block(text: str, start: int, finish: int) -> str:
    """The stem: the text around the block, with a blank where the block was if text follows it."""
    before, after = text[:start], text[finish + 1 :]
    return before + MISSING_WORD_BLANK + after if after.strip() else before


def _split_general_feedback(block: str) -> tuple[str, str]:
    """(answers, general feedback) split at the last `####`, as Moodle does."""
    separator = block.rfind("####")
    if separator == -1:
        return block, ""
    return block[:separator].strip(), block[separator + 4 :]


def _split_choices(block: str) -> list[str]:
    """The options of a choice block, each starting with its `=` or (dropped) `~` marker."""
    parts = block.replace("=", "~=").split("~")
    if not parts[0].strip():
        parts.pop(0)
    return [part.strip() for part in parts]


def _parse_choice(part: str) -> _Choice:
    weight = 0.0
    if part.startswith("="):
        weight, part = 100.0, part[1:]
    elif match := _WEIGHT_RE.match(part):
        weight, part = float(match[1]), part[match.end() :]
        if not -100 <= weight <= 100:
            raise _Skip(f"answer weight {match[1]}% is outside -100% to 100%")
    text, _, feedback = part.partition("#")
    return _Choice(weight=weight, text=text, feedback=feedback)


def _single_answer(ids: list[str], choices: list[_Choice]) -> list[str]:
    if any(0 < choice.weight < 100 for choice in choices):
        raise _Skip("partial credit in single-choice questions is not supported")
    correct = [option_id for option_id, choice in zip(ids, choices) if choice.weight >= 100]
    if len(correct) != 1:
        raise _Skip("single-choice questions need exactly one correct answer")
    return correct


def _option_ids() -> Iterator[str]:
    """a, b, ..., z, aa, ab, ..."""
    for size in itertools.count(1):
        for letters in itertools.product(string.ascii_lowercase, repeat=size):
            yield "".join(letters)


def _plain_weights(ids: list[str], correct: list[str]) -> dict[str, float]:
    """100% split equally among the correct options and -100% among the wrong ones."""
    wrong = [option_id for option_id in ids if option_id not in correct]
    weights = {option_id: 100 / len(correct) for option_id in correct}
    weights.update({option_id: -100 / len(wrong) for option_id in wrong})
    return weights


def _number(value: float) -> float | int:
    return int(value) if value.is_integer() else value


def _assign_ids(drafts: list[_Draft], prefix: str, problems: list[GiftProblem]) -> list[tuple[int, dict[str, Any]]]:
    """Give each draft its title as id when that is a valid id, else the next free `<prefix>-NNN`."""
    titled = {draft.title for draft in drafts if _ID_RE.fullmatch(draft.title)}
    used: set[str] = set()
    numbers = itertools.count(1)
    questions = []
    for draft in drafts:
        if _ID_RE.fullmatch(draft.title):
            question_id = draft.title
            if question_id in used:
                problems.append(GiftProblem(draft.line, f"duplicate question id '{question_id}'"))
                continue
        else:
            candidates = (f"{prefix}-{number:03d}" for number in numbers)
            question_id = next(c for c in candidates if c not in titled and c not in used)
        used.add(question_id)
        questions.append((draft.line, {"id": question_id, **draft.body}))
    return questions


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")


# --- Writing ------------------------------------------------------------------------------


def _export_question(question: dict[str, Any], lang: str) -> str:
    lines = []
    tags = question.get("tags") or []
    if tags:
        lines.append("// tags: " + ", ".join(" ".join(str(tag).split()) for tag in tags))
    head = f"::{_escape(str(question.get('id', '')))}::{_escape_text(_text(question.get('stem'), lang))}"
    kind = question.get("type")
    if kind == "true_false":
        lines.append(f"{head} {{{_true_false_block(question, lang)}}}")
    elif kind in ("single", "multiple"):
        lines.extend([head + " {", *_choice_lines(question, lang), "}"])
    elif kind == "image":
        head = f"::{_escape(str(question.get('id', '')))}::[html]{_escape(_picture_stem(question, lang))}"
        many = len(question.get("answer") or []) > 1
        lines.extend([head + " {", *_choice_lines({**question, "type": "multiple" if many else "single"}, lang), "}"])
    elif kind == "ordering":
        lines.extend([head + " {", *_ordering_lines(question, lang), "}"])
    elif kind in NO_GIFT_FORM:
        raise ValueError(f"question {question.get('id')!r}: a case question has no GIFT form (see exportable)")
    else:
        raise ValueError(f"question {question.get('id')!r}: GIFT export does not support type {kind!r}")
    return "\n".join(lines) + "\n"


def _picture_stem(question: dict[str, Any], lang: str) -> str:
    """An image question's stem as HTML: the text, then the picture with its alt text."""
    image = question.get("image") or {}
    stem = html.escape(_text(question.get("stem"), lang), quote=False)
    return (f'<p>{stem}</p><img src="{html.escape(str(image.get("file", "")))}" '
            f'alt="{html.escape(_text(image.get("alt"), lang))}">')


def _ordering_lines(question: dict[str, Any], lang: str) -> list[str]:
    """Matching pairs: each step's text -> its position in the right order."""
    positions = {str(option_id): number for number, option_id in enumerate(question.get("answer") or [], start=1)}
    lines = [f"\t={_escape_text(_text(option.get('text'), lang))} -> {positions[str(option['id'])]}"
             for option in question.get("options") or []]
    explanation = _text(question.get("explanation"), lang)
    if explanation:
        lines.append("\t####" + _escape_text(explanation))
    return lines


def _true_false_block(question: dict[str, Any], lang: str) -> str:
    feedback = question.get("feedback") or {}
    wrong = _escape_text(_text(feedback.get("wrong"), lang))
    right = _escape_text(_text(feedback.get("right"), lang))
    block = "T" if question.get("answer") else "F"
    if wrong or right:
        block += "#" + wrong
    if right:
        block += "#" + right
    explanation = _text(question.get("explanation"), lang)
    if explanation:
        block += "####" + _escape_text(explanation)
    return block


def _choice_lines(question: dict[str, Any], lang: str) -> list[str]:
    options = question.get("options") or []
    correct = set(question.get("answer") or [])
    weights = _export_weights(question, options, correct)
    lines = []
    for option in options:
        text = _escape_text(_text(option.get("text"), lang))
        if question["type"] == "multiple":
            marker = f"~%{_format_weight(weights[option['id']])}%"
        else:
            marker = "=" if option["id"] in correct else ("~%0%" if _WEIGHT_RE.match(text) else "~")
        feedback = _text(option.get("feedback"), lang)
        lines.append("\t" + marker + text + ("#" + _escape_text(feedback) if feedback else ""))
    explanation = _text(question.get("explanation"), lang)
    if explanation:
        lines.append("\t####" + _escape_text(explanation))
    return lines


def _export_weights(question: dict[str, Any], options: list[dict[str, Any]], correct: set[str]) -> dict[str, float]:
    """Each option's weight: the question's `weights` where given, else the plain equal split."""
    ids = [option["id"] for option in options]
    weights = _plain_weights(ids, [option_id for option_id in ids if option_id in correct])
    given = question.get("weights") or {}
    weights.update({key: float(value) for key, value in given.items() if key in weights})
    return weights


def _format_weight(weight: float) -> str:
    """A percentage as Moodle writes it: at most five decimals, no trailing zeros."""
    text = f"{round(weight, 5):.5f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(value: Any, lang: str) -> str:
    """The `lang` text of a {zh_CN, en} dict (a plain string is taken as is), trimmed."""
    if isinstance(value, dict):
        value = value.get(lang)
    return "" if value is None else str(value).strip()


def _escape(text: str) -> str:
    """GIFT-escape special characters; newlines become `\\n`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SPECIAL_RE.sub(lambda m: "\\" + m[0], text).replace("\n", "\\n")


def _escape_text(text: str) -> str:
    """Escape a text, protecting a leading format marker that is part of the text itself."""
    guard = "[moodle]" if _FORMAT_MARKER_RE.match(text.lstrip()) else ""
    return guard + _escape(text)
