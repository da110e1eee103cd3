"""The access policy answers without a request: the user is an argument, a record outside their scope is None
(the web layer, portal/web/access.py, turns None into a 404)."""
from __future__ import annotations

import flask
import pytest
from sqlalchemy import select

from portal.domain.certificates import access as certificate_access
from portal.domain.content.sync import sync_content
from portal.domain.platform import policy
from portal.models import Course
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_org, make_trainee, make_user
from tests.views.routes_certificates import complete


@pytest.fixture(autouse=True)
def no_request(app):
    """Hide the test request pytest-flask pushes for every test: the policy must answer without one."""
    from flask.globals import _cv_request

    token = _cv_request.set(None)
    yield
    _cv_request.reset(token)


@pytest.fixture
def two_companies(session):
    mall, bakery = make_org(name="示范购物中心"), make_org(name="示范面包房")
    return mall, bakery


def test_there_is_no_request_here(app):
    assert not flask.has_request_context()


def test_a_company_administrator_sees_their_own_organization_and_its_people_only(session, two_companies):
    mall, bakery = two_companies
    admin = make_user("org_admin", org=mall)
    worker, baker = make_trainee(mall, name="张小伟"), make_trainee(bakery, name="李面包")
    assert policy.organization_for(session, admin, mall.id, manage=True) is mall
    assert policy.organization_for(session, admin, bakery.id) is None
    assert policy.organization_for(session, admin, 999_999) is None
    assert policy.trainee_for(session, admin, worker.id, manage=True) is worker
    assert policy.trainee_for(session, admin, baker.id) is None
    assert policy.trainee_for(session, admin, 999_999) is None


def test_the_office_sees_every_organization_and_people_without_an_employer(session, two_companies):
    mall, bakery = two_companies
    office = make_user("office_admin")
    loose = make_trainee(None, name="王无业")
    assert policy.organization_for(session, office, bakery.id, manage=True) is bakery
    assert policy.trainee_for(session, office, loose.id) is loose
    assert policy.trainee_for(session, make_user("org_admin", org=mall), loose.id) is None


def test_a_trainee_sees_their_own_job_but_may_not_manage_it(session, two_companies):
    mall, _bakery = two_companies
    user = make_user()
    own = make_trainee(mall, user=user, name="赵自己")
    assert policy.trainee_for(session, user, own.id) is own
    assert policy.trainee_for(session, user, own.id, manage=True) is None


def test_a_certificate_is_for_its_holder_and_whoever_manages_one_of_their_jobs(session, two_companies):
    mall, bakery = two_companies
    sync_content(session, FIXTURE_CONTENT)
    course = session.scalar(select(Course).where(Course.code == "sample-course"))
    holder_user = make_user()
    holder = make_trainee(mall, user=holder_user, name="钱证书")
    serial = complete(session, holder, course).serial
    mall_admin, bakery_admin = make_user("org_admin", org=mall), make_user("org_admin", org=bakery)
    assert certificate_access.certificate_for(session, holder_user, serial).serial == serial
    assert certificate_access.certificate_for(session, mall_admin, serial).serial == serial
    assert certificate_access.certificate_for(session, bakery_admin, serial) is None
    assert certificate_access.certificate_for(session, mall_admin, "SFQ-2026-999999-X") is None
    # the holder's own copy (with the salt of their name hash) is theirs alone, not their employer's
    assert certificate_access.own_certificate(session, holder_user, serial).serial == serial
    assert certificate_access.own_certificate(session, mall_admin, serial) is None
