"""The training rules as data: loading, checking and the current rule set (file or office override)."""
from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.platform import yamlines
from portal.models import ORGANIZATION_KINDS, Post, RuleSet

RULES_FILE = Path(__file__).resolve().parents[2] / "rules" / "training_rules.yaml"


@dataclass(frozen=True)
class CourseRule:
    courses: tuple[str, ...]
    basis: str
    due_days: int = 0
    valid_months: int | None = None


@dataclass(frozen=True)
class Periodic:
    months: int
    basis: str


@dataclass(frozen=True)
class CommitmentRole:
    """Who holds a role that signs a duty commitment (履职承诺): members of a key group, optionally only in one post
    (the post catalogue's name or any other name of it) or in one kind of organization."""

    group: str
    post: str | None = None
    organization_kind: str | None = None


@dataclass(frozen=True)
class DrillRule:
    """How often an organization of one kind holds a fire drill, and why."""

    months: int
    basis: str


@dataclass
class Rules:
    renewal_lead_days: int
    periodic: dict[str, Periodic]
    onboarding: CourseRule
    onboarding_by_kind: dict[str, tuple[str, ...]]
    groups: dict[str, CourseRule]
    transfer: CourseRule
    text: str = ""
    # Organization kind -> the drill interval (portal.domain.workforce.drills reads it).
    drills: dict[str, DrillRule] = field(default_factory=dict)
    # The post catalogue's courses (portal.domain.workforce.posts), by every name of a post (posts.post_key) -> the
    # post's name and rule. Filled by current_rules(); the rules text itself names no posts.
    posts: dict[str, tuple[str, CourseRule]] = field(default_factory=dict)
    # Duty commitments: role code -> who holds it (the texts they sign are kept by the office in the portal).
    commitments: dict[str, CommitmentRole] = field(default_factory=dict)

    def post_rule(self, post: str | None) -> tuple[str, CourseRule] | None:
        """The catalogue's name and courses of a post, by its name or any of its other names."""
        return self.posts.get(post_key(post)) if post else None

    def course_codes(self) -> set[str]:
        codes = set(self.onboarding.courses) | set(self.transfer.courses)
        for extra in self.onboarding_by_kind.values():
            codes |= set(extra)
        for rule in [*self.groups.values(), *(rule for _name, rule in self.posts.values())]:
            codes |= set(rule.courses)
        return codes


@dataclass
class RuleProblems(Exception):
    problems: list[tuple[int, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"line {line}: {message}" for line, message in self.problems)


def parse_rules(text: str, *, courses: set[str] | None = None, groups: set[str] | None = None,
                strict: bool = False) -> Rules:
    """Parse and check a rules document; raises RuleProblems listing (line, message). `strict` (a new text the
    office saves) also refuses a `posts` section: posts and their courses live in the post catalogue; an older
    stored text that still has one is read without it."""
    try:
        data = yamlines.load(text)
    except yamlines.YamlProblem as error:
        raise RuleProblems([(error.line, _l("this is not valid YAML (%(detail)s)", detail=error.message))]) from None
    problems: list[tuple[int, str]] = []
    if not isinstance(data, dict):
        raise RuleProblems([(1, _l("The rules must be a mapping of names to values."))])
    rules = Rules(
        renewal_lead_days=_int(data, "renewal_lead_days", problems, default=30),
        periodic=_periodic(data, problems),
        onboarding=_course_rule(data.get("onboarding"), data.line_of("onboarding"), "onboarding", problems,
                                due_key="due_days_after_start"),
        onboarding_by_kind=_by_kind(data.get("onboarding"), problems),
        groups=_rule_map(data, "groups", problems),
        transfer=_course_rule(data.get("transfer"), data.line_of("transfer"), "transfer", problems),
        text=text,
        commitments=_commitments(data, problems),
        drills=_drills(data, problems, strict=strict),
    )
    _check_references(data, rules, courses, groups, problems)
    if strict and "posts" in data:
        problems.append((data.line_of("posts"), _l("posts: posts and their courses are kept in the post catalogue "
                                                   "(Office > Posts); remove this section")))
    if problems:
        raise RuleProblems(problems)
    return rules


def _int(mapping, key, problems, *, default=None, minimum=0):
    value = mapping.get(key, default) if isinstance(mapping, dict) else default
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        problems.append((mapping.line_of(key) if isinstance(mapping, dict) else 1,
                         _l("%(key)s: a whole number of at least %(minimum)s", key=key, minimum=minimum)))
        return default or 0
    return value


def _periodic(data, problems) -> dict[str, Periodic]:
    section = data.get("periodic")
    result = {}
    if not isinstance(section, dict):
        problems.append((data.line_of("periodic"), _l("periodic: a mapping of organization kind to months")))
        return result
    for kind in ORGANIZATION_KINDS:
        entry = section.get(kind)
        if not isinstance(entry, dict):
            problems.append((section.line, _l("periodic: the organization kind “%(kind)s” is missing", kind=kind)))
            continue
        result[kind] = Periodic(months=_int(entry, "months", problems, minimum=1), basis=str(entry.get("basis") or ""))
    for kind in section:
        if kind not in ORGANIZATION_KINDS:
            problems.append((section.line_of(kind), _l("periodic: “%(kind)s” is not an organization kind", kind=kind)))
    return result


def _drills(data, problems, *, strict: bool) -> dict[str, DrillRule]:
    """The `drills` section: organization kind -> months and basis. A text the office saved before drills were
    kept has none; it is read with the repository file's drill rules (a new text must have the section)."""
    if "drills" not in data and not strict:
        return _repository_drills()
    section = data.get("drills")
    result: dict[str, DrillRule] = {}
    if not isinstance(section, dict):
        problems.append((data.line_of("drills") if "drills" in data else data.line,
                         _l("drills: a mapping of organization kind to months")))
        return result
    for kind in ORGANIZATION_KINDS:
        entry = section.get(kind)
        if not isinstance(entry, dict):
            problems.append((section.line, _l("drills: the organization kind “%(kind)s” is missing", kind=kind)))
            continue
        basis = entry.get("basis")
        if basis is not None and not isinstance(basis, (str, int, float)):
            problems.append((entry.line_of("basis"), _l("drills.%(kind)s: basis is a text", kind=kind)))
            basis = ""
        result[kind] = DrillRule(months=_int(entry, "months", problems, minimum=1),
                                 basis=str(basis if basis is not None else "").strip())
    for kind in section:
        if kind not in ORGANIZATION_KINDS:
            problems.append((section.line_of(kind), _l("drills: “%(kind)s” is not an organization kind", kind=kind)))
    return result


@functools.lru_cache(maxsize=1)
def _repository_drills() -> dict[str, DrillRule]:
    problems: list[tuple[int, str]] = []
    drills = _drills(yamlines.load(repository_rules_text()), problems, strict=True)
    if problems:
        raise RuleProblems(problems)
    return drills


def _course_rule(entry, line, name, problems, *, due_key="due_days") -> CourseRule:
    if not isinstance(entry, dict):
        problems.append((line, _l("%(name)s: a mapping with courses and basis", name=name)))
        return CourseRule(courses=(), basis="")
    courses = entry.get("courses")
    if not isinstance(courses, list) or not all(isinstance(c, str) for c in courses):
        problems.append((entry.line_of("courses"), _l("%(name)s: courses is a list of course codes", name=name)))
        courses = []
    if not str(entry.get("basis") or "").strip():
        problems.append((entry.line_of("basis"), _l("%(name)s: basis (the legal basis) is required", name=name)))
    valid = entry.get("valid_months")
    if valid is not None and (isinstance(valid, bool) or not isinstance(valid, int) or valid < 1):
        problems.append((entry.line_of("valid_months"),
                         _l("%(name)s: valid_months is a whole number of at least 1", name=name)))
        valid = None
    return CourseRule(courses=tuple(courses), basis=str(entry.get("basis") or "").strip(),
                      due_days=_int(entry, due_key, problems, default=0), valid_months=valid)


def _by_kind(entry, problems) -> dict[str, tuple[str, ...]]:
    section = entry.get("by_kind") if isinstance(entry, dict) else None
    if section is None:
        return {}
    if not isinstance(section, dict):
        problems.append((entry.line_of("by_kind"),
                         _l("onboarding.by_kind: a mapping of organization kind to course codes")))
        return {}
    result = {}
    for kind, courses in section.items():
        if kind not in ORGANIZATION_KINDS:
            problems.append((section.line_of(kind),
                             _l("onboarding.by_kind: “%(kind)s” is not an organization kind", kind=kind)))
        elif not isinstance(courses, list):
            problems.append((section.line_of(kind), _l("onboarding.by_kind: a list of course codes")))
        else:
            result[kind] = tuple(courses)
    return result


def _rule_map(data, key, problems) -> dict[str, CourseRule]:
    section = data.get(key) or {}
    if not isinstance(section, dict):
        problems.append((data.line_of(key), _l("%(key)s: a mapping", key=key)))
        return {}
    return {str(name): _course_rule(entry, section.line_of(name), f"{key}.{name}", problems)
            for name, entry in section.items()}


COMMITMENT_KEYS = ("group", "post", "organization_kind")


def _commitments(data, problems) -> dict[str, CommitmentRole]:
    """The optional `commitments` section: role code -> {group, post?, organization_kind?}."""
    section = data.get("commitments")
    if section is None:
        return {}
    if not isinstance(section, dict):
        problems.append((data.line_of("commitments"), _l("commitments: a mapping of role codes to who holds them")))
        return {}
    result = {}
    for role, entry in section.items():
        line = section.line_of(role)
        if not isinstance(role, str) or not role.replace("_", "").isalnum() or not role.isascii() or len(role) > 40:
            problems.append((line, _l("commitments: “%(role)s” is not a role code (letters, digits and _)", role=role)))
            continue
        if not isinstance(entry, dict):
            problems.append((line, _l("commitments.%(role)s: a mapping with group, and optionally post and "
                                      "organization_kind", role=role)))
            continue
        for key in entry:
            if key not in COMMITMENT_KEYS:
                problems.append((entry.line_of(key), _l("commitments.%(role)s: “%(key)s” is not a setting (group, "
                                                        "post, organization_kind)", role=role, key=key)))
        values = {}
        for key in COMMITMENT_KEYS:
            value = entry.get(key)
            if value is None and key != "group":
                continue
            if not isinstance(value, str) or not value.strip():
                problems.append((entry.line_of(key) if key in entry else line,
                                 _l("commitments.%(role)s: %(key)s is a non-empty text", role=role, key=key)))
                continue
            values[key] = value.strip()
        kind = values.get("organization_kind")
        if kind is not None and kind not in ORGANIZATION_KINDS:
            problems.append((entry.line_of("organization_kind"),
                             _l("commitments.%(role)s: “%(kind)s” is not an organization kind", role=role, kind=kind)))
        if "group" in values:
            result[role] = CommitmentRole(**values)
    return result


def _check_references(data, rules: Rules, courses, groups, problems) -> None:
    if courses is not None:
        for code in sorted(rules.course_codes() - courses):
            problems.append((data.line, _l("the rules name a course that does not exist: “%(code)s”", code=code)))
    if groups is not None:
        section = data.get("groups") or {}
        for code in rules.groups:
            if code not in groups:
                problems.append((section.line_of(code), _l("“%(code)s” is not a key group", code=code)))
        section = data.get("commitments") or {}
        for role, holder in rules.commitments.items():
            if holder.group not in groups:
                problems.append((section[role].line_of("group"), _l("“%(code)s” is not a key group", code=holder.group)))


RULES_HEADER = ("# Training rules of the district, saved from the office's rules form (Office > Rules).\n"
                "# Posts and the courses each requires are kept in the post catalogue (Office > Posts).\n")


def rules_document(rules: Rules) -> dict:
    """The rules as the mapping a rules file holds (posts aside: they live in the post catalogue)."""
    def course_rule(rule: CourseRule, due_key: str, *, always_due: bool) -> dict:
        entry: dict = {"courses": list(rule.courses)}
        if always_due or rule.due_days:
            entry[due_key] = rule.due_days
        if rule.valid_months is not None:
            entry["valid_months"] = rule.valid_months
        entry["basis"] = rule.basis
        return entry

    onboarding = course_rule(rules.onboarding, "due_days_after_start", always_due=True)
    by_kind = {kind: list(courses) for kind, courses in rules.onboarding_by_kind.items() if courses}
    if by_kind:
        onboarding = {"courses": onboarding.pop("courses"), "by_kind": by_kind, **onboarding}
    document = {
        "version": 1,
        "renewal_lead_days": rules.renewal_lead_days,
        "periodic": {kind: {"months": p.months, "basis": p.basis} for kind, p in rules.periodic.items()},
        "drills": {kind: {"months": d.months, "basis": d.basis} for kind, d in rules.drills.items()},
        "onboarding": onboarding,
        "groups": {code: course_rule(rule, "due_days", always_due=True) for code, rule in rules.groups.items()},
        "transfer": course_rule(rules.transfer, "due_days", always_due=False),
    }
    if rules.commitments:
        document["commitments"] = {role: {key: value for key, value in dataclasses.asdict(holder).items()
                                          if value is not None}
                                   for role, holder in rules.commitments.items()}
    return document


def dump_rules(rules: Rules) -> str:
    """The rules as the YAML text parse_rules reads back to the same rules: what the office's form saves."""
    import yaml

    body = yaml.safe_dump(rules_document(rules), allow_unicode=True, sort_keys=False, width=10_000,
                          default_flow_style=False)
    return RULES_HEADER + body


def repository_rules_text() -> str:
    return RULES_FILE.read_text(encoding="utf-8")


def current_rules_text(session: Session) -> str:
    """The office's newest override, or the repository's file."""
    override = session.scalar(select(RuleSet.text).order_by(RuleSet.id.desc()).limit(1))  # the text alone: no object
    return override if override is not None else repository_rules_text()


def current_rules(session: Session) -> Rules:
    """The rules in force (references are checked when the office saves an override), with the post
    catalogue's courses."""
    return dataclasses.replace(_parsed(current_rules_text(session)), posts=course_rules(session))


@functools.lru_cache(maxsize=8)
def _parsed(text: str) -> Rules:
    """Each text parsed once per process: the rules are read everywhere and never changed in place."""
    return parse_rules(text)


_IGNORED = re.compile(r"[\s·・()（）\[\]【】]")


def post_key(text: str | None) -> str:
    """How post names compare: full-width and half-width alike, case and spaces ignored."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text or "").casefold())


def course_rules(session: Session) -> dict[str, tuple[str, CourseRule]]:
    """What Rules.posts holds: every name of a post that requires courses -> (its name, its rule)."""
    result: dict[str, tuple[str, CourseRule]] = {}
    for name, synonyms, courses, basis in session.execute(
            select(Post.name, Post.synonyms, Post.courses, Post.basis).order_by(Post.name)):
        if courses:
            rule = (name, CourseRule(courses=tuple(courses), basis=basis))
            for other in [name, *(synonyms or [])]:
                result.setdefault(post_key(other), rule)
    return result
