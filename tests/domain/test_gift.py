"""GIFT import and export (portal.domain.content.gift): supported constructs, rejected kinds, round trips."""
from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.domain.content.gift import GiftProblem, GiftResult, export_gift, parse_gift

TAG = "basics.fire-science"
COMPARED_KEYS = ("id", "type", "stem", "options", "answer", "weights", "explanation", "feedback")


def zh(text: str) -> dict[str, str]:
    return {"zh_CN": text, "en": ""}


def parse_one(text: str, **kwargs: Any) -> dict[str, Any]:
    """The single question in `text`, asserting nothing was reported."""
    result = parse_gift(text, tag=TAG, **kwargs)
    assert result.problems == []
    assert len(result.questions) == 1
    return result.questions[0]


def problems_of(text: str) -> list[GiftProblem]:
    result = parse_gift(text, tag=TAG)
    assert result.questions == []
    return result.problems


def comparable(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: question.get(key) for key in COMPARED_KEYS} for question in questions]


# --- Supported constructs ----------------------------------------------------------------


def test_single_choice_gives_a_complete_bank_question() -> None:
    question = parse_one("燃烧的三个条件是？{=可燃物、助燃物、引火源 ~可燃物、水、氧气 ~光、热、风}")
    assert question == {
        "id": "basics-fire-science-001",
        "type": "single",
        "difficulty": 2,
        "tags": [TAG],
        "source": "GIFT import",
        "stem": zh("燃烧的三个条件是？"),
        "options": [
            {"id": "a", "text": zh("可燃物、助燃物、引火源")},
            {"id": "b", "text": zh("可燃物、水、氧气")},
            {"id": "c", "text": zh("光、热、风")},
        ],
        "answer": ["a"],
        "explanation": zh(""),
    }


def test_correct_option_may_come_anywhere() -> None:
    question = parse_one("Which? {~one ~two =three ~four}")
    assert question["answer"] == ["c"]
    assert [option["id"] for option in question["options"]] == ["a", "b", "c", "d"]


def test_texts_go_into_the_requested_language_only() -> None:
    question = parse_one("Which? {=yes ~no####Because.}", lang="en")
    assert question["stem"] == {"zh_CN": "", "en": "Which?"}
    assert question["options"][0]["text"] == {"zh_CN": "", "en": "yes"}
    assert question["explanation"] == {"zh_CN": "", "en": "Because."}


def test_unknown_language_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_gift("Q {T}", tag=TAG, lang="fr")
    with pytest.raises(ValueError):
        export_gift([], lang="fr")


def test_multiple_choice_with_equal_weights_has_no_weights_key() -> None:
    question = parse_one("Pick two. {~%50%a ~%50%b ~%-100%c}")
    assert question["type"] == "multiple"
    assert question["answer"] == ["a", "b"]
    assert "weights" not in question


def test_multiple_choice_with_thirds_is_an_equal_split() -> None:
    question = parse_one("Pick. {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-50%d ~%-50%e}")
    assert question["answer"] == ["a", "b", "c"]
    assert "weights" not in question


def test_multiple_choice_with_unequal_weights_keeps_them() -> None:
    question = parse_one("Pick. {~%70%a ~%30%b ~%-50%c ~%-50%d ~%0%e}")
    assert question["answer"] == ["a", "b"]
    assert question["weights"] == {"a": 70, "b": 30, "c": -50, "d": -50, "e": 0}


def test_multiple_choice_option_without_weight_is_wrong_with_weight_zero() -> None:
    question = parse_one("Pick. {~%50%a ~%50%b ~c}")
    assert question["answer"] == ["a", "b"]
    assert question["weights"] == {"a": 50, "b": 50, "c": 0}


def test_fractional_weights_are_kept_as_floats() -> None:
    question = parse_one("Pick. {~%62.5%a ~%37.5%b ~%-100%c}")
    assert question["weights"] == {"a": 62.5, "b": 37.5, "c": -100}


def test_single_choice_negative_weight_is_a_wrong_option() -> None:
    question = parse_one("Which? {=right ~%-50%bad ~%0%neutral}")
    assert question["type"] == "single"
    assert question["answer"] == ["a"]
    assert [option["text"]["zh_CN"] for option in question["options"]] == ["right", "bad", "neutral"]
    assert "weights" not in question


@pytest.mark.parametrize(
    ("block", "expected"),
    [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False), ("{ TRUE }", True)],
)
def test_true_false_variants(block: str, expected: bool) -> None:
    question = parse_one(f"火灾时可以乘坐普通电梯逃生。{block}")
    assert question["type"] == "true_false"
    assert question["answer"] is expected
    assert "options" not in question
    assert "feedback" not in question
    assert question["stem"] == zh("火灾时可以乘坐普通电梯逃生。")


def test_true_false_feedback_for_wrong_and_right_answers() -> None:
    question = parse_one("Lifts are safe in a fire.{F#No: lifts can stop.#Right, use the stairs.}")
    assert question["answer"] is False
    assert question["feedback"] == {"wrong": zh("No: lifts can stop."), "right": zh("Right, use the stairs.")}


def test_true_false_feedback_may_hold_an_arrow() -> None:
    question = parse_one("Lifts are safe in a fire.{F#No -> use the stairs.}")
    assert question["type"] == "true_false" and question["answer"] is False
    assert question["feedback"] == {"wrong": zh("No -> use the stairs.")}


def test_true_false_with_only_right_feedback() -> None:
    question = parse_one("Stairs are safe.{T##Correct.####General.}")
    assert question["feedback"] == {"right": zh("Correct.")}
    assert question["explanation"] == zh("General.")


def test_true_false_with_only_wrong_feedback() -> None:
    question = parse_one("Stairs are safe.{TRUE#Think again.}")
    assert question["feedback"] == {"wrong": zh("Think again.")}


def test_true_false_words_are_case_sensitive_like_moodle() -> None:
    result = parse_gift("Stairs are safe.{true}", tag=TAG)
    assert result.problems == [GiftProblem(1, "short-answer questions are not supported")]


def test_title_that_is_a_valid_id_becomes_the_id() -> None:
    question = parse_one("::basics-042:: Which? {=a ~b}")
    assert question["id"] == "basics-042"
    assert question["title"] == "basics-042"
    assert question["stem"] == zh("Which?")


def test_other_titles_are_kept_and_ids_are_numbered() -> None:
    result = parse_gift("::Fire Triangle::Q1 {=a ~b}\n\n::x::Q2 {T}\n\nQ3 {F}", tag=TAG)
    assert [q["id"] for q in result.questions] == [
        "basics-fire-science-001",
        "basics-fire-science-002",
        "basics-fire-science-003",
    ]
    assert [q.get("title") for q in result.questions] == ["Fire Triangle", "x", None]


def test_id_prefix_replaces_the_tag_slug() -> None:
    result = parse_gift("Q1 {T}\n\nQ2 {F}", tag=TAG, id_prefix="basics")
    assert [q["id"] for q in result.questions] == ["basics-001", "basics-002"]


def test_generated_ids_avoid_ids_taken_by_titles() -> None:
    result = parse_gift("Q1 {T}\n\n::basics-002::Q2 {F}\n\nQ3 {T}", tag=TAG, id_prefix="basics")
    assert [q["id"] for q in result.questions] == ["basics-001", "basics-002", "basics-003"]


def test_duplicate_title_id_is_reported() -> None:
    result = parse_gift("::basics-001::Q1 {T}\n\n::basics-001::Q2 {F}", tag=TAG)
    assert [q["stem"]["zh_CN"] for q in result.questions] == ["Q1"]
    assert result.problems == [GiftProblem(3, "duplicate question id 'basics-001'")]


def test_unclosed_title_marker_is_dropped_like_moodle() -> None:
    question = parse_one("::Which? {T}")
    assert "title" not in question
    assert question["stem"] == zh("Which?")


def test_category_adds_a_tag_to_following_questions() -> None:
    text = (
        "Q0 {T}\n\n"
        "$CATEGORY: $course$/top/Fire Safety/Portable Extinguishers\n\n"
        "Q1 {T}\n\n"
        "Q2 {F}\n\n"
        "$CATEGORY: Escape\n"
        "Q3 {T}\n"
    )
    result = parse_gift(text, tag=TAG)
    assert result.problems == []
    assert [q["tags"] for q in result.questions] == [
        [TAG],
        [TAG, f"{TAG}.portable-extinguishers"],
        [TAG, f"{TAG}.portable-extinguishers"],
        [TAG, f"{TAG}.escape"],
    ]


def test_empty_category_clears_the_extra_tag() -> None:
    result = parse_gift("$CATEGORY: a/b\n\nQ1 {T}\n\n$CATEGORY:\n\nQ2 {T}", tag=TAG)
    assert [q["tags"] for q in result.questions] == [[TAG, f"{TAG}.b"], [TAG]]


def test_category_without_ascii_name_is_reported_and_adds_no_tag() -> None:
    result = parse_gift("// bank\n$CATEGORY: $course$/top/灭火器\n\nQ1 {T}", tag=TAG)
    assert result.questions[0]["tags"] == [TAG]
    assert len(result.problems) == 1
    assert result.problems[0].line == 2
    assert "灭火器" in result.problems[0].message


def test_per_answer_feedback() -> None:
    question = parse_one("Which? {=CO2#Right: it smothers.\n~Water#Not on electrical fires.\n~Sand}")
    assert question["options"] == [
        {"id": "a", "text": zh("CO2"), "feedback": zh("Right: it smothers.")},
        {"id": "b", "text": zh("Water"), "feedback": zh("Not on electrical fires.")},
        {"id": "c", "text": zh("Sand")},
    ]


def test_empty_feedback_is_left_out() -> None:
    question = parse_one("Which? {=a# ~b#  }")
    assert all("feedback" not in option for option in question["options"])


def test_general_feedback_becomes_the_explanation() -> None:
    question = parse_one("Which? {=a ~b ####可燃物、助燃物和引火源是燃烧三要素。}")
    assert question["explanation"] == zh("可燃物、助燃物和引火源是燃烧三要素。")
    assert len(question["options"]) == 2


def test_general_feedback_after_option_feedback() -> None:
    question = parse_one("Which? {\n=a#yes\n~b#no\n####General\n}")
    assert question["options"][1]["feedback"] == zh("no")
    assert question["explanation"] == zh("General")


def test_comment_lines_are_ignored_anywhere() -> None:
    text = "// header comment\n  // indented comment\nWhich? {\n// inside\n=a\n~b // not a comment\n}\n// trailing"
    question = parse_one(text)
    assert question["stem"] == zh("Which?")
    assert [option["text"]["zh_CN"] for option in question["options"]] == ["a", "b // not a comment"]


def test_comment_only_items_produce_nothing() -> None:
    assert parse_gift("// one\n\n// two\n", tag=TAG) == GiftResult(questions=[], problems=[])


@pytest.mark.parametrize(
    ("escaped", "plain"),
    [("\\~", "~"), ("\\=", "="), ("\\#", "#"), ("\\{", "{"), ("\\}", "}"), ("\\:", ":"), ("\\\\", "\\")],
)
def test_each_escape(escaped: str, plain: str) -> None:
    question = parse_one(f"::t{escaped}x::Stem {escaped} here {{=A{escaped}1#F{escaped}b ~B####E{escaped}}}")
    assert question["title"] == f"t{plain}x"
    assert question["stem"] == zh(f"Stem {plain} here")
    assert question["options"][0]["text"] == zh(f"A{plain}1")
    assert question["options"][0]["feedback"] == zh(f"F{plain}b")
    assert question["explanation"] == zh(f"E{plain}")


def test_newline_escape() -> None:
    question = parse_one("Line one\\nline two {=a\\nb ~c}")
    assert question["stem"] == zh("Line one\nline two")
    assert question["options"][0]["text"] == zh("a\nb")


def test_escaped_backslash_before_n_is_not_a_newline() -> None:
    question = parse_one("C:\\\\new {=a ~b}")
    assert question["stem"] == zh("C:\\new")


def test_other_backslashes_are_kept() -> None:
    question = parse_one("Path a\\b \\x {=a ~b}")
    assert question["stem"] == zh("Path a\\b \\x")


def test_multi_line_question() -> None:
    text = "::multi-001::\n发现火情后，\n应当首先做什么？\n{\n  =报警\n  ~继续工作\n  ~离开不管\n}\n"
    question = parse_one(text)
    assert question["id"] == "multi-001"
    assert question["stem"] == zh("发现火情后，\n应当首先做什么？")
    assert [option["text"]["zh_CN"] for option in question["options"]] == ["报警", "继续工作", "离开不管"]


@pytest.mark.parametrize("marker", ["[html]", "[moodle]", "[markdown]", "[plain]"])
def test_format_markers_are_removed(marker: str) -> None:
    question = parse_one(f"::t1::{marker}<b>Bold</b> stem {{={marker}**yes**#{marker}fb ~no####{marker}Ex}}")
    assert question["stem"] == zh("<b>Bold</b> stem")
    assert question["options"][0]["text"] == zh("**yes**")
    assert question["options"][0]["feedback"] == zh("fb")
    assert question["explanation"] == zh("Ex")


def test_unknown_bracket_text_is_kept() -> None:
    question = parse_one("[note] Which? {=a ~b}")
    assert question["stem"] == zh("[note] Which?")


def test_missing_word_stem_gets_a_blank() -> None:
    question = parse_one("灭火器压力表指针在{=绿区 ~红区 ~黄区}表示压力正常。")
    assert question["stem"] == zh("灭火器压力表指针在____表示压力正常。")


def test_answer_block_at_the_end_leaves_no_blank() -> None:
    question = parse_one("Which?\n{=a ~b}")
    assert question["stem"] == zh("Which?")


def test_crlf_and_bom_are_accepted() -> None:
    question = parse_one("\ufeffWhich?\r\n{=a\r\n~b}\r\n")
    assert question["stem"] == zh("Which?")
    assert question["answer"] == ["a"]


# --- Unsupported kinds and errors ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("// c\n\nWho? {=no one =nobody}", 3, "short-answer questions are not supported"),
        ("Who? {=no one}", 1, "short-answer questions are not supported"),
        ("\n\nWho?\n{nobody}", 3, "short-answer questions are not supported"),
        ("Match. {=Canada -> Ottawa =Italy -> Rome}", 1, "matching questions are not supported"),
        ("// c\nWhen? {#1822:5}", 2, "numerical questions are not supported"),
        ("Range? {#1..5}", 1, "numerical questions are not supported"),
        ("\nDescribe a fire drill. {}", 2, "essay questions are not supported"),
        ("Describe. {####Only general feedback}", 1, "essay questions are not supported"),
        ("::intro:: Read the rules first.", 1, "description items are ignored"),
        ("Which? {=a ~b", 1, "unterminated answer block"),
        ("Which? =a ~b}", 1, "'}' without an opening '{'"),
        ("Pick. {~a ~b ~c}", 1, "no correct answer"),
        ("Pick. {~%-50%a ~%0%b}", 1, "no correct answer"),
        ("Which? {=a ~%50%b}", 1, "partial credit in single-choice questions is not supported"),
        ("Which? {=a =b ~c}", 1, "single-choice questions need exactly one correct answer"),
        ("Which? {~only}", 1, "choice questions need at least two options"),
        ("Pick. {~%150%a ~%-50%b}", 1, "answer weight 150% is outside -100% to 100%"),
    ],
)
def test_unsupported_or_broken_question_is_reported_and_skipped(text: str, line: int, message: str) -> None:
    assert problems_of(text) == [GiftProblem(line, message)]


def test_problem_lines_count_from_the_start_of_the_file() -> None:
    text = "// bank\n::ok-001:: Fine {T}\n\n// next one is numerical\n\n::n::\nHow many? {#3}\n\nAlso fine {F}"
    result = parse_gift(text, tag=TAG)
    assert [q["stem"]["zh_CN"] for q in result.questions] == ["Fine", "Also fine"]
    assert result.problems == [GiftProblem(6, "numerical questions are not supported")]


def test_blank_line_inside_a_question_splits_it_into_two_broken_items() -> None:
    result = parse_gift("Which? {\n=a\n\n~b\n}", tag=TAG)
    assert result.problems == [
        GiftProblem(1, "unterminated answer block"),
        GiftProblem(4, "'}' without an opening '{'"),
    ]


# --- Export --------------------------------------------------------------------------------


def bank_question(**overrides: Any) -> dict[str, Any]:
    question: dict[str, Any] = {
        "id": "basics-001",
        "type": "single",
        "difficulty": 1,
        "tags": ["basics.fire-science", "basics.triangle"],
        "source": "GB/T 4968-2008",
        "stem": {"zh_CN": "燃烧必须同时具备的三个条件是？", "en": "Which three conditions must be present?"},
        "options": [
            {"id": "a", "text": {"zh_CN": "可燃物、助燃物、引火源", "en": "Fuel, oxidiser, ignition"}},
            {
                "id": "b",
                "text": {"zh_CN": "可燃物、水、氧气", "en": "Fuel, water, oxygen"},
                "feedback": {"zh_CN": "水不是燃烧条件。", "en": "Water is not a condition."},
            },
        ],
        "answer": ["a"],
        "explanation": {"zh_CN": "燃烧三要素。", "en": "The fire triangle."},
    }
    question.update(overrides)
    return question


def test_export_single_choice() -> None:
    assert export_gift([bank_question()]) == (
        "// tags: basics.fire-science, basics.triangle\n"
        "::basics-001::燃烧必须同时具备的三个条件是？ {\n"
        "\t=可燃物、助燃物、引火源\n"
        "\t~可燃物、水、氧气#水不是燃烧条件。\n"
        "\t####燃烧三要素。\n"
        "}\n"
    )


def test_export_in_english() -> None:
    assert export_gift([bank_question()], lang="en").splitlines()[1:3] == [
        "::basics-001::Which three conditions must be present? {",
        "\t=Fuel, oxidiser, ignition",
    ]


def test_export_multiple_choice_uses_equal_split() -> None:
    options = [{"id": i, "text": zh(i.upper())} for i in "abcde"]
    question = bank_question(type="multiple", options=options, answer=["a", "b", "d"], explanation=zh(""))
    assert export_gift([question]).splitlines()[2:] == [
        "\t~%33.33333%A",
        "\t~%33.33333%B",
        "\t~%-50%C",
        "\t~%33.33333%D",
        "\t~%-50%E",
        "}",
    ]


def test_export_multiple_choice_uses_given_weights() -> None:
    options = [{"id": i, "text": zh(i.upper())} for i in "abc"]
    weights = {"a": 70, "b": 30, "c": -100}
    question = bank_question(type="multiple", options=options, answer=["a", "b"], weights=weights)
    assert export_gift([question]).splitlines()[2:5] == ["\t~%70%A", "\t~%30%B", "\t~%-100%C"]


def test_export_true_false() -> None:
    question = bank_question(type="true_false", answer=False, explanation=zh("会断电。"))
    del question["options"]
    assert export_gift([question]).splitlines()[1] == "::basics-001::燃烧必须同时具备的三个条件是？ {F####会断电。}"
    question = bank_question(type="true_false", answer=True, explanation=zh(""), feedback={"right": zh("对")})
    assert export_gift([question]).splitlines()[1].endswith("{T##对}")


def test_export_escapes_special_characters_and_newlines() -> None:
    question = bank_question(stem=zh("a~b=c#d{e}f:g\\h\ni"), options=[], explanation=zh(""), tags=[])
    assert export_gift([question]).splitlines()[0] == "::basics-001::a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni {"


def test_export_separates_questions_with_one_blank_line() -> None:
    text = export_gift([bank_question(), bank_question(id="basics-002")])
    assert text.count("\n\n") == 1
    assert text.endswith("}\n")


def test_export_rejects_unknown_types() -> None:
    with pytest.raises(ValueError):
        export_gift([bank_question(type="essay")])


# --- Round trips ---------------------------------------------------------------------------

SAMPLE_GIFT = r"""
// 消防基础题库
$CATEGORY: $course$/top/Basics/Fire Science

::Fire triangle::燃烧的三个条件是？{
    =可燃物、助燃物、引火源#正确。
    ~可燃物、水、氧气#水不是燃烧条件\: 它用来灭火。
    ~光、热、风
    ####三要素缺一不可。
}

::basics-lift::[html]火灾时可以乘坐<b>普通电梯</b>逃生。{FALSE#电梯可能断电。#对，走楼梯。####会断电。}

以下哪些是灭火的基本方法？{
    ~%50%冷却法
    ~%50%窒息法
    ~%-100%加热法#错误。
}

选择的权重 {~%70%甲 ~%30%乙 ~%-50%丙 ~%-50%丁}

灭火器压力表指针在{=绿区 ~红区}表示正常。

Escapes\: \{a\} \= b \~ c \# d \\ e\nnew line {T}

::bad:: 数值题 {#3}
"""


def test_round_trip_gift_to_dict_to_gift_to_dict() -> None:
    first = parse_gift(SAMPLE_GIFT, tag=TAG)
    assert first.problems == [GiftProblem(26, "numerical questions are not supported")]
    assert len(first.questions) == 6
    second = parse_gift(export_gift(first.questions), tag="other.tag")
    assert second.problems == []
    assert comparable(second.questions) == comparable(first.questions)


def test_round_trip_in_english() -> None:
    first = parse_gift(SAMPLE_GIFT, tag=TAG, lang="en")
    second = parse_gift(export_gift(first.questions, lang="en"), tag=TAG, lang="en")
    assert comparable(second.questions) == comparable(first.questions)


def test_round_trip_keeps_text_that_looks_like_syntax() -> None:
    options = [
        {"id": "a", "text": zh("[html] is kept"), "feedback": zh("[plain]too")},
        {"id": "b", "text": zh("%50% literally")},
        {"id": "c", "text": zh("a -> b //not a comment")},
        {"id": "d", "text": zh("T")},
    ]
    question = bank_question(stem=zh("[markdown]####\n::x::"), options=options, explanation=zh("[moodle]"))
    again = parse_gift(export_gift([question]), tag=TAG).questions
    assert comparable(again) == comparable([question])


# --- Properties ----------------------------------------------------------------------------

GIFT_TOKENS = [
    "{", "}", "~", "=", "#", "####", "::", "\\", "\\n", "\n", "\n\n", "->", "%50%", "%-100%", "%x%",
    "T", "FALSE", "$CATEGORY: a/b", "$CATEGORY:", "//", "[html]", "[", "]", "x", " ", "题", "\r", "\ufeff",
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_parse_never_raises_on_arbitrary_text(text: str) -> None:
    result = parse_gift(text, tag=TAG)
    assert all(isinstance(problem, GiftProblem) and problem.line >= 1 for problem in result.problems)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(GIFT_TOKENS), max_size=40).map("".join), st.sampled_from(["zh_CN", "en"]))
def test_parse_never_raises_on_gift_like_text(text: str, lang: str) -> None:
    result = parse_gift(text, tag=TAG, lang=lang)
    assert all(question["type"] in ("single", "multiple", "true_false") for question in result.questions)
    again = parse_gift(export_gift(result.questions, lang=lang), tag=TAG, lang=lang)
    assert again.problems == []
    assert comparable(again.questions) == comparable(result.questions)


texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r")).map(str.strip)
ids = st.from_regex(r"[a-z0-9][a-z0-9-]{2,20}", fullmatch=True)


@st.composite
def bank_questions(draw: st.DrawFn, question_id: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["single", "multiple", "true_false"]))
    question: dict[str, Any] = {"id": question_id, "type": kind, "stem": zh(draw(texts))}
    if kind == "true_false":
        question["answer"] = draw(st.booleans())
        feedback = {key: zh(value) for key in ("wrong", "right") if (value := draw(texts))}
        question["feedback"] = feedback or None
    else:
        count = draw(st.integers(2, 6))
        letters = list(string.ascii_lowercase[:count])
        question["options"] = [draw(options(letter)) for letter in letters]
        size = 1 if kind == "single" else draw(st.integers(1, count))
        question["answer"] = sorted(draw(st.lists(st.sampled_from(letters), min_size=size, max_size=size, unique=True)))
    question["explanation"] = zh(draw(texts))
    return question


@st.composite
def options(draw: st.DrawFn, letter: str) -> dict[str, Any]:
    option: dict[str, Any] = {"id": letter, "text": zh(draw(texts))}
    feedback = draw(texts)
    if feedback:
        option["feedback"] = zh(feedback)
    return option


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ids, min_size=1, max_size=4, unique=True).flatmap(lambda qids: st.tuples(*map(bank_questions, qids))))
def test_export_then_parse_reproduces_the_questions(questions: tuple[dict[str, Any], ...]) -> None:
    result = parse_gift(export_gift(list(questions)), tag=TAG)
    assert result.problems == []
    assert comparable(result.questions) == comparable(list(questions))


# --- Image, ordering and case questions ----------------------------------------------------

def _new_types() -> dict[str, dict]:
    import yaml

    from tests.conftest import FIXTURE_CONTENT

    bank = FIXTURE_CONTENT / "question_bank" / "sample-cases.yaml"
    return {q["id"]: q for q in yaml.safe_load(bank.read_text(encoding="utf-8"))["questions"]}


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_image_and_ordering_questions_round_trip(lang: str) -> None:
    from portal.domain.content.gift import exportable

    questions, skipped = exportable(_new_types().values())
    assert skipped == ["sample-102"]
    text = export_gift(questions, lang=lang)
    assert '[html]<p>' in text and '<img src\\="sample-201-corridor.svg" alt\\="' in text
    assert "-> 1" in text
    again = {q["id"]: q for q in parse_gift(text, tag=TAG, lang=lang).questions}
    for qid, original in _new_types().items():
        if qid == "sample-102":
            assert qid not in again
            continue
        back = again[qid]
        assert back["type"] == original["type"] and back["answer"] == original["answer"]
        assert back["stem"][lang] == original["stem"][lang]
        assert [o["text"][lang] for o in back["options"]] == [o["text"][lang] for o in original["options"]]
        if original["type"] == "image":
            assert back["image"]["file"] == original["image"]["file"]
            assert back["image"]["alt"][lang] == original["image"]["alt"][lang]


def test_export_refuses_a_case_question_by_name() -> None:
    with pytest.raises(ValueError, match="'sample-102': a case question has no GIFT form"):
        export_gift([_new_types()["sample-102"]])


def test_matching_with_positions_is_an_ordering_question() -> None:
    question = parse_one("::steps:: Order them. {=Second -> 2 =First -> 1 =Third -> 3}")
    assert question["type"] == "ordering" and question["answer"] == ["b", "a", "c"]
    assert [o["text"]["zh_CN"] for o in question["options"]] == ["Second", "First", "Third"]
    assert problems_of("Order. {=A -> 1 =B -> 1 =C -> 3}") == [GiftProblem(1, "matching questions are not supported")]


def test_an_html_stem_without_a_picture_stays_a_choice_question() -> None:
    question = parse_one("[html]Which <b>one</b>? {=a ~b}")
    assert question["type"] == "single" and "image" not in question
