"""The structured question editor: the posted fields (stem, explanation, options as repeated rows, the answer)
made into the question as a bank file holds it. Everything else the question has is kept, so that a type with
more than texts and options (a picture, a case) is edited here for its words and in YAML for the rest."""
from __future__ import annotations

import copy
import re
import string

from werkzeug.datastructures import MultiDict

from portal.domain.content.questions import LANGS

ANSWER_PICKED = ("single", "multiple")  # the answer is the options ticked as correct


def has_options(data: dict) -> bool:
    return data.get("type") in ANSWER_PICKED or isinstance(data.get("options"), list)


def fits_the_form(data: dict) -> bool:
    """The structured form edits questions with a stem and options, or true/false; others (a case with its parts)
    are edited as YAML."""
    return "stem" in data and (has_options(data) or data.get("type") == "true_false")


def option_rows(data: dict) -> list[dict]:
    """The options to show in the form: the question's own, plus one empty row to add an option."""
    rows = [dict(option) for option in data.get("options") or [] if isinstance(option, dict)]
    if data.get("type") in ANSWER_PICKED:
        used = {str(option.get("id")) for option in rows}
        free = next((letter for letter in string.ascii_lowercase if letter not in used), "z")
        rows.append({"id": free, "text": {lang: "" for lang in LANGS}, "new": True})
    return rows


def posted_question(current: dict, form: MultiDict) -> dict:
    """The question as the form describes it (the check then says what is wrong with it)."""
    data = copy.deepcopy(current)
    for key in ("stem", "explanation"):
        data[key] = {lang: form.get(f"{key}_{lang}", "").strip() for lang in LANGS}
    data["source"] = form.get("source", "").strip()
    difficulty = form.get("difficulty", "")
    data["difficulty"] = int(difficulty) if difficulty.isdigit() else difficulty
    data["tags"] = [tag for tag in re.split(r"[\s,，、]+", form.get("tags", "")) if tag]
    data["exam_only"] = form.get("exam_only") == "y"
    if not data["exam_only"] and "exam_only" not in current:
        del data["exam_only"]
    if has_options(current):
        data["options"] = _posted_options(current, form)
    if data.get("type") in ANSWER_PICKED:
        data["answer"] = form.getlist("correct")
    elif data.get("type") == "true_false":
        data["answer"] = form.get("answer") == "true"
    return data


def _posted_options(current: dict, form: MultiDict) -> list[dict]:
    before = {str(o.get("id")): o for o in current.get("options") or [] if isinstance(o, dict)}
    options = []
    ids = form.getlist("option_id")
    texts = {lang: form.getlist(f"option_{lang}") for lang in LANGS}
    for index, option_id in enumerate(ids):
        text = {lang: (texts[lang][index] if index < len(texts[lang]) else "").strip() for lang in LANGS}
        if not any(text.values()):
            continue  # an empty row: the new one left blank, or an option removed by clearing it
        options.append({**copy.deepcopy(before.get(option_id, {})), "id": option_id, "text": text})
    return options
