"""The HR system API, version 1: token-authenticated JSON under /api/v1/.

Views stay thin: authenticate the token, check the request against its models (portal.api.schemas,
which the OpenAPI document publishes), call the roster, answer JSON. Every change runs under an Idempotency-Key
(portal.domain.platform.idempotency) in one transaction; any error rolls it back whole. Session cookies
play no part: a token alone says who is calling, and only its own organization is ever visible.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any, Callable

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import force_locale
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from portal.api import openapi, parsing, schemas
from portal.api.parsing import SchemaViolation
from portal.domain.platform import api_tokens, audit, idempotency
from portal.domain.workforce import commitments, compliance, drills, roster
from portal.domain.platform.errors import PortalError
from portal.domain.platform.localtime import local_today
from portal.domain.workforce.people import EmployedElsewhere
from portal.domain.workforce.posts import UnknownPost
from portal.domain.workforce.rules import current_rules
from portal.extensions import csrf, db, limiter
from portal.models import ApiToken, Assignment, KeyGroup, Organization, Person, Post, Trainee, utcnow
from portal.web import access

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # tokens, not cookies, authenticate the API: there is no cross-site form to forge


class ApiError(Exception):
    """An answer other than success: HTTP status, error code, English message, field at fault."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.headers = status, code, message, field, headers or {}


# --- rate limits ---------------------------------------------------------------------------

def _presented_token() -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _rate_key() -> str:
    """Per token (by its hash, never its public prefix: anyone could spend a prefix's quota)."""
    token = _presented_token()
    if token:
        return "api-token:" + api_tokens.digest(token)[:32]
    return "api-anonymous:" + (request.remote_addr or "")


def _public_view() -> bool:
    return request.endpoint == "api_v1.openapi_document"


limiter.shared_limit(lambda: current_app.config.get("API_RATE_LIMIT", "120 per minute"), scope="api_v1",
                     key_func=_rate_key, exempt_when=_public_view)(bp)
# Failed authentications per address, so guessing tokens is slow even with a fresh token per try.
limiter.shared_limit(lambda: current_app.config.get("API_AUTH_FAILURE_LIMIT", "30 per minute"),
                     scope="api_v1_auth_failures", key_func=lambda: "api-auth:" + (request.remote_addr or ""),
                     exempt_when=_public_view, deduct_when=lambda response: response.status_code == 401)(bp)


# --- answers and errors --------------------------------------------------------------------

def _json(payload: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(payload)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _error(status: int, code: str, message: str, field: str | None = None,
           headers: dict[str, str] | None = None) -> Response:
    db.session.rollback()  # nothing of a refused request is kept
    error = {"code": code, "message": message}
    if field:
        error["field"] = field
    return _json({"error": error}, status, headers)


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return _error(error.status, error.code, error.message, error.field, error.headers)


@bp.errorhandler(SchemaViolation)
def _schema_error(error: SchemaViolation):
    return _error(error.status, error.code, error.message, error.field)


@bp.errorhandler(PortalError)
def _domain_error(error: PortalError):
    with force_locale("en"):  # the API speaks English whatever the caller's cookies say
        message = str(error.message)
    if isinstance(error, EmployedElsewhere):  # documented: the person must be released or confirm the move
        return _error(409, error.code, message, error.field)
    if isinstance(error, UnknownPost):  # documented: the catalogue is at GET /posts
        return _error(422, error.code, f"{message} GET /api/v1/posts lists the catalogue.", error.field)
    return _error(422, "validation_failed", message, error.field)


HTTP_ERRORS = {
    404: ("not_found", "There is no such API endpoint."),
    405: ("method_not_allowed", "This endpoint does not accept this method."),
    413: ("payload_too_large", f"The request body is larger than {parsing.MAX_BODY_BYTES // 1024} KiB."),
    429: ("rate_limited", "Too many requests."),
}


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    code, message = HTTP_ERRORS.get(error.code, ("invalid_json", "The request could not be understood."))
    if error.code == 429:
        message = (f"Too many requests: the limit is {error.description}. "
                   "Try again after the number of seconds in the Retry-After header.")
    if error.code and error.code >= 500:
        code, message = "internal_error", "The portal hit an unexpected error; nothing was changed."
    return _error(error.code or 500, code, message)


@bp.errorhandler(Exception)
def _unexpected_error(error: Exception):
    current_app.logger.exception("Unhandled API error on %s", request.path)
    return _error(500, "internal_error",
                  "The portal hit an unexpected error; nothing was changed. Retry with the same Idempotency-Key.")


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")  # rosters hold personal data
    return response


# --- authentication ------------------------------------------------------------------------

def token_view(view: Callable) -> Callable:
    """Allow a view to a valid API token, passed as the first argument; anyone else gets 401."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        return view(_authenticate(), *args, **kwargs)

    wrapper.access = ("api_token",)
    return wrapper


def _unauthorized(message: str, *, invalid: bool = False) -> ApiError:
    challenge = 'Bearer realm="api"' + (', error="invalid_token"' if invalid else "")
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": challenge})


def _authenticate() -> ApiToken:
    header = request.headers.get("Authorization", "")
    if not header.strip():
        raise _unauthorized("Send your API token in the Authorization header: 'Bearer <token>'.")
    presented = _presented_token()
    if not presented:
        raise _unauthorized("The Authorization header must read 'Bearer <token>'.")
    token = api_tokens.lookup(db.session, presented)
    if token is None:
        raise _unauthorized("This API token is not valid; check that it was copied whole.", invalid=True)
    if token.revoked_at is not None:
        raise _unauthorized("This API token has been revoked; ask your organization's administrator for a new one.",
                            invalid=True)
    if api_tokens.touch(token, utcnow()):
        db.session.commit()
    return token


# --- reading requests ----------------------------------------------------------------------

@dataclass(frozen=True)
class Parts:
    """A request's path and query string, checked against the view's models, and how to check its body."""

    path: BaseModel | None
    query: BaseModel
    body_model: type[BaseModel] | TypeAdapter | None

    def body(self, value: dict[str, Any]) -> BaseModel:
        return parsing.body(self.body_model, value)


def accepts(*, path: type[BaseModel] | None = None, query: type[BaseModel] = schemas.NoQuery,
            body: type[BaseModel] | TypeAdapter | None = None) -> Callable:
    """The models a view's request must fit (the OpenAPI document publishes the same ones: tests/api/test_openapi
    holds each route to them); the view gets the checked path and query string as `parts`."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(token: ApiToken, **path_values):
            parts = Parts(parsing.path(path, path_values) if path else None, parsing.query(query, request.args), body)
            return view(token, parts)

        wrapper.accepts = {"path": path, "query": query, "body": body}
        return wrapper

    return decorate


def _employee_or_404(org: Organization, mobile: str, field: str = "mobile") -> Trainee:
    trainee = roster.find_on_roster(db.session, org, mobile)
    if trainee is None or trainee.status == "pending":  # not on the roster until the person confirms the move
        raise ApiError(404, "not_found", f"No one with the mobile number {mobile} is on your organization's roster.",
                       field)
    return trainee


# --- writing answers -----------------------------------------------------------------------

def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _employees_json(people: list[Trainee], today: date) -> list[dict[str, Any]]:
    ids = [p.id for p in people]
    standing = compliance.standing_of(db.session, ids, today)
    open_count = dict(db.session.execute(
        select(Assignment.trainee_id, func.count())
        .where(Assignment.trainee_id.in_(ids), Assignment.status == "open").group_by(Assignment.trainee_id)).all())
    due = compliance.what_is_due(db.session, ids, today)  # the roster page's "next due", the same definition
    return [{
        "mobile": p.mobile, "real_name": p.real_name, "post": p.post, "department": p.department,
        "groups": [g.code for g in p.groups],
        "start_date": _iso(p.start_date), "status": p.status, "left_on": _iso(p.left_on),
        "standing": standing.get(p.id, "left"), "open_assignments": open_count.get(p.id, 0),
        "next_due_on": _iso(due[p.id].next_due),
    } for p in people]


def _assignment_json(assignment: Assignment, mobile: str, today: date) -> dict[str, Any]:
    course = assignment.course
    return {
        "id": assignment.id, "mobile": mobile,
        "course": {"code": course.code, "title_zh": course.title_zh, "title_en": course.title_en},
        "status": assignment.status, "due_on": _iso(assignment.due_on),
        "overdue": assignment.status == "open" and assignment.due_on is not None and assignment.due_on < today,
        "overdue_since": _iso(assignment.overdue_since), "rule": assignment.rule,
        "legal_basis": assignment.legal_basis, "closed_reason": assignment.closed_reason or None,
        "created_at": assignment.created_at.isoformat(), "closed_at": _iso(assignment.closed_at),
    }


# --- changes under an Idempotency-Key ------------------------------------------------------

def _idempotent(token: ApiToken, apply: Callable[[dict[str, Any]], tuple[dict[str, Any], int]]) -> Response:
    """Run one change at most once per key: replay a repeat, refuse a different request with the same key."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        raise ApiError(400, "idempotency_key_missing", "Send an Idempotency-Key header (1 to 100 visible ASCII "
                                                       "characters, such as a UUID) with every PUT and POST.")
    if not idempotency.valid_key(key):
        raise ApiError(400, "idempotency_key_invalid", "The Idempotency-Key must have 1 to 100 visible ASCII "
                                                       "characters and no spaces.")
    body = parsing.json_body(request)
    fingerprint = idempotency.request_hash(request.method, request.path, body)
    earlier = idempotency.find(db.session, token.organization_id, key)
    if earlier is None:
        try:
            record = idempotency.claim(db.session, token.organization_id, key, fingerprint, now=utcnow())
        except IntegrityError:  # a concurrent request with this key committed first
            db.session.rollback()
            earlier = idempotency.find(db.session, token.organization_id, key)
            if earlier is None:
                raise ApiError(409, "idempotency_conflict", "Another request with this Idempotency-Key is being "
                                                            "processed; retry in a moment.") from None
    if earlier is not None:
        if idempotency.verdict(earlier, fingerprint) == idempotency.CONFLICT:
            raise ApiError(409, "idempotency_conflict", "This Idempotency-Key was already used for a different "
                                                        "request; use a new key for a new change.")
        return _json(earlier.response, earlier.status_code, {"Idempotent-Replayed": "true"})
    payload, status = apply(body)
    idempotency.settle(record, status, payload)
    db.session.commit()
    return _json(payload, status)


def _change(token: ApiToken) -> dict[str, Any]:
    """What every roster call of this request needs: the rules in force, who acts, and when."""
    return {"rules": current_rules(db.session), "now": utcnow(),
            "actor": roster.Actor(user_id=None, address=request.remote_addr or "", source="api")}


def _audit(token: ApiToken, action: str, trainee: Trainee) -> None:
    audit.record(db.session, actor_id=None, action=action, target_type="trainee", target_id=trainee.id,
                 details={"organization": token.organization_id, "token_id": token.id, "token_prefix": token.prefix},
                 address=request.remote_addr or "")


# --- events: each type registers how it changes the roster --------------------------------

EVENTS: dict[str, Callable[[Organization, BaseModel, dict[str, Any]], Trainee]] = {}


def event(kind: str):
    def register(apply):
        EVENTS[kind] = apply
        return apply

    return register


def _person_data(mobile: str, values: schemas.EmployeeInput | schemas.HireEvent) -> roster.PersonData:
    return roster.PersonData(real_name=values.real_name, mobile=mobile, post=values.post, start_date=values.start_date,
                             groups=list(values.groups), id_number=values.id_number, department=values.department)


@event("hire")
def _hire(org: Organization, values: schemas.HireEvent, change: dict[str, Any]) -> Trainee:
    return roster.hire(db.session, org, _person_data(values.mobile, values),
                       allow_concurrent=current_app.config["ALLOW_CONCURRENT_EMPLOYMENT"], **change)


@event("transfer")
def _transfer(org: Organization, values: schemas.TransferEvent, change: dict[str, Any]) -> Trainee:
    trainee = _employee_or_404(org, values.mobile)
    groups = list(values.groups) if "groups" in values.model_fields_set else [g.code for g in trainee.groups]
    roster.transfer(db.session, trainee, post=values.post, groups=groups, effective_on=values.effective_on, **change)
    return trainee


@event("leave")
def _leave(org: Organization, values: schemas.LeaveEvent, change: dict[str, Any]) -> Trainee:
    trainee = _employee_or_404(org, values.mobile)
    roster.release(db.session, trainee, left_on=values.left_on, **change)
    return trainee


def _assignment_states(org: Organization, mobile: str) -> dict[int, str]:
    return dict(db.session.execute(select(Assignment.id, Assignment.status).join(Trainee, Trainee.id == Assignment.trainee_id)
                                   .join(Person, Person.id == Trainee.person_id)
                                   .where(Trainee.organization_id == org.id, Person.mobile == mobile)).all())


def _record_event(token: ApiToken, values: BaseModel) -> tuple[dict[str, Any], int]:
    mobile, org = values.mobile, token.organization
    before = _assignment_states(org, mobile)
    trainee = EVENTS[values.type](org, values, _change(token))
    _audit(token, f"api.event.{values.type}", trainee)
    today = local_today()
    rows = db.session.scalars(select(Assignment).where(Assignment.trainee_id == trainee.id)
                              .options(selectinload(Assignment.course)).order_by(Assignment.id)).all()
    return {
        "type": values.type, "employee": _employees_json([trainee], today)[0],
        "opened": [_assignment_json(a, mobile, today) for a in rows if a.id not in before and a.status == "open"],
        "closed": [_assignment_json(a, mobile, today) for a in rows if before.get(a.id) == "open" and a.status == "closed"],
    }, 201


def _upsert(token: ApiToken, mobile: str, values: schemas.EmployeeInput) -> tuple[dict[str, Any], int]:
    data = _person_data(mobile, values)
    org = token.organization
    trainee = roster.find_on_roster(db.session, org, mobile)
    created = trainee is None or trainee.status == "pending"  # a waiting row: hire() says it is waiting
    if created:
        trainee = roster.hire(db.session, org, data, allow_concurrent=current_app.config["ALLOW_CONCURRENT_EMPLOYMENT"],
                              **_change(token))
    else:
        roster.update(db.session, trainee, data, **_change(token))
    _audit(token, "api.employee.create" if created else "api.employee.update", trainee)
    return _employees_json([trainee], local_today())[0], 201 if created else 200


# --- the endpoints -------------------------------------------------------------------------

@bp.route("/openapi.json")
@access.public
def openapi_document():
    codes = db.session.scalars(select(KeyGroup.code).order_by(KeyGroup.sort_order, KeyGroup.id))
    return jsonify(openapi.document(list(codes)))


@bp.route("/employees")
@token_view
@accepts(query=schemas.EmployeeFilter)
def employees(token: ApiToken, parts: Parts):
    args: schemas.EmployeeFilter = parts.query
    today = local_today()
    statement = (select(Trainee).join(Person, Person.id == Trainee.person_id)
                 .where(Trainee.organization_id == token.organization_id))
    if args.status != "all":
        statement = statement.where(Trainee.status == args.status)
    else:
        statement = statement.where(Trainee.status.in_(("active", "left")))
    if args.standing:
        statement = statement.where(compliance.status_clause(args.standing, today))
    result = db.paginate(statement.order_by(Person.real_name, Trainee.id), page=args.page, per_page=args.per_page,
                         error_out=False, count=True)
    return _json({"items": _employees_json(list(result.items), today), "page": args.page, "per_page": args.per_page,
                  "total": result.total})


@bp.route("/employees/<mobile>")
@token_view
@accepts(path=schemas.EmployeePath)
def employee(token: ApiToken, parts: Parts):
    trainee = _employee_or_404(token.organization, parts.path.mobile)
    return _json(_employees_json([trainee], local_today())[0])


@bp.route("/employees/<mobile>", methods=["PUT"])
@token_view
@accepts(path=schemas.EmployeePath, body=schemas.EmployeeInput)
def upsert_employee(token: ApiToken, parts: Parts):
    return _idempotent(token, lambda body: _upsert(token, parts.path.mobile, parts.body(body)))


@bp.route("/events", methods=["POST"])
@token_view
@accepts(body=schemas.Event)
def record_event(token: ApiToken, parts: Parts):
    return _idempotent(token, lambda body: _record_event(token, parts.body(body)))


@bp.route("/posts")
@token_view
@accepts()
def post_catalogue(token: ApiToken, parts: Parts):
    rows = db.session.scalars(select(Post).order_by(Post.name))
    return _json({"items": [{"name": p.name, "other_names": list(p.synonyms or []), "courses": list(p.courses or [])}
                            for p in rows]})


def _record_drill(token: ApiToken, values: schemas.DrillInput) -> tuple[dict[str, Any], int]:
    org, now, today = token.organization, utcnow(), local_today()
    people = set()
    for mobile in values.participants:
        trainee = roster.find_on_roster(db.session, org, mobile)
        if trainee is None or trainee.status != "active":
            raise ApiError(422, "validation_failed", f"No one with the mobile number {mobile} is on your "
                                                     "organization's active roster.", "participants")
        people.add(trainee.id)
    data = drills.DrillData(kind=values.kind, day=values.held_on, scenario=values.scenario, places=values.places,
                            duration_minutes=values.duration_minutes, summary=values.summary)
    drill = drills.record_drill(db.session, org, data, actor_id=None, now=now, today=today,
                                address=request.remote_addr or "")
    added = drills.add_participants(db.session, drill, people, method="roster", now=now, today=today,
                                    address=request.remote_addr or "")
    status = drills.organization_drill_status(db.session, org, today=today, rules=current_rules(db.session))
    return {"id": drill.id, "held_on": drill.held_on.isoformat(), "kind": drill.kind, "scenario": drill.scenario,
            "places": drill.places, "duration_minutes": drill.duration_minutes, "participants": added,
            "next_drill_due": status.next_due.isoformat()}, 201


@bp.route("/drills", methods=["POST"])
@token_view
@accepts(body=schemas.DrillInput)
def record_drill(token: ApiToken, parts: Parts):
    return _idempotent(token, lambda body: _record_drill(token, parts.body(body)))


@bp.route("/commitments")
@token_view
@accepts(query=schemas.CommitmentFilter)
def duty_commitments(token: ApiToken, parts: Parts):
    found = commitments.organization_commitments(db.session, token.organization_id, today=local_today())
    wanted = parts.query.status
    with force_locale("en"):
        items = [{"mobile": duty.trainee.mobile, "real_name": duty.trainee.real_name, "role": duty.role,
                  "role_label": commitments.role_label(duty.role), "status": duty.status,
                  "signed_at": _iso(duty.commitment.signed_at) if duty.commitment else None,
                  "valid_until": _iso(duty.signed_until), "courses_missing": list(duty.training.missing)}
                 for duty in found if wanted is None or duty.status == wanted]
    return _json({"items": items, "counts": commitments.count_by_status(found)})


@bp.route("/assignments")
@token_view
@accepts(query=schemas.AssignmentFilter)
def assignments(token: ApiToken, parts: Parts):
    args: schemas.AssignmentFilter = parts.query
    today = local_today()
    statement = (select(Assignment).join(Trainee, Trainee.id == Assignment.trainee_id)
                 .where(Trainee.organization_id == token.organization_id)
                 .options(selectinload(Assignment.course), selectinload(Assignment.trainee)))
    if args.mobile is not None:
        person = _employee_or_404(token.organization, args.mobile)
        statement = statement.where(Assignment.trainee_id == person.id)
    if args.status == "overdue":
        statement = statement.where(Assignment.status == "open", Assignment.due_on < today)
    elif args.status:
        statement = statement.where(Assignment.status == args.status)
    result = db.paginate(statement.order_by(Assignment.id), page=args.page, per_page=args.per_page, error_out=False,
                         count=True)
    return _json({"items": [_assignment_json(a, a.trainee.mobile, today) for a in result.items], "page": args.page,
                  "per_page": args.per_page, "total": result.total})
