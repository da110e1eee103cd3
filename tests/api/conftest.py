"""Fixtures for the HR API: organizations with tokens, the rules' courses, and a client that checks
every response it receives against the OpenAPI document."""
from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from portal.api.openapi import document
from portal.domain.platform import api_tokens
from portal.domain.platform.localtime import local_today
from portal.extensions import db
from portal.models import Course, utcnow
from tests.factories import make_org, make_user

# Every course the repository's rules name, so hires and transfers create real assignments.
RULE_COURSES = ("all-staff-basics", "public-gathering-staff", "key-unit-staff", "job-transfer", "grid-worker",
                "security-micro-station", "safety-manager", "responsible-person")
_mobiles = itertools.count(1)


def new_mobile() -> str:
    return f"139{next(_mobiles):08d}"


@pytest.fixture
def courses(session) -> dict[str, Course]:
    found = {c.code: c for c in session.scalars(select(Course))}
    for code in RULE_COURSES:
        if code not in found:
            found[code] = Course(code=code, slug=code, title_zh=f"课程{code}", title_en=f"Course {code}",
                                 level="basic", credit_hours=1.0, quiz={"pools": [], "pass_mark": 80})
            session.add(found[code])
    session.flush()
    return found


@dataclass
class Tenant:
    """An organization, its administrator and a live token."""

    org_id: int
    admin_id: int
    token: str
    token_id: int


def make_tenant(session, **org_options) -> Tenant:
    org = make_org(**org_options)
    admin = make_user("org_admin", org=org)
    token, plain = api_tokens.create(session, org, name="HR system", actor_id=admin.id, address="", now=utcnow())
    session.commit()
    return Tenant(org.id, admin.id, plain, token.id)


@pytest.fixture
def tenant(session, courses) -> Tenant:
    return make_tenant(session)


@pytest.fixture
def other_tenant(session, courses) -> Tenant:
    return make_tenant(session, sector_code="health")


class Conformance:
    """Validates a response against the operation and status the OpenAPI document gives for it."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.templates = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path)
                          for path in spec["paths"]]

    def _resolve(self, node: dict) -> dict:
        while "$ref" in node and node["$ref"].startswith("#/components/responses/"):
            node = self.spec["components"]["responses"][node["$ref"].rsplit("/", 1)[1]]
        return node

    def check(self, method: str, path: str, response) -> None:
        relative = path.split("?")[0].removeprefix(self.spec["servers"][0]["url"])
        matches = [template for pattern, template in self.templates if pattern.match(relative)]
        assert matches, f"{path} is not in the OpenAPI document"
        operation = self.spec["paths"][matches[0]].get(method.lower())
        assert operation is not None, f"{method} {matches[0]} is not in the OpenAPI document"
        documented = operation["responses"].get(str(response.status_code))
        assert documented is not None, f"{method} {path}: status {response.status_code} is not documented"
        documented = self._resolve(documented)
        assert response.mimetype == "application/json", f"{method} {path}: answered {response.mimetype}"
        schema = documented["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": self.spec["components"]},
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(response.get_json()), key=str)
        assert not errors, f"{method} {path} {response.status_code}: {errors[0].message} at {list(errors[0].path)}"
        for header in ("Idempotent-Replayed", "Retry-After", "WWW-Authenticate", "X-RateLimit-Limit"):
            if header in response.headers:
                assert header in documented.get("headers", {}), f"{method} {path}: header {header} undocumented"


@pytest.fixture(scope="session")
def conformance() -> Conformance:
    return Conformance(document())


class Api:
    """The test client for /api/v1: adds the token and an Idempotency-Key, checks every answer."""

    def __init__(self, client, conformance: Conformance, token: str | None):
        self.client, self.conformance, self.token = client, conformance, token

    def request(self, method: str, path: str, *, json=None, data=None, token: str | None = "default",
                key: str | None = "new", headers: dict | None = None, content_type: str | None = None):
        sent = dict(headers or {})
        token = self.token if token == "default" else token
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if method in ("PUT", "POST") and key is not None:
            sent["Idempotency-Key"] = str(uuid.uuid4()) if key == "new" else key
        url = "/api/v1" + path
        options = {"json": json} if json is not None else {"data": data, "content_type": content_type}
        response = self.client.open(url, method=method, headers=sent, **options)
        self.conformance.check(method, url, response)
        return response

    def get(self, path: str, **options):
        return self.request("GET", path, **options)

    def put(self, path: str, json=None, **options):
        return self.request("PUT", path, json=json, **options)

    def post(self, path: str, json=None, **options):
        return self.request("POST", path, json=json, **options)

    def as_token(self, token: str | None) -> "Api":
        return Api(self.client, self.conformance, token)


@pytest.fixture
def api(client, conformance, tenant) -> Api:
    return Api(client, conformance, tenant.token)


def snapshot(session) -> dict[str, list]:
    """Every row of every table but the tokens (whose last_used_at moves on use): to prove nothing changed."""
    session.expire_all()
    rows = {}
    for table in db.metadata.sorted_tables:
        if table.name != "api_token":
            rows[table.name] = sorted(map(repr, session.execute(select(table)).all()))
    return rows


def in_days(days: int) -> str:
    return (local_today() + timedelta(days=days)).isoformat()


def person_body(**changes) -> dict:
    body = {"real_name": "张伟", "post": "收银员", "start_date": in_days(10), "groups": ["all_staff"]}
    body.update(changes)
    return body


def hire_body(mobile: str, **changes) -> dict:
    return {"type": "hire", "mobile": mobile, **person_body(**changes)}

