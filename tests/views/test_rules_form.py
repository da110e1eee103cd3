"""The office's rules form: it shows the rules in force, saves what it shows as the same rules, never makes a
file the loader refuses, and answers bad input next to the field with what was typed kept."""
from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.domain.workforce.rules import RuleProblems, current_rules, dump_rules, parse_rules, repository_rules_text
from portal.models import AuditEvent, Course, KeyGroup, ORGANIZATION_KINDS, RuleSet
from tests.factories import make_course, make_user

SHIPPED = parse_rules(repository_rules_text())


class FormReader(HTMLParser):
    """What a browser would submit from the page's rules form, unchanged (checked boxes, values, textareas)."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.textarea = action, False, None
        self.data = MultiDict()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action and attrs.get("method") == "post"
        elif self.inside and tag == "input" and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.add(attrs["name"], attrs.get("value", ""))
        elif self.inside and tag == "textarea":
            self.textarea = attrs["name"]
            self.data.add(self.textarea, "")

    def handle_data(self, data):
        if self.textarea:
            values = self.data.getlist(self.textarea)
            self.data.setlist(self.textarea, values[:-1] + [values[-1] + data])

    def handle_endtag(self, tag):
        if tag == "textarea":
            if self.textarea:  # a browser drops the newline that follows <textarea>
                values = self.data.getlist(self.textarea)
                self.data.setlist(self.textarea, values[:-1] + [values[-1].removeprefix("\n")])
            self.textarea = None
        elif tag == "form":
            self.inside = False


def page_form(client, url="/office/rules") -> MultiDict:
    reader = FormReader(url)
    reader.feed(client.get(url).get_data(as_text=True))
    assert reader.data, "the page has no rules form"
    return reader.data


@pytest.fixture
def office(session, login, client):
    for code in sorted(SHIPPED.course_codes()):
        make_course(code)
    user = make_user("office_admin")
    session.commit()
    login(user)
    return user


def without_text(rules):
    return dataclasses.replace(rules, text="", posts={})


def test_the_shipped_rules_come_back_the_same_through_the_form(client, session, office):
    data = page_form(client)
    assert data.getlist("onboarding_by_kind-public_gathering") == ["public-gathering-staff"]
    data["action"] = "preview"
    page = client.post("/office/rules", data=data).get_data(as_text=True)
    assert 'id="rules-preview"' in page and "Confirm" in page or "确认" in page
    data["action"], data["note"] = "confirm", "from the form"
    assert client.post("/office/rules", data=data).status_code == 302
    saved = session.scalar(select(RuleSet).order_by(RuleSet.id.desc()))
    assert saved.note == "from the form"
    assert without_text(parse_rules(saved.text, strict=True)) == without_text(SHIPPED)
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "rules.change")) is not None


def test_the_dump_of_the_shipped_rules_loads_as_the_same_rules():
    assert without_text(parse_rules(dump_rules(SHIPPED), strict=True)) == without_text(SHIPPED)


def test_a_change_in_the_form_is_previewed_then_saved_as_yaml(client, session, office):
    data = page_form(client)
    row = next(key for key, code in data.items() if key.endswith("-code") and code == "grid_worker").split("-")[1]
    data["periodic-public_gathering-months"] = "3"
    data.setlist(f"groups-{row}-courses", ["grid-worker", "all-staff-basics"])
    data[f"groups-{row}-valid_months"] = ""
    data["action"] = "preview"
    assert client.post("/office/rules", data=data).status_code == 200
    assert session.scalar(select(RuleSet)) is None  # a preview saves nothing
    data["action"] = "confirm"
    assert client.post("/office/rules", data=data).status_code == 302
    rules = current_rules(session)
    assert rules.periodic["public_gathering"].months == 3
    assert rules.groups["grid_worker"].courses == ("grid-worker", "all-staff-basics")
    assert rules.groups["grid_worker"].valid_months is None
    assert "months: 3" in session.scalar(select(RuleSet.text))
    # the page shows the saved rules again
    again = page_form(client)
    assert again["periodic-public_gathering-months"] == "3"


def test_a_group_with_no_course_ticked_leaves_the_rules(client, session, office):
    data = page_form(client)
    row = next(key for key, value in data.items() if key.endswith("-code") and value == "committee_staff")
    data.setlist(row.replace("-code", "-courses"), [])
    data["action"] = "confirm"
    assert client.post("/office/rules", data=data).status_code == 302
    assert "committee_staff" not in current_rules(session).groups


BAD = [
    ("periodic-key_unit-months", "twelve", "Enter a whole number such as 30."),
    ("periodic-key_unit-months", "0", "Between 1 and 120 months."),
    ("periodic-general-months", "", "Enter a number of months."),
    ("drills-public_gathering-months", "0", "Between 1 and 120 months."),
    ("drills-general-months", "", "Enter a number of months."),
    ("renewal_lead_days", "-3", "Enter a whole number such as 30."),
    ("renewal_lead_days", "99999", "Between 0 and 3650 days."),
    ("onboarding_due_days", "１２", "Enter a whole number such as 30."),
    ("onboarding_basis", "   ", "Give the legal basis of this rule."),
    ("transfer_basis", "", "Give the legal basis of this rule."),
    ("groups-0-valid_months", "0", "Between 1 and 120 months."),
    ("groups-0-due_days", "1.5", "Enter a whole number such as 30."),
    ("groups-0-basis", "", "Give the legal basis of this rule."),
    ("onboarding_courses", "no-such-course", "Choose courses from the list."),
]


@pytest.mark.parametrize("name, value, message", BAD)
def test_bad_input_is_answered_next_to_its_field_and_kept(client, session, office, name, value, message):
    client.set_cookie("lang", "en")
    data = page_form(client)
    if name.startswith("groups-0-"):  # the row of a group that has courses
        row = next(key for key, code in data.items() if key.endswith("-code") and code == "safety_manager")
        name = name.replace("groups-0-", row.removesuffix("code"))
    data.setlist(name, [value])
    data["action"] = "confirm"
    response = client.post("/office/rules", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    field_id = name
    assert f'<p class="error" id="{field_id}-error">{message}' in page
    if name.endswith("courses"):
        assert 'value="no-such-course"' not in page  # an unknown course is no box to tick
    elif name.endswith("basis"):
        assert f'<textarea aria-describedby="{field_id}-error" aria-invalid="true" id="{field_id}"' in page
    else:
        assert f'value="{value}"' in page
    assert session.scalar(select(RuleSet)) is None


def test_a_note_too_long_is_answered_next_to_it(client, session, office):
    data = page_form(client)
    data["note"] = "x" * 301
    data["action"] = "confirm"
    page = client.post("/office/rules", data=data).get_data(as_text=True)
    assert '<p class="error" id="note-error">' in page and session.scalar(select(RuleSet)) is None


def test_a_page_opened_before_a_key_group_was_added_saves_nothing(client, session, office):
    client.set_cookie("lang", "en")
    data = page_form(client)
    session.add(KeyGroup(code="elevator_staff", name_zh="电梯管理人员", name_en="Elevator staff", sort_order=99))
    session.commit()
    data["action"] = "confirm"
    page = client.post("/office/rules", data=data).get_data(as_text=True)
    assert "The key groups have changed since this page was opened" in page
    assert session.scalar(select(RuleSet)) is None


def test_the_yaml_editor_stays_as_the_advanced_tab(client, session, office):
    page = client.get("/office/rules?editor=yaml").get_data(as_text=True)
    assert "<textarea" in page and "renewal_lead_days: 30" in page
    text = repository_rules_text().replace("months: 6", "months: 4")
    data = {"text": text, "note": "by hand", "action": "confirm"}
    assert client.post("/office/rules?editor=yaml", data=data).status_code == 302
    assert current_rules(session).periodic["public_gathering"].months == 4


# ------------------------------------------------------------------ the form never makes a file the loader refuses

COURSES = ["all-staff-basics", "grid-worker", "job-transfer"]
GROUPS = ["grid_worker", "safety_manager"]
# Mostly numbers the form takes, so that many drawn forms are accepted and reach the loader.
NUMBER = st.one_of(st.integers(1, 120).map(str), st.integers(0, 3650).map(str), st.integers(1, 120).map(str),
                   st.integers(-5, 99999).map(str), st.sampled_from(["", " 7 ", "1e3", "٣", "12.0", "0x10", "007"]),
                   st.text(max_size=6))
COURSE_LISTS = st.lists(st.sampled_from([*COURSES, "retired-course", ""]), max_size=4, unique=True)
BASIS = st.one_of(st.text(min_size=1, max_size=40), st.text(max_size=40),
                  st.sampled_from(["", "  ", "第三十六条", "- a: [b", "null", "123", "'", "a: b", "#", "|\n x"]))


@st.composite
def form_input(draw) -> MultiDict:
    # Half the forms draw only values the fields take, so that many reach the loader; the rest draw anything.
    if draw(st.booleans()):
        number, basis = st.integers(1, 120).map(str), st.text(min_size=1, max_size=40).filter(str.strip)
        courses = st.lists(st.sampled_from(COURSES), max_size=3, unique=True)
    else:
        number, basis, courses = NUMBER, BASIS, COURSE_LISTS
    data = MultiDict({"renewal_lead_days": draw(number), "onboarding_due_days": draw(number),
                      "onboarding_basis": draw(basis), "transfer_basis": draw(basis), "note": draw(st.text(max_size=5))})
    data.setlist("onboarding_courses", draw(courses))
    data.setlist("transfer_courses", draw(courses))
    for kind in ORGANIZATION_KINDS:
        data[f"periodic-{kind}-months"] = draw(number)
        data[f"periodic-{kind}-basis"] = draw(basis)
        data[f"drills-{kind}-months"] = draw(number)
        data[f"drills-{kind}-basis"] = draw(basis)
        data.setlist(f"onboarding_by_kind-{kind}", draw(courses))
    for row, code in enumerate(GROUPS):
        data[f"groups-{row}-code"] = code
        data.setlist(f"groups-{row}-courses", draw(courses))
        for name in ("due_days", "valid_months"):
            data[f"groups-{row}-{name}"] = draw(number)
        data[f"groups-{row}-basis"] = draw(basis)
    return data


def test_what_the_form_accepts_the_loader_accepts(app):
    from portal.office.rules_form import RulesEditForm

    accepted = []

    @settings(max_examples=300, deadline=None)
    @given(data=form_input())
    def check(data):
        with app.test_request_context("/office/rules", method="POST", data=data):
            form = RulesEditForm(meta={"csrf": False}, course_choices=[(c, c) for c in COURSES], group_codes=GROUPS)
            if not form.validate():
                return
            text = dump_rules(form.to_rules())
        accepted.append(text)
        try:
            parse_rules(text, courses=set(COURSES), groups=set(GROUPS), strict=True)
        except RuleProblems as error:  # pragma: no cover - the failure message
            pytest.fail(f"the loader refused what the form accepted: {error}\n{text}")

    check()
    assert len(accepted) >= 10, "too few drawn forms were valid to say anything about the loader"


def test_the_rules_page_offers_only_courses_in_use(client, session, office):
    session.scalar(select(Course).where(Course.code == "grid-worker")).retired = True
    session.commit()
    data = page_form(client)
    assert "grid-worker" not in data.getlist(f"groups-{0}-courses") + [v for _k, v in data.items(multi=True)]
