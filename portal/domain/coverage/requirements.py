"""Which courses make a person "covered" in a key group, encoded as bit masks for SQL.

A group's required courses are `rules.groups[code].courses` when the rules name the group;
otherwise (all_staff, key_unit_staff, any group the office adds) the onboarding courses plus
`rules.onboarding_by_kind[org.kind]` for people with an employer. As in the scheduler, a course the
rules name but the catalogue lacks (or has retired) is skipped; a group left with no course at all
cannot be covered (its mask is a bit nobody holds).

Each relevant course gets one bit; a person's valid completions add up (SUM DISTINCT) to a mask,
and they are covered in a group when `held & required == required`. Both SQLite and PostgreSQL do
integer `&`, so the whole computation stays one GROUP BY query.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, literal_column, select
from sqlalchemy.orm import Session

from portal.domain.workforce.rules import Rules
from portal.models import ORGANIZATION_KINDS, Course, KeyGroup

MAX_COURSES = 62  # bits of a signed 64-bit integer, with room to spare


@dataclass(frozen=True)
class GroupInfo:
    id: int
    code: str
    name_zh: str
    name_en: str
    sort_order: int

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh


@dataclass(frozen=True)
class CourseInfo:
    id: int
    code: str
    title_zh: str
    title_en: str

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" else self.title_zh


@dataclass
class Requirements:
    """Required courses of every active key group, as masks over the relevant courses."""

    groups: list[GroupInfo]
    courses: dict[int, CourseInfo]  # course id -> course
    bits: dict[int, int]  # course id -> bit
    named: dict[int, int]  # group id -> mask, for groups the rules name
    onboarding: int  # mask of the onboarding courses
    by_kind: dict[str, int]  # organization kind -> mask of onboarding + by-kind courses
    impossible: int  # a bit no completion carries

    def group(self, code_or_id) -> GroupInfo | None:
        for group in self.groups:
            if code_or_id in (group.code, group.id):
                return group
        return None

    def mask(self, group_id: int, kind: str | None) -> int:
        """The required mask of a group for a person whose employer is of `kind` (None: no employer)."""
        mask = self.named.get(group_id)
        if mask is None:
            mask = self.by_kind.get(kind, self.onboarding) if kind else self.onboarding
        return mask or self.impossible

    def missing_bits_sql(self, group_column, kind_column):
        """~mask(group, kind) as a SQL expression: every bit but the required ones. A person is covered
        when `held | ~required` has every bit set (= -1), which reads the CASE once, not twice."""
        def constant(mask: int):
            return literal_column(str(~int(mask or self.impossible)))

        whens = [] if group_column is None else [(group_column == group_id, constant(mask))
                                                  for group_id, mask in self.named.items()]
        whens += [(kind_column == kind, constant(mask)) for kind, mask in self.by_kind.items()]
        return case(*whens, else_=constant(self.onboarding))

    def group_missing_bits_sql(self, group_id: int, kind_column):
        """missing_bits_sql() for one group: depends on the employer's kind only."""
        if group_id in self.named:
            return literal_column(str(~int(self.named[group_id] or self.impossible)))
        return self.missing_bits_sql(None, kind_column)

    def bit_sql(self, course_column):
        """The bit of a course id column (0 for courses that matter to no group), constants inlined."""
        if not self.bits:
            return literal_column("0")
        return case(*[(course_column == cid, literal_column(str(bit))) for cid, bit in self.bits.items()],
                    else_=literal_column("0"))

    def course_ids(self) -> list[int]:
        return sorted(self.bits)

    def courses_of(self, mask: int) -> list[CourseInfo]:
        return [self.courses[cid] for cid, bit in self.bits.items() if mask & bit]

    def kind_mask(self, kind: str | None) -> int:
        """The all-staff courses (onboarding plus the employer kind's) of a person."""
        return (self.by_kind.get(kind, self.onboarding) if kind else self.onboarding) or self.impossible


def load_requirements(session: Session, rules: Rules) -> Requirements:
    """Read the active key groups and the catalogue and encode what each group requires."""
    groups = [GroupInfo(g.id, g.code, g.name_zh, g.name_en, g.sort_order) for g in session.scalars(
        select(KeyGroup).where(KeyGroup.active.is_(True)).order_by(KeyGroup.sort_order, KeyGroup.id))]
    codes = set(rules.onboarding.courses)
    for extra in rules.onboarding_by_kind.values():
        codes |= set(extra)
    for group in groups:
        if group.code in rules.groups:
            codes |= set(rules.groups[group.code].courses)
    catalogue = {c.code: CourseInfo(c.id, c.code, c.title_zh, c.title_en) for c in session.scalars(
        select(Course).where(Course.code.in_(sorted(codes)), Course.retired.is_(False)).order_by(Course.code))}
    if len(catalogue) > MAX_COURSES:
        raise ValueError(f"coverage can weigh at most {MAX_COURSES} required courses, the rules name {len(catalogue)}")
    bits = {course.id: 1 << index for index, course in enumerate(catalogue.values())}

    def mask_of(course_codes) -> int:
        return sum({bits[catalogue[code].id] for code in course_codes if code in catalogue})

    onboarding = mask_of(rules.onboarding.courses)
    by_kind = {kind: mask_of((*rules.onboarding.courses, *rules.onboarding_by_kind.get(kind, ())))
               for kind in ORGANIZATION_KINDS}
    named = {g.id: mask_of(rules.groups[g.code].courses) for g in groups if g.code in rules.groups}
    return Requirements(groups=groups, courses={c.id: c for c in catalogue.values()}, bits=bits, named=named,
                        onboarding=onboarding, by_kind=by_kind, impossible=1 << len(catalogue))


def valid_on(completion, day):
    """SQL: the completion was done by `day` and is still valid on it."""
    return and_(completion.completed_on <= day, (completion.valid_until.is_(None)) | (completion.valid_until >= day))
