"""The content check's messages in the reader's language, for the office's pages.

The check words its problems in English for `flask content check` (file:line: message); the office reads the
same problems in the browser, in its language. Each known message is matched here and said again through the
catalog; a message not known here (a question type added later) is shown as the check wrote it."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

FIELDS = {"stem": _l("question text"), "explanation": _l("explanation"), "case": _l("case text")}

MESSAGES = [  # (pattern, message with the pattern's named groups)
    (r"(?P<field>.+): missing translation 'en': English readers see the Chinese text",
     _l("%(field)s: no English text; English readers see the Chinese text")),
    (r"(?P<field>.+): missing translation 'zh_CN'", _l("%(field)s: the Chinese text is missing")),
    (r"(?P<field>.+): needs a text in zh_CN \(and en\)", _l("%(field)s: the Chinese text is missing")),
    (r"explanation: none; trainees see no explanation after answering",
     _l("No explanation: trainees see none after answering")),
    (r"unknown question type (?P<value>.+)", _l("Unknown question type %(value)s")),
    (r"difficulty: 1, 2 or 3", _l("Difficulty is 1, 2 or 3")),
    (r"tags: a list of at least one tag", _l("At least one tag is needed")),
    (r"source: the regulation article or standard it rests on",
     _l("The source is missing: the law and article, or the standard and clause, the question rests on")),
    (r"source names no article or clause: (?P<value>.+)", _l("The source names no article or clause: %(value)s")),
    (r"needs a list of at least two options", _l("At least two options are needed")),
    (r"option ids must be unique", _l("Two options have the same letter")),
    (r"answer must be a list of option ids", _l("Tick the correct option")),
    (r"answer names no option: (?P<value>.+)", _l("The answer names no option: %(value)s")),
    (r"a single-choice question has exactly one correct option",
     _l("A single-choice question has exactly one correct option")),
    (r"a multiple-choice question has at least two correct options",
     _l("A multiple-choice question has at least two correct options")),
    (r"a true/false answer is true or false", _l("Choose whether the statement is true or false")),
    (r"question id: .*", _l("The question id is 3 to 64 lowercase letters, digits and '-'")),
    (r"question id (?P<value>.+) twice in this file", _l("The question id %(value)s is in the file twice")),
    (r"duplicate question id (?P<value>.+)", _l("The question id %(value)s is in the file twice")),
    (r"no course's quiz draws tags (?P<value>.+): the question will not be asked",
     _l("No course's quiz draws the tags %(value)s: the question will not be asked")),
    (r"each question is a mapping", _l("This is not a question (id, type, stem and the rest)")),
    (r"invalid YAML: (?P<value>.+)", _l("Not valid YAML: %(value)s")),
    (r"YAML aliases \(\*name\) are not accepted here", _l("YAML aliases (*name) are not accepted here")),
    (r"(?P<value>essay|numerical|matching|short-answer) questions are not supported",
     _l("%(value)s questions are not supported: only single choice, multiple choice and true/false")),
    (r"description items are ignored", _l("A description without a question is ignored")),
    (r"no correct answer", _l("No correct answer is marked")),
    (r"choice questions need at least two options", _l("At least two options are needed")),
    (r"single-choice questions need exactly one correct answer", _l("Exactly one option may be marked correct")),
    (r"unterminated answer block", _l("The answers' '{' is never closed by '}'")),
]
_COMPILED = [(re.compile(f"^{pattern}$"), message) for pattern, message in MESSAGES]


def in_words(message: str) -> str:
    """The check's message in the reader's language (as written when it is not one this module knows)."""
    for pattern, words in _COMPILED:
        match = pattern.match(message)
        if match:
            values = {key: _field(value) if key == "field" else value for key, value in match.groupdict().items()}
            return str(words) % values if values else str(words)
    return message


PART = re.compile(r"^part (?P<n>\d+)(?: option (?P<id>\S+)| (?P<explanation>explanation))?$")


def _field(name: str) -> str:
    if name.startswith("option "):
        return _("option %(id)s", id=name.removeprefix("option "))
    part = PART.match(name)
    if part and part["id"]:
        return _("part %(n)s, option %(id)s", n=part["n"], id=part["id"])
    if part and part["explanation"]:
        return _("part %(n)s, explanation", n=part["n"])
    if part:
        return _("part %(n)s", n=part["n"])
    return str(FIELDS.get(name, name))
