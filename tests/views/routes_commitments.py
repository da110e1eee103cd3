"""Route table of the duty commitments (trainee, company, office), for tests/views/test_access.py."""
from __future__ import annotations

from sqlalchemy import select

from portal.models import Commitment, CommitmentText, utcnow
from tests.factories import key_groups, make_trainee


def ROUTES(expect, roles):
    manage_own = expect(403, anonymous=302, org_admin=200, office_admin=200, superuser=200)
    manage_other = expect(403, anonymous=302, org_admin=404, office_admin=200, superuser=200)
    missing = expect(403, anonymous=302, org_admin=404, office_admin=404, superuser=404)
    trainee_own = expect(403, anonymous=302, trainee=200)
    trainee_missing = expect(403, anonymous=302, trainee=404)
    office = expect(403, anonymous=302, office_admin=200, superuser=200)
    office_missing = expect(403, anonymous=302, office_admin=404, superuser=404)
    return {
        "trainee.commitment": [("/me/commitments/{own_person}/responsible_person", trainee_own),
                               ("/me/commitments/{own_person}/safety_manager", trainee_missing),
                               ("/me/commitments/{other_person}/responsible_person", trainee_missing)],
        "trainee.commitment_pdf": [("/me/commitments/{own_commitment}.pdf", trainee_own),
                                   ("/me/commitments/{other_commitment}.pdf", trainee_missing)],
        "company.commitments_list": [("/company/{own}/commitments", manage_own),
                                     ("/company/{other}/commitments", manage_other)],
        "company.commitment_pdf": [("/company/{own}/commitments/{own_commitment}.pdf", manage_own),
                                   ("/company/{other}/commitments/{other_commitment}.pdf", manage_other),
                                   ("/company/{own}/commitments/{other_commitment}.pdf", missing)],
        "office.commitments_overview": [("/office/commitments", expect(403, anonymous=302, dept_viewer=200,
                                                                      office_admin=200, superuser=200))],
        "office_setup.commitment_texts": [("/office/commitments/texts", office)],
        "office_setup.commitment_text": [("/office/commitments/texts/responsible_person", office),
                                         ("/office/commitments/texts/no_such_role", office_missing)],
    }


def _signed(session, job) -> int:
    text = session.scalar(select(CommitmentText).where(CommitmentText.role == "responsible_person",
                                                       CommitmentText.active.is_(True)))
    record = Commitment(person_id=job.person_id, trainee_id=job.id, organization_id=job.organization_id,
                        role="responsible_person", text_id=text.id, text_version=text.version,
                        typed_name=job.person.real_name, signed_at=utcnow(), user_agent="pytest")
    session.add(record)
    session.flush()
    return record.id


def prepare(session, world) -> None:
    """The trainee is the own organization's responsible person and signed; so did someone at the other one."""
    job = world["users"]["trainee"].trainee
    job.groups = [*job.groups, *key_groups("responsible_person")]
    world["own_commitment"] = _signed(session, job)
    world["other_commitment"] = _signed(session, make_trainee(world["other_org"], groups=("responsible_person",)))
