"""The scope rule, route by route: every role x every route x own and other records.

Every route of the app must appear in ROUTES (a new route fails test_every_route_is_in_the_matrix)
and every view must declare its audience with @public / @roles / @signed_in (portal.web.access).
"""
from __future__ import annotations

import pytest

from sqlalchemy import select

from portal.domain.learning import quiz
from portal.domain.content.sync import sync_content
from portal.models import Course, utcnow
from tests.conftest import FIXTURE_CONTENT, media_url
from tests.factories import make_org, make_trainee, make_user

ROLES = ("anonymous", "trainee", "org_admin", "dept_viewer", "office_admin", "superuser")
VIEWERS = {"dept_viewer": 200, "office_admin": 200, "superuser": 200}
LOGIN = 302  # anonymous users are sent to the login page
NO = 403


def expect(default: int, **by_role: int) -> dict[str, int]:
    return {role: by_role.get(role, default) for role in ROLES}


MANAGE_OWN = expect(NO, anonymous=LOGIN, org_admin=200, office_admin=200, superuser=200)
MANAGE_OTHER = expect(NO, anonymous=LOGIN, org_admin=404, office_admin=200, superuser=200)
MISSING_FOR_MANAGERS = expect(NO, anonymous=LOGIN, org_admin=404, office_admin=404, superuser=404)
OFFICE_ONLY = expect(NO, anonymous=LOGIN, office_admin=200, superuser=200)
OFFICE_MISSING = expect(NO, anonymous=LOGIN, office_admin=404, superuser=404)

# endpoint -> list of (url template, expected status per role); {own}/{other} are organizations,
# {own_user} a user the office may manage.
ROUTES: dict[str, list[tuple[str, dict[str, int]]]] = {
    "public.index": [("/", expect(200))],
    "public.healthz": [("/healthz", expect(200))],
    "public.set_language": [("/lang/en?next=/", expect(302))],
    "static": [("/static/css/portal.css", expect(200))],
    "auth.login": [("/auth/login", expect(302, anonymous=200))],
    "auth.logout": [("/auth/logout", expect(405))],
    "auth.register": [("/auth/register", expect(200))],
    "public.figures": [("/figures", expect(200))],
    "auth.change_password": [("/auth/password", expect(200, anonymous=LOGIN))],
    "auth.sessions": [("/auth/sessions", expect(200, anonymous=LOGIN))],
    "auth.forgot_password": [("/auth/forgot", expect(200))],
    "auth.email_reset_link": [("/auth/forgot/email", expect(200))],
    "auth.reset_with_link": [("/auth/reset/not-a-signed-token", expect(200))],
    "trainee.home": [("/me/", expect(NO, anonymous=LOGIN, trainee=200))],
    "trainee.history": [("/me/history", expect(NO, anonymous=LOGIN, trainee=200))],
    "trainee.record_study_time": [("/me/courses/sample-course/lessons/01-first/time", expect(405))],
    "company.home": [("/company/", expect(NO, anonymous=LOGIN, org_admin=302))],
    "company.organization": [
        ("/company/{own}/", MANAGE_OWN),
        ("/company/{other}/", MANAGE_OTHER),
        ("/company/999999/", expect(NO, anonymous=LOGIN, org_admin=404, office_admin=404, superuser=404)),
    ],
    "company.people": [("/company/{own}/people", MANAGE_OWN), ("/company/{other}/people", MANAGE_OTHER)],
    "company.hire": [("/company/{own}/people/new", MANAGE_OWN), ("/company/{other}/people/new", MANAGE_OTHER)],
    "company.person": [
        ("/company/{own}/people/{own_person}", MANAGE_OWN),
        ("/company/{other}/people/{other_person}", MANAGE_OTHER),
        ("/company/{own}/people/{other_person}", expect(NO, anonymous=LOGIN, org_admin=404, office_admin=404, superuser=404)),
    ],
    "company.grant_attempt": [("/company/{own}/people/{own_person}/attempts/sample-course", expect(405))],
    "company.edit": [("/company/{own}/people/{own_person}/edit", MANAGE_OWN),
                     ("/company/{other}/people/{other_person}/edit", MANAGE_OTHER)],
    "company.transfer": [("/company/{own}/people/{own_person}/transfer", MANAGE_OWN),
                         ("/company/{other}/people/{other_person}/transfer", MANAGE_OTHER)],
    "company.release": [("/company/{own}/people/{own_person}/release", expect(405))],
    "company.invite": [("/company/{own}/invite", MANAGE_OWN), ("/company/{other}/invite", MANAGE_OTHER)],
    "company.prior_training": [("/company/{own}/people/{own_person}/prior", MANAGE_OWN),
                               ("/company/{other}/people/{other_person}/prior", MANAGE_OTHER)],
    "office.prior_training": [("/office/prior-training", expect(NO, anonymous=LOGIN, office_admin=200, superuser=200))],
    "office.reject_prior_training": [("/office/prior-training/1/reject", expect(405))],
    "company.issue_reset_code": [
        ("/company/{own}/people/{own_person}/reset-code", MANAGE_OWN),
        ("/company/{other}/people/{other_registered}/reset-code", MANAGE_OTHER),
        ("/company/{own}/people/{unregistered}/reset-code", MISSING_FOR_MANAGERS),  # no account to reset
        ("/company/{own}/people/{admin_on_roster}/reset-code",  # a company administrator: the office's to reset
         expect(NO, anonymous=LOGIN, org_admin=404, office_admin=200, superuser=200)),
    ],
    "company.claims": [("/company/{own}/claims", MANAGE_OWN), ("/company/{other}/claims", MANAGE_OTHER)],
    "company.decide_claim": [("/company/{own}/claims/1/confirm", expect(405))],
    "trainee.decide_claim": [("/me/claims/1/confirm", expect(405))],
    "trainee.course": [
        ("/me/courses/sample-course", expect(NO, anonymous=LOGIN, trainee=200)),
        ("/me/courses/no-such-course", expect(NO, anonymous=LOGIN, trainee=404)),
    ],
    "trainee.lesson": [("/me/courses/sample-course/lessons/01-first", expect(NO, anonymous=LOGIN, trainee=200))],
    "trainee.media": [(media_url("diagram.svg"), expect(NO, anonymous=LOGIN, trainee=200))],
    "trainee.start_quiz": [("/me/courses/sample-course/quiz", expect(405))],
    "trainee.attempt": [("/me/attempts/{other_attempt}", expect(NO, anonymous=LOGIN, trainee=404))],
    "trainee.save_answers": [("/me/attempts/{other_attempt}/answers", expect(405))],
    "trainee.submit": [("/me/attempts/{other_attempt}/submit", expect(405))],
    "trainee.personal_data": [("/me/data.json", expect(200, anonymous=LOGIN))],
    "trainee.my_data": [("/me/data", expect(200, anonymous=LOGIN))],
    "trainee.privacy": [("/me/privacy", expect(200, anonymous=LOGIN))],
    "trainee.result": [("/me/attempts/{other_attempt}/result", expect(NO, anonymous=LOGIN, trainee=404))],
    "office.conflicts": [("/office/people/conflicts", expect(NO, anonymous=LOGIN, office_admin=200, superuser=200))],
    "office.resolve_conflict": [("/office/people/conflicts/1/resolve", expect(405))],
    "company_import.upload": [("/company/{own}/import", MANAGE_OWN), ("/company/{other}/import", MANAGE_OTHER)],
    "company_import.template": [("/company/{own}/import/template.csv", MANAGE_OWN),
                                ("/company/{other}/import/template.xlsx", MANAGE_OTHER)],
    "company_import.preview": [("/company/{own}/import/no-such-token", MISSING_FOR_MANAGERS)],
    "company_import.error_file": [("/company/{own}/import/no-such-token/errors.csv", MISSING_FOR_MANAGERS)],
    "company_import.confirm": [("/company/{own}/import/no-such-token/confirm", expect(405))],
    "company_import.status": [("/company/{own}/import/jobs/no-such-job", MISSING_FOR_MANAGERS)],
    "office_setup.rules": [("/office/rules", OFFICE_ONLY)],
    "office_setup.key_groups": [("/office/key-groups", OFFICE_ONLY)],
    "office_setup.key_group": [("/office/key-groups/1", OFFICE_ONLY), ("/office/key-groups/99999", OFFICE_MISSING)],
    "office_setup.post_catalogue": [("/office/posts", OFFICE_ONLY), ("/office/posts?format=csv", OFFICE_ONLY)],
    "office_setup.post_detail": [("/office/posts/1", OFFICE_ONLY), ("/office/posts/99999", OFFICE_MISSING)],
    "office_setup.merge_post": [("/office/posts/1/merge", expect(405))],
    "office_setup.organization_form": [("/office/organizations/new", OFFICE_ONLY),
                                       ("/office/organizations/{other}/edit", OFFICE_ONLY),
                                       ("/office/organizations/99999/edit", OFFICE_MISSING)],
    "office_setup.grant_admin": [("/office/organizations/{own}/admins", expect(405))],
    "office_setup.revoke_admin": [("/office/organizations/{own}/admins/1/revoke", expect(405))],
    "office.home": [("/office/", expect(NO, anonymous=LOGIN, **VIEWERS))],
    "office.organizations": [("/office/organizations", expect(NO, anonymous=LOGIN, **VIEWERS))],
    "office.organization": [
        ("/office/organizations/{own}", expect(NO, anonymous=LOGIN, **VIEWERS)),
        ("/office/organizations/{other}", expect(NO, anonymous=LOGIN, **dict(VIEWERS, dept_viewer=404))),
    ],
    "office.users": [("/office/users", expect(NO, anonymous=LOGIN, office_admin=200, superuser=200))],
    "office.reset_password": [
        ("/office/users/{own_user}/password", expect(NO, anonymous=LOGIN, office_admin=200, superuser=200)),
        ("/office/users/999999/password", expect(NO, anonymous=LOGIN, office_admin=404, superuser=404)),
    ],
    "office.issue_reset_code": [
        ("/office/users/{own_user}/reset-code", OFFICE_ONLY),
        ("/office/users/{users[org_admin].id}/reset-code", OFFICE_ONLY),
        ("/office/users/{second_office_admin}/reset-code", OFFICE_MISSING | {"superuser": 200}),
        ("/office/users/{users[office_admin].id}/reset-code", OFFICE_MISSING | {"superuser": 200}),  # own: 404
        ("/office/users/{users[superuser].id}/reset-code", OFFICE_MISSING),
        ("/office/users/999999/reset-code", OFFICE_MISSING),
    ],
    "office.end_sessions": [("/office/users/{own_user}/sessions/end", expect(405))],
    "office.audit_log": [("/office/audit", expect(NO, anonymous=LOGIN, office_admin=200, superuser=200))],
}


def _extra_route_modules():
    """Route tables of other areas: tests/views/routes_*.py, each with ROUTES and prepare(session, world)."""
    import importlib
    import pkgutil

    import tests.views as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("routes_"):
            yield importlib.import_module(f"tests.views.{info.name}")


for _module in _extra_route_modules():
    ROUTES.update(_module.ROUTES(expect, ROLES) if callable(_module.ROUTES) else _module.ROUTES)


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ROUTES) == set(), "add the new routes to ROUTES with their expected answers"
    assert set(ROUTES) - endpoints == set()


def test_every_view_declares_its_audience(app):
    undeclared = [name for name, view in app.view_functions.items()
                  if name != "static" and not getattr(view, "access", None)]
    assert undeclared == []


@pytest.fixture
def world(session):
    """Organization A (commerce) is 'own' for the org admin and the department; B (health) is not."""
    own, other = make_org(sector_code="commerce"), make_org(sector_code="health")
    users = {
        "trainee": make_user("trainee", org=own),
        "org_admin": make_user("org_admin", org=own),
        "dept_viewer": make_user("dept_viewer", sector_code="commerce"),
        "office_admin": make_user("office_admin"),
        "superuser": make_user("superuser"),
    }
    sync_content(session, FIXTURE_CONTENT)
    course = session.scalar(select(Course).where(Course.code == "sample-course"))
    stranger = make_trainee(own)
    other_attempt = quiz.start_attempt(session, stranger, course, now=utcnow())
    admin_on_roster = make_trainee(own, user=make_user("org_admin", org=own))  # an administrator on the roster
    accounts = {"other_registered": make_user("trainee", org=other).trainee.id, "unregistered": make_trainee(own).id,
                "admin_on_roster": admin_on_roster.id, "second_office_admin": make_user("office_admin").id}
    world = {"own": own.id, "other": other.id, "own_user": users["trainee"].id, "users": users, **accounts,
             "own_person": users["trainee"].trainee.id, "other_person": make_trainee(other).id,
             "other_attempt": other_attempt.id, "own_org": own, "other_org": other, "course": course}
    for module in _extra_route_modules():
        module.prepare(session, world)
    session.commit()
    return world


@pytest.mark.parametrize("role", ROLES)
def test_role_route_matrix(client, login, world, role):
    if role != "anonymous":
        login(world["users"][role])
    failures = []
    for endpoint, cases in ROUTES.items():
        for template, expected in cases:
            url = template.format(**world)
            response = client.get(url)
            status = response.status_code
            response.close()
            if status != expected[role]:
                failures.append(f"{role} GET {url}: {status}, expected {expected[role]}")
    assert failures == []
