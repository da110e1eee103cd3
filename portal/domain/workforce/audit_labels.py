"""What the audit log's codes mean, in words: the one place that names each event, record type and detail.

The log stores codes (`roster.leave`, `trainee`, `{"source": "import"}`) so that it can be filtered and kept
stable; pages and exports show these labels instead. An event without a label here is shown as "Other event",
and a test fails when a code the portal records has no label.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workforce.accounts import ROLE_LABELS
from portal.domain.workforce.commitments import ROLE_LABELS as COMMITMENT_ROLES
from portal.domain.workforce.drill_labels import KIND_LABELS as DRILL_KIND_LABELS
from portal.domain.platform.localtime import format_datetime

ACTIONS = {
    "api_token.create": _l("HR system key created"),
    "api_token.revoke": _l("HR system key revoked"),
    "certificate.reissue": _l("Certificate reissued"),
    "certificate.revoke": _l("Certificate revoked"),
    "commitment.sign": _l("Duty commitment signed"),
    "commitment_text.save": _l("Duty commitment text saved (new version)"),
    "claim.by_person": _l("Person asked to join a roster"),
    "claim.by_employer": _l("Company asked a person to confirm a roster entry"),
    "claim.move": _l("Person asked to confirm a move between employers"),
    "claim.confirm": _l("Roster entry confirmed"),
    "claim.refuse": _l("Roster entry refused"),
    "claim.refused_at_registration": _l("Registration refused: mobile held by another person"),
    "coverage.offline_session.attendance": _l("Classroom session attendance recorded"),
    "coverage.offline_session.create": _l("Classroom session created"),
    "coverage.offline_session.backdated": _l("Classroom session dated in the past"),
    "coverage.report_final": _l("Yearly report made final"),
    "coverage.target.create": _l("Coverage target set"),
    "coverage.target.delete": _l("Coverage target removed"),
    "coverage.targets.import": _l("Coverage targets imported"),
    "drill.action.add": _l("Drill follow-up action added"),
    "drill.action.done": _l("Drill follow-up action done"),
    "drill.participants": _l("Drill participants recorded"),
    "drill.photo.add": _l("Drill photo added"),
    "drill.plan": _l("Drill planned"),
    "drill.record": _l("Drill recorded as held"),
    "key_group.save": _l("Key group saved"),
    "organization.create": _l("Organization created"),
    "person.conflict_resolved": _l("Identity conflict resolved"),
    "personal_data.export": _l("Personal data downloaded"),
    "post.add": _l("Post added to the catalogue"),
    "post.merge": _l("Posts merged"),
    "post.save": _l("Post saved"),
    "prior_training.record": _l("Prior training recorded"),
    "prior_training.reject": _l("Prior training rejected"),
    "question.edit": _l("Question edited in the office (new version)"),
    "question.reinstate": _l("Question reinstated"),
    "question.retire": _l("Question retired"),
    "question.upload": _l("Questions uploaded"),
    "quiz.attempt_granted": _l("Extra quiz attempt granted"),
    "reminder.register": _l("People not registered yet reminded to register"),
    "reminder.training": _l("People reminded of training due"),
    "role.grant": _l("Role granted"),
    "role.revoke": _l("Role taken away"),
    "roster.export": _l("Roster exported"),
    "roster.import": _l("Roster imported"),
    "roster.hire": _l("Added to the roster"),
    "roster.update": _l("Roster entry changed"),
    "roster.transfer": _l("Moved to a new post"),
    "roster.leave": _l("Released from the roster"),
    "rules.change": _l("Training rules changed"),
    "user.delete_self": _l("Account deleted by its owner"),
    "user.password_reset_with_code": _l("Password reset with a reset code"),
    "user.password_reset_with_link": _l("Password reset with an e-mailed link"),
    "user.reset_code_issued": _l("Reset code given out"),
    "user.reset_link_sent": _l("Password reset link e-mailed"),
    "user.reset_password": _l("Password reset by an administrator"),
    "user.sessions_ended": _l("Logged out everywhere by the office"),
}

TARGETS = {
    "api_token": _l("HR system key"),
    "certificate": _l("Certificate"),
    "commitment": _l("Duty commitment"),
    "commitment_text": _l("Duty commitment text"),
    "drill": _l("Fire drill"),
    "key_group": _l("Key group"),
    "mobile": _l("Mobile"),
    "offline_session": _l("Classroom session"),
    "organization": _l("Organization"),
    "person": _l("Person"),
    "post": _l("Post"),
    "question": _l("Question"),
    "report": _l("Yearly report"),
    "rule_set": _l("Training rules"),
    "target": _l("Coverage target"),
    "trainee": _l("Roster entry"),
    "user": _l("Account"),
}

DETAILS = {
    "active": _l("in use"),
    "added": _l("added"),
    "already": _l("already reminded in the last day"),
    "at": _l("at"),
    "bytes": _l("bytes"),
    "changed": _l("changed"),
    "declared_count": _l("declared people"),
    "deadline": _l("deadline"),
    "days_back": _l("days in the past"),
    "claim": _l("request no."),
    "closed": _l("closed"),
    "code": _l("code"),
    "completed_on": _l("completed on"),
    "conflict": _l("conflict no."),
    "course": _l("course"),
    "courses": _l("courses"),
    "created": _l("created"),
    "direction": _l("asked by"),
    "done_on": _l("done on"),
    "due_on": _l("due on"),
    "emailed": _l("e-mailed"),
    "expires_at": _l("expires"),
    "file": _l("file"),
    "fewer_hours": _l("people with fewer class hours"),
    "format": _l("format"),
    "group_id": _l("key group no."),
    "held_on": _l("held on"),
    "hours": _l("class hours"),
    "kept": _l("kept"),
    "into": _l("into"),
    "kind": _l("kind"),
    "locality_id": _l("locality no."),
    "merged": _l("merged"),
    "name": _l("name"),
    "name_zh": _l("Chinese name"),
    "new": _l("new"),
    "new_name": _l("new name"),
    "new_serial": _l("new serial"),
    "names": _l("names"),
    "not_sent": _l("not e-mailed (mail server unavailable)"),
    "not_imported": _l("not imported"),
    "note": _l("note"),
    "old_name": _l("name before"),
    "organization": _l("organization no."),
    "owner": _l("responsible"),
    "organization_id": _l("organization no."),
    "planned_on": _l("planned for"),
    "prefix": _l("key begins"),
    "previous_status": _l("status before"),
    "previous_version": _l("version before"),
    "printed": _l("on a printed sheet"),
    "prior_training": _l("prior training no."),
    "provider": _l("provider"),
    "reason": _l("reason"),
    "recorded_on": _l("recorded on"),
    "refused": _l("refused by the mail server"),
    "role": _l("role"),
    "rows": _l("rows"),
    "serial": _l("serial"),
    "sessions": _l("logins ended"),
    "sha256": _l("fingerprints"),
    "source": _l("source"),
    "synonyms": _l("other names"),
    "target_rate": _l("target"),
    "token_id": _l("key no."),
    "token_prefix": _l("key begins"),
    "unchanged": _l("unchanged"),
    "updated": _l("updated"),
    "valid_until": _l("valid until"),
    "version": _l("version"),
}

VALUES = {
    "api": _l("HR system"),
    "import": _l("spreadsheet import"),
    "demo": _l("demo data"),
    "web": _l("web page"),
    "by_person": _l("the person"),
    "by_employer": _l("the company"),
    "move": _l("a move between employers"),
    **ROLE_LABELS,
    **COMMITMENT_ROLES,
    **DRILL_KIND_LABELS,
    "valid": _l("valid"),
    "revoked": _l("revoked"),
    "replaced": _l("replaced"),
    True: _l("yes"),
    False: _l("no"),
}


def action_label(action: str) -> str:
    label = ACTIONS.get(action)
    return str(label) if label is not None else str(_l("Other event"))


# details keys that hold the number of a record whose name the log shows instead (with the record's kind)
DETAIL_RECORDS = {"group_id": "key_group", "locality_id": "locality", "organization": "organization",
                  "organization_id": "organization"}
DETAIL_NAMES = {"group_id": _l("key group"), "locality_id": _l("locality"), "organization": _l("organization"),
                "organization_id": _l("organization")}
Names = dict[tuple[str, int], str]


def target_label(target_type: str | None, target_id: Any = None, names: Names | None = None) -> str:
    """"Roster entry 张三", "Account 12": the record's kind in words and its name (else its number)."""
    if not target_type:
        return ""
    kind = str(TARGETS.get(target_type, _l("Record")))
    if target_id in (None, ""):
        return kind
    return f"{kind} {(names or {}).get((target_type, _as_id(target_id)), target_id)}"


def details_text(details: dict[str, Any] | None, names: Names | None = None) -> str:
    """"source: spreadsheet import; organization: 示范购物中心" — each key and known value in words."""
    if not details:
        return ""
    parts = []
    for key, value in details.items():
        if value in (None, "", [], {}):
            continue
        name = (names or {}).get((DETAIL_RECORDS.get(key, ""), _as_id(value)))
        if name is not None:
            parts.append(f"{DETAIL_NAMES[key]}: {name}")
        elif key == "target_rate" and isinstance(value, (int, float)):
            parts.append(f"{DETAILS[key]}: {value * 100:g}%")
        else:
            parts.append(f"{DETAILS.get(key, key)}: {_value(value)}")
    return "; ".join(parts)


def record_names(session: Session, events: Iterable[Any], locale: str) -> Names:
    """The names of the records these audit events point at (organizations, people on a roster, accounts, key
    groups, localities), loaded at once; a record since deleted keeps its number."""
    from portal.models import Certificate, KeyGroup, Locality, Organization, Person, Question, Trainee, User

    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.target_type and isinstance(_as_id(event.target_id), int):
            wanted.setdefault(event.target_type, set()).add(_as_id(event.target_id))
        for key, record in DETAIL_RECORDS.items():
            if isinstance((event.details or {}).get(key), int):
                wanted.setdefault(record, set()).add(event.details[key])
    names: Names = {}

    def chunks(kind: str):
        """The wanted ids of a kind, 500 at a time (an export names up to 100,000 events: bound the parameters)."""
        ids = sorted(wanted.get(kind, ()))
        return (ids[start:start + 500] for start in range(0, len(ids), 500))

    def load(kind: str, columns, id_column, *conditions) -> None:
        for ids in chunks(kind):
            statement = select(*columns).where(id_column.in_(ids), *conditions)
            if kind == "trainee":
                statement = statement.join(Trainee.person)
            names.update(((kind, row[0]), row[1]) for row in session.execute(statement))

    load("organization", (Organization.id, Organization.name), Organization.id)
    load("trainee", (Trainee.id, Person.real_name), Trainee.id)
    load("certificate", (Certificate.id, Certificate.serial), Certificate.id)
    load("person", (Person.id, Person.real_name), Person.id)
    load("question", (Question.id, Question.code), Question.id)
    load("user", (User.id, User.display_name), User.id, User.display_name.is_not(None))
    for kind, model in (("key_group", KeyGroup), ("locality", Locality)):
        for ids in chunks(kind):
            names.update(((kind, item.id), item.name(locale))
                         for item in session.scalars(select(model).where(model.id.in_(ids))))
    return names


def _as_id(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{_value(k)} {_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(item) for item in value)
    if isinstance(value, (bool, str)) and value in VALUES:
        return str(VALUES[value])
    if isinstance(value, str) and "T" in value:
        try:
            return format_datetime(datetime.fromisoformat(value))
        except ValueError:
            pass
    return str(value)
