"""What the HR API accepts, as pydantic models: the one definition of a valid request.

The views validate every path, query string and body with these models (portal.api.parsing) and
/api/v1/openapi.json publishes their JSON schemas (portal.api.openapi), so the two cannot drift. Each
constraint is the domain's own rule (portal.domain.platform.validators, roster, posts, compliance), stated in JSON
Schema where JSON Schema can state it. What depends on stored data (the post catalogue, the roster) or
cannot be stated (an ID number's check character) the descriptions say; the API answers it with 422.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import PydanticCustomError

from portal.domain.workforce import compliance, drills, posts, roster
from portal.models.drills import DRILL_KINDS
from portal.domain.platform.errors import ValidationError
from portal.domain.platform.validators import (
    DEPARTMENT_MAX_LENGTH, ID_RULE, MOBILE_INPUT_PATTERN, MOBILE_RULE, normalize_department, normalize_id_number,
    normalize_mobile
)

EMPLOYEE_FILTERS = ("active", "left", "all")
ASSIGNMENT_FILTERS = ("open", "completed", "closed", "overdue")
PER_PAGE_MAX = 100
MAX_PAGE = 100_000
GROUP_CODE_MAX_LENGTH = 40  # KeyGroup.code
GROUPS_MAX = 20


# --- patterns: what the domain's rules allow, in the regular expressions JSON Schema, Python and pydantic share --

def _char_class(chars: list[str]) -> str:
    """A [...] body of these characters, as \\uXXXX ranges (every regex dialect here reads those alike)."""
    codes, ranges = sorted(map(ord, chars)), []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


# What str.strip() removes (the roster strips names and posts); all of it lies in the first 0x3001 code points.
WHITESPACE = _char_class([chr(c) for c in range(0x3001) if chr(c).isspace()])
TEXT = r"^[^\u0000]*$"  # NUL is valid JSON but no database stores it
NOT_BLANK = rf"^[^\u0000]*[^\u0000{WHITESPACE}][^\u0000]*$"  # and something besides spaces


def _years(first: date, last: date) -> str:
    """The years first..last as a regex alternation of centuries (the bounds must be whole centuries)."""
    assert (first.month, first.day, first.year % 100) == (1, 1, 0)
    assert (last.month, last.day, last.year % 100) == (12, 31, 99)
    return "|".join(str(century) for century in range(first.year // 100, last.year // 100 + 1))


DAY_FORM = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DAY = rf"^(?:{_years(roster.FIRST_DAY, roster.LAST_DAY)})[0-9]{{2}}-[0-9]{{2}}-[0-9]{{2}}$"
ID_NUMBER = r"^(?:[0-9]{17}[0-9Xx])?$"


# --- field types ---------------------------------------------------------------------------------------------------

def _domain(rule):
    """An after-validator running a domain check; its message becomes the error's (rendered by the caller's locale)."""

    def check(value):
        try:
            return rule(value)
        except ValidationError as error:
            raise PydanticCustomError("domain_rule", "{rule}", {"rule": str(error.message)}) from None

    return AfterValidator(check)


def _real_day(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("not_a_real_date", "not a real date") from None
    roster.check_day(day, "")
    return day


def _id_number(value: str) -> str | None:
    return normalize_id_number(value) if value else None


def _whole_number(value: Any) -> Any:
    """Query strings carry text: ASCII digits are a number, anything else is not."""
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()):
            raise PydanticCustomError("whole_number", "not a whole number")
        return int(value)
    return value


Mobile = Annotated[str, Field(pattern=MOBILE_INPUT_PATTERN.pattern,
                              description="Mainland China mobile number (11 digits, 13 to 19); +86, spaces and "
                                          "dashes are ignored."), _domain(normalize_mobile)]
Name = Annotated[str, Field(min_length=1, max_length=roster.NAME_MAX_LENGTH, pattern=NOT_BLANK)]
POST_TEXT = ("The post, by its name or another name in the district's post catalogue (GET /posts); some posts carry "
             "their own courses. A post the catalogue does not know is refused (422 unknown_post).")
Post = Annotated[str, Field(max_length=posts.MAX_LENGTH, pattern=TEXT, description=POST_TEXT + " Empty: no post.")]
NamedPost = Annotated[str, Field(min_length=1, max_length=posts.MAX_LENGTH, pattern=NOT_BLANK, description=POST_TEXT)]
Day = Annotated[str, Field(pattern=DAY, json_schema_extra={"format": "date"},
                           description=f"ISO date, such as 2026-03-01, from {roster.FIRST_DAY} to {roster.LAST_DAY}."),
                _domain(_real_day)]
Department = Annotated[str, Field(max_length=DEPARTMENT_MAX_LENGTH, pattern=TEXT), _domain(normalize_department)]
DEPARTMENT_TEXT = ("The person's department in your organization (安保部, 工程部...), as your HR system names it; spaces "
                   "are collapsed.")
GroupCode = Annotated[str, Field(min_length=1, max_length=GROUP_CODE_MAX_LENGTH)]
GROUPS_TEXT = ("Key group codes. The training office keeps the list and may add groups: the served document lists "
               "this portal's codes; another code is refused (422).")
Groups = Annotated[list[GroupCode], Field(max_length=GROUPS_MAX)]
IdNumber = Annotated[str, Field(max_length=18, pattern=ID_NUMBER), _domain(_id_number)]
ID_NUMBER_TEXT = ("18-character resident ID number (GB 11643-1999); its check character and date of birth must be "
                  "right (422 invalid_value otherwise).")
Page = Annotated[int, Field(ge=1, le=MAX_PAGE), BeforeValidator(_whole_number)]
PerPage = Annotated[int, Field(ge=1, le=PER_PAGE_MAX), BeforeValidator(_whole_number)]

# The message of each pattern, for whoever breaks it: (path, value) -> English text or a lazy domain message.
PATTERN_MESSAGES = {
    MOBILE_INPUT_PATTERN.pattern: lambda path, value: MOBILE_RULE,
    ID_NUMBER: lambda path, value: ID_RULE,
    NOT_BLANK: lambda path, value: roster.NAME_RULE if path == "real_name" else f"'{path}' must not be empty.",
    TEXT: lambda path, value: f"'{path}' must not hold a NUL character (\\u0000).",
    DAY: lambda path, value: _day_message(path, value),
}


def _day_message(path: str, value: str) -> Any:
    if re.fullmatch(DAY_FORM, value):
        try:
            roster.check_day(date.fromisoformat(value), path)
        except ValidationError as error:
            return error.message
        except ValueError:
            return f"'{path}' is not a real date: {value}."
    return f"'{path}' must be a date in the form YYYY-MM-DD, such as 2026-03-01, not {value!r}."


# --- the requests --------------------------------------------------------------------------------------------------

class Request(BaseModel):
    """JSON as sent: no conversions (a number is not a string), no unknown fields."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class EmployeeInput(Request):
    """The whole record of one person (groups default to all_staff)."""

    real_name: Name
    post: Post
    start_date: Optional[Day] = None
    groups: Groups = Field(["all_staff"], description=GROUPS_TEXT + " all_staff is always added.")
    id_number: Optional[IdNumber] = Field(None, json_schema_extra={"writeOnly": True},
                                          description=ID_NUMBER_TEXT + " Null, empty or absent keeps the one on file.")
    department: Optional[Department] = Field(None, description=DEPARTMENT_TEXT + " Null or absent keeps the one on "
                                                                                 "file; empty clears it.")


class HireEvent(Request):
    """A hire (or re-hire of someone who left): onboarding is assigned."""

    type: Literal["hire"]
    mobile: Mobile
    real_name: Name
    post: Post
    start_date: Day
    groups: Groups = Field(["all_staff"], description=GROUPS_TEXT + " all_staff is always added.")
    id_number: Optional[IdNumber] = Field(None, json_schema_extra={"writeOnly": True},
                                          description=ID_NUMBER_TEXT + " Null or empty: none given.")
    department: Optional[Department] = Field(None, description=DEPARTMENT_TEXT + " Null or absent: none for a new "
                                                                                 "person, a re-hired one keeps theirs.")


class TransferEvent(Request):
    """A move to a new post: its training is due before it starts."""

    type: Literal["transfer"]
    mobile: Mobile
    post: NamedPost
    effective_on: Day
    groups: Groups = Field(default_factory=list, description="The key groups of the new post; absent keeps the "
                                                             "current ones. " + GROUPS_TEXT)


class LeaveEvent(Request):
    """The person leaves: open training closes, history is kept."""

    type: Literal["leave"]
    mobile: Mobile
    left_on: Day


EVENTS = (HireEvent, TransferEvent, LeaveEvent)
Event = TypeAdapter(Annotated[Union[EVENTS], Field(discriminator="type")])
EVENT_TYPES = tuple(model.model_fields["type"].annotation.__args__[0] for model in EVENTS)


class EmployeePath(Request):
    mobile: Annotated[Mobile, Field(description="The person's mobile number.")]


class NoQuery(Request):
    pass


class EmployeeFilter(Request):
    status: Literal[EMPLOYEE_FILTERS] = Field("active", description="Active staff (default), people who left, or all.")
    standing: Literal[compliance.STATUSES] = Field(None, description="Only active people with this training standing.")
    page: Page = 1
    per_page: PerPage = 50


class AssignmentFilter(Request):
    mobile: Annotated[Mobile, Field(description="Only this person's assignments.")] = None
    status: Literal[ASSIGNMENT_FILTERS] = Field(None, description="overdue: open and past the due date.")
    page: Page = 1
    per_page: PerPage = 50


class DrillInput(Request):
    held_on: Annotated[Day, Field(description=f"The day the drill was held: today or up to {drills.RECORD_DAYS_BACK} "
                                              "days before (a future drill is planned on the portal).")]
    kind: Literal[DRILL_KINDS] = Field(description="evacuation, extinguisher (use of extinguishers), micro_station "
                                                   "(micro fire station turnout) or tabletop.")
    scenario: Annotated[str, Field(min_length=1, max_length=drills.TEXT_LIMITS["scenario"], pattern=NOT_BLANK,
                                   description="What was drilled, e.g. a fire in the food court's kitchen.")]
    places: Annotated[str, Field(min_length=1, max_length=drills.TEXT_LIMITS["places"], pattern=NOT_BLANK,
                                 description="Buildings, floors or areas the drill covered.")]
    duration_minutes: Optional[Annotated[int, Field(ge=1, le=drills.MAX_DURATION_MINUTES)]] = None
    summary: Annotated[str, Field(max_length=drills.TEXT_LIMITS["summary"], pattern=TEXT,
                                  description="Findings: what went well and what was found.")] = ""
    participants: Annotated[list[Annotated[Mobile, Field(max_length=20)]], Field(max_length=1000, description=(
        "Mobiles of the people on the roster who took part (at most 1,000 a request: the body stays under 64 KiB); "
        "one not on the active roster refuses the request (422, field participants)."))] = []


class CommitmentFilter(Request):
    status: Literal[("to_sign", "expired", "training_first", "signed")] = Field(
        None, description="Only duties in this state: to_sign (training complete, not signed), expired (training "
                          "renewed, sign again), training_first, signed.")


# --- their JSON schemas --------------------------------------------------------------------------------------------

class TidySchema(GenerateJsonSchema):
    """pydantic's JSON schema without titles and without `default: null` (absent means no filter)."""

    def field_title_should_be_set(self, schema) -> bool:
        return False

    def generate(self, schema, mode="validation"):
        return _tidy(super().generate(schema, mode))


def _tidy(node: Any, in_properties: bool = False) -> Any:
    """Without model titles (the component's name says it) and null defaults."""
    if isinstance(node, dict):
        return {key: _tidy(value, key == "properties" and not in_properties) for key, value in node.items()
                if in_properties or not (key == "title" or (key == "default" and value is None))}
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    return node


REF = "#/components/schemas/{model}"


@lru_cache(maxsize=None)
def json_schema(model: type[BaseModel] | TypeAdapter) -> dict:
    """The JSON schema of a request model (with `$defs` of what it refers to), as the document publishes it.
    Shared: copy before changing it."""
    if isinstance(model, TypeAdapter):
        return model.json_schema(ref_template=REF, schema_generator=TidySchema)
    return model.model_json_schema(ref_template=REF, schema_generator=TidySchema)
