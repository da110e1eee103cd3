"""Certificate routes in the role x route matrix, and a builder the certificate tests share."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from portal.domain.learning import hooks
from portal.domain.certificates import status_lists
from portal.domain.certificates.verify import organization_token
from portal.models import Certificate, Completion, Course, Trainee
from tests.factories import make_trainee

NOW = datetime(2026, 5, 1, 10, 0, tzinfo=timezone.utc)


def complete(session, trainee: Trainee, course: Course, *, completed_on: date | None = None,
             valid_until: date | None | str = "default") -> Certificate:
    """Record a completion through the hooks (as the quiz does) and return the certificate it earned."""
    completed_on = completed_on or NOW.date()
    if valid_until == "default":
        valid_until = completed_on + timedelta(days=365)
    completion = Completion(person_id=trainee.person_id, course_id=course.id, completed_on=completed_on,
                            valid_until=valid_until, mode="online")
    session.add(completion)
    session.flush()
    hooks.completion_recorded(session, completion, now=datetime.combine(completed_on, NOW.timetz()))
    return session.scalars(select(Certificate).where(Certificate.completion_id == completion.id)).one()


def use_test_signing_key() -> None:
    """Keep the signing key of a test in its own temporary storage, not in the instance folder."""
    current_app.config["SIGNING_KEY_PATH"] = str(Path(current_app.config["STORAGE_PATH"]) / "signing-key.pem")


def prepare(session, world) -> None:
    use_test_signing_key()
    course = world["course"]
    own = complete(session, world["users"]["trainee"].trainee, course)
    colleague = complete(session, make_trainee(world["own_org"]), course)
    other = complete(session, make_trainee(world["other_org"]), course)
    secret = current_app.config["SECRET_KEY"]
    status_lists.ensure_entry(session, own, now=NOW)
    world.update(cert_own=own.serial, cert_colleague=colleague.serial, cert_other=other.serial,
                 cert_token=own.token, cert_status_list=own.status_list_id, course_code=course.code,
                 cert_org_token=organization_token(world["own_org"].id, secret),
                 cert_other_org_token=organization_token(world["other_org"].id, secret))


def ROUTES(expect, roles):
    login, no = 302, 403
    holder = dict(anonymous=login, trainee=200, org_admin=200, office_admin=200, superuser=200)
    company = dict(anonymous=login, org_admin=200, office_admin=200, superuser=200)
    company_other = dict(anonymous=login, org_admin=404, office_admin=200, superuser=200)
    office = dict(anonymous=login, office_admin=200, superuser=200)
    missing = "/certificates/SFQ-2000-000001-0"
    return {
        "certificates.mine": [("/me/certificates", expect(no, anonymous=login, trainee=200))],
        "certificates.download_credential": [
            ("/me/certificates/{cert_own}.json", expect(no, anonymous=login, trainee=200)),
            ("/me/certificates/{cert_colleague}.json", expect(no, anonymous=login, trainee=404)),
            ("/me/certificates/SFQ-2000-000001-0.json", expect(no, anonymous=login, trainee=404)),
        ],
        "certificates.download": [
            ("/certificates/{cert_own}.pdf", expect(no, **holder)),
            ("/certificates/{cert_colleague}.pdf", expect(no, **dict(holder, trainee=404))),
            ("/certificates/{cert_other}.pdf", expect(no, **dict(company_other, trainee=404))),
            (missing + ".pdf", expect(no, anonymous=login, trainee=404, org_admin=404, office_admin=404, superuser=404)),
        ],
        "certificates.detail": [
            ("/certificates/{cert_own}", expect(no, **office)),
            ("/certificates/{cert_other}", expect(no, **office)),
            (missing, expect(no, anonymous=login, office_admin=404, superuser=404)),
        ],
        "certificates.revoke": [("/certificates/{cert_own}/revoke", expect(405))],
        "certificates.reissue": [("/certificates/{cert_own}/reissue", expect(405))],
        "certificates.company": [
            ("/company/{own}/certificates", expect(no, **company)),
            ("/company/{other}/certificates", expect(no, **company_other)),
        ],
        "certificates.company_zip": [
            ("/company/{own}/certificates.zip", expect(no, **company)),
            ("/company/{other}/certificates.zip", expect(no, **company_other)),
        ],
        "certificates.inspection_qr_png": [
            ("/company/{own}/inspection-qr.png", expect(no, **company)),
            ("/company/{other}/inspection-qr.png", expect(no, **company_other)),
        ],
        "certificates.inspection_qr_pdf": [
            ("/company/{own}/inspection-qr.pdf", expect(no, **company)),
            ("/company/{other}/inspection-qr.pdf", expect(no, **company_other)),
        ],
        "certificates.verify_form": [
            ("/verify", expect(200)),
            ("/verify?serial={cert_own}", expect(200)),
            ("/verify?serial=SFQ-2000-000001-0", expect(404)),
        ],
        "certificates.verify_token": [("/verify/{cert_token}", expect(200)), ("/verify/not-a-real-token", expect(404))],
        "certificates.verify_name": [("/verify/{cert_token}/name", expect(405))],
        "certificates.verify_json": [("/verify/{cert_token}.json", expect(200)), ("/verify/nope.json", expect(404))],
        "certificates.status_list": [("/credentials/status/{cert_status_list}", expect(200)),
                                     ("/credentials/status/999999", expect(404))],
        "certificates.achievement": [("/achievements/{course_code}/en", expect(200)),
                                     ("/achievements/{course_code}/zh-CN", expect(200)),
                                     ("/achievements/{course_code}/fr", expect(404)),
                                     ("/achievements/no-such-course/en", expect(404))],
        "certificates.verify_organization": [
            ("/verify/org/{cert_org_token}", expect(200)),
            ("/verify/org/{cert_other_org_token}", expect(200)),
            ("/verify/org/1-AAAAAAAAAAAAAAAAAAAAAA", expect(404)),
        ],
        "certificates.signing_key": [("/.well-known/portal-signing-key.json", expect(200))],
    }
