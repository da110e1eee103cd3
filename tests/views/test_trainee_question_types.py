"""Image, ordering and case questions as a trainee answers them over HTTP, and what the result page reveals."""
from __future__ import annotations

import re

import pytest

from portal.domain.content import questions as qtypes
from portal.domain.content.sync import sync_content
from portal.models import Attempt, AttemptItem
from tests.conftest import FIXTURE_CONTENT
from tests.factories import key_groups, make_org, make_user

PICTURE = (FIXTURE_CONTENT / "question_bank/media/sample-201-corridor.svg").read_bytes()


@pytest.fixture
def trainee_user(session):
    sync_content(session, FIXTURE_CONTENT)
    user = make_user("trainee", org=make_org())
    user.trainee.groups = key_groups("all_staff", "grid_worker")  # the fixture course of the new types
    session.commit()
    return user


@pytest.fixture
def attempt(client, login, trainee_user, session) -> Attempt:
    login(trainee_user)
    client.set_cookie("lang", "en")
    response = client.post("/me/courses/sample-types/quiz")
    attempt_id = int(re.search(r"/me/attempts/(\d+)", response.headers["Location"]).group(1))
    return session.get(Attempt, attempt_id)


def items(attempt) -> dict[str, AttemptItem]:
    return {item.question_version.data["id"]: item for item in attempt.items}


def test_quiz_page_shows_each_type_accessibly(client, attempt):
    page = client.get(f"/me/attempts/{attempt.id}").get_data(as_text=True)
    by_code = items(attempt)
    picture = by_code["sample-201"].question_version.data["image"]
    src = re.search(r'<img src="([^"]+/qb-sample-201-corridor\.svg)" alt="([^"]+)"', page)
    assert src and src.group(2) == picture["alt"]["en"] and "wrong" not in src.group(2).lower()
    assert f'width="{picture["size"][0]}" height="{picture["size"][1]}"' in page
    served = client.get(src.group(1))
    assert served.data == PICTURE and "sandbox" in served.headers["Content-Security-Policy"]
    served.close()
    # one answer: radio buttons; several: checkboxes saying so
    assert f'type="radio" data-answer="{by_code["sample-201"].id}"' in page
    assert f'type="checkbox" data-answer="{by_code["sample-202"].id}"' in page
    # ordering: one labelled select per step, the steps in the attempt's (shuffled) order
    ordering = by_code["sample-101"]
    assert page.count(f'<select name="answer-{ordering.id}"') == 4
    for n in range(1, 5):
        assert f"<span>Step {n}</span>" in page
    # the case is shown once, as a region each part's fieldset points at
    case = by_code["sample-102"]
    assert page.count("At 10 p.m. the fire control room") == 1
    assert f'<div class="case" id="case-{case.id}" role="region"' in page
    assert page.count(f'aria-describedby="case-{case.id}"') == 3
    assert f'name="answer-{case.id}-p3" value="3:false"' in page


def test_the_page_form_saves_and_submits_every_type(client, attempt, session):
    by_code = items(attempt)
    ordering, case = by_code["sample-101"], by_code["sample-102"]
    form = {"item": [str(i.id) for i in attempt.items], "then": "submit",
            f"answer-{by_code['sample-201'].id}": "b", f"answer-{by_code['sample-202'].id}": ["a", "b"],
            f"answer-{ordering.id}": ["b", "a", "d", "c"],
            f"answer-{case.id}-p1": "1:a", f"answer-{case.id}-p2": ["2:a", "2:b"], f"answer-{case.id}-p3": "3:true"}
    response = client.post(f"/me/attempts/{attempt.id}/answers", data=form)
    assert response.headers["Location"] == f"/me/attempts/{attempt.id}/result"
    session.expire_all()
    assert session.get(AttemptItem, ordering.id).answer == ["b", "a", "d", "c"]
    assert session.get(AttemptItem, case.id).answer == ["1:a", "2:a", "2:b", "3:true"]
    assert [session.get(AttemptItem, i.id).correct for i in (by_code["sample-201"], by_code["sample-202"], ordering,
                                                               case)] == [True, True, False, False]
    assert session.get(Attempt, attempt.id).score == 50.0


def test_autosave_takes_one_question_and_refuses_tampering(client, attempt, session):
    by_code = items(attempt)
    ordering, case = by_code["sample-101"], by_code["sample-102"]
    url = f"/me/attempts/{attempt.id}/answers"
    json = {"Accept": "application/json"}
    saved = client.post(url, data={"item": case.id, f"answer-{case.id}": ["2:b", "1:a"]}, headers=json)
    assert saved.json["saved"] is True
    saved = client.post(url, data={"item": ordering.id, f"answer-{ordering.id}": ["c", "", "", ""]}, headers=json)
    assert saved.json["saved"] is True
    for item, values in ((case, ["1:a", "1:b"]), (case, ["9:a"]), (ordering, ["c", "a"]), (ordering, ["x", "", "", ""]),
                         (by_code["sample-201"], ["a", "b"])):
        refused = client.post(url, data={"item": item.id, f"answer-{item.id}": values}, headers=json)
        assert refused.status_code == 400 and refused.json["saved"] is False
    session.expire_all()
    assert session.get(AttemptItem, case.id).answer == ["1:a", "2:b"]
    assert session.get(AttemptItem, ordering.id).answer == ["c", "", "", ""]
    page = client.get(f"/me/attempts/{attempt.id}").get_data(as_text=True)
    assert '<option value="c" selected>' in page and 'value="1:a" checked' in page


def answer(client, attempt, *, right: bool) -> None:
    form = {"item": [str(i.id) for i in attempt.items], "then": "submit", "confirm": "yes"}
    for item in attempt.items:
        data, kind = item.question_version.data, item.question_version.qtype
        values = qtypes.get(kind).correct(data)
        if not right and kind in ("ordering", "scenario"):
            values = list(reversed(values)) if kind == "ordering" else []
        form[f"answer-{item.id}"] = values
    client.post(f"/me/attempts/{attempt.id}/answers", data=form)


def test_a_failed_attempt_never_shows_the_right_order_or_the_right_parts(client, attempt, session):
    answer(client, attempt, right=False)
    session.expire_all()
    assert session.get(Attempt, attempt.id).passed is False
    page = client.get(f"/me/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "Correct answer:" not in page and "Lift, pull, aim, squeeze." not in page
    assert "Never reset it." not in page and "Confirm, call, broadcast." not in page
    your_order = re.search(r"Your answer:</p>\s*<ol>(.*?)</ol>", page, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", your_order) == ["Squeeze the handle", "Aim at the base of the flames",
                                                         "Pull the safety pin", "Lift the extinguisher"]
    assert 'alt="A corridor with the entrance door' in page


def test_a_passed_attempt_shows_the_right_order_each_part_and_the_explanations(client, attempt, session):
    answer(client, attempt, right=True)
    page = client.get(f"/me/attempts/{attempt.id}/result").get_data(as_text=True)
    correct_order = re.search(r"Correct answer:</p>\s*<ol>(.*?)</ol>", page, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", correct_order) == ["Lift the extinguisher", "Pull the safety pin",
                                                            "Aim at the base of the flames", "Squeeze the handle"]
    assert "Lift, pull, aim, squeeze." in page and "Never reset it." in page and "Confirm, call, broadcast." in page
    case = re.search(r'<ol class="parts">(.*?)</ol>', page, re.S).group(1)
    assert case.count("✓ Answered correctly") == 3
    assert "Correct answer: Call 119; Start the emergency broadcast" in case


def test_a_case_or_an_order_left_half_done_counts_as_unanswered(client, attempt, session):
    by_code = items(attempt)
    ordering, case = by_code["sample-101"], by_code["sample-102"]
    form = {"item": [str(i.id) for i in attempt.items], "then": "submit",
            f"answer-{by_code['sample-201'].id}": "b", f"answer-{by_code['sample-202'].id}": ["a", "b"],
            f"answer-{ordering.id}": ["b", "a", "", "c"], f"answer-{case.id}-p1": "1:a"}
    page = client.post(f"/me/attempts/{attempt.id}/answers", data=form).get_data(as_text=True)
    assert "2 questions have no answer yet" in page
    assert f"#q{ordering.position}" in page and f"#q{case.position}" in page
    assert session.get(Attempt, attempt.id).status == "open"
    session.expire_all()
    assert session.get(AttemptItem, case.id).answer == ["1:a"]
