"""Route table of the HR API and the token pages, for tests/views/test_access.py.

The API ignores session cookies: without a token every role gets 401, whoever is logged in.
"""
from __future__ import annotations

from portal.domain.platform import api_tokens
from portal.models import utcnow


def ROUTES(expect, roles):
    manage_own = expect(403, anonymous=302, org_admin=200, office_admin=200, superuser=200)
    manage_other = expect(403, anonymous=302, org_admin=404, office_admin=200, superuser=200)
    no_token = expect(401)
    return {
        "api_v1.openapi_document": [("/api/v1/openapi.json", expect(200))],
        "api_v1.employees": [("/api/v1/employees", no_token)],
        "api_v1.post_catalogue": [("/api/v1/posts", no_token)],
        "api_v1.employee": [("/api/v1/employees/{own_person_mobile}", no_token)],
        "api_v1.upsert_employee": [("/api/v1/employees/{other_person_mobile}", no_token)],
        "api_v1.record_event": [("/api/v1/events", expect(405))],
        "api_v1.duty_commitments": [("/api/v1/commitments", no_token)],
        "api_v1.record_drill": [("/api/v1/drills", expect(405))],
        "api_v1.assignments": [("/api/v1/assignments", no_token),
                               ("/api/v1/assignments?mobile={own_person_mobile}", no_token)],
        "company_tokens.tokens": [("/company/{own}/tokens", manage_own), ("/company/{other}/tokens", manage_other)],
        "company_tokens.revoke": [("/company/{own}/tokens/{own_token}/revoke", expect(405)),
                                  ("/company/{other}/tokens/{other_token}/revoke", expect(405))],
    }


def prepare(session, world) -> None:
    """Give both organizations a token and name the people's mobiles."""
    from portal.models import Trainee

    for side in ("own", "other"):
        token, _plain = api_tokens.create(session, world[f"{side}_org"], name=f"{side} HR", actor_id=None,
                                          address="", now=utcnow())
        world[f"{side}_token"] = token.id
        world[f"{side}_person_mobile"] = session.get(Trainee, world[f"{side}_person"]).mobile
