"""Reset codes and links: one-time, expiring, replaced by a newer code, void once the password changes."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.domain.workforce import accounts, password_resets
from portal.domain.platform.errors import ValidationError
from portal.domain.platform.passwords import verify_password
from portal.models import AuditEvent, PasswordResetCode, utcnow
from tests.factories import DEFAULT_PASSWORD, make_org, make_user

DAY = timedelta(hours=24)
NEW = "Fresh-Start-2027"


@pytest.fixture
def people(session):
    office = make_user("office_admin")
    trainee = make_user("trainee", org=make_org())
    trainee.mobile = "13600000009"
    session.flush()
    return office, trainee


def _issue(session, office, trainee, now=None):
    return password_resets.issue_code(session, trainee, actor=office, now=now or utcnow(), valid_for=DAY)


def test_a_code_is_eight_unambiguous_characters_kept_only_as_a_hash(session, people):
    office, trainee = people
    issued = _issue(session, office, trainee)
    assert len(issued.code) == 8 and set(issued.code) <= set(password_resets.CODE_ALPHABET)
    assert not set("0O1IL") & set(password_resets.CODE_ALPHABET)
    assert issued.readable == f"{issued.code[:4]}-{issued.code[4:]}"
    row = session.scalar(select(PasswordResetCode).where(PasswordResetCode.user_id == trainee.id))
    assert issued.code not in row.code_hash and verify_password(row.code_hash, issued.code)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.reset_code_issued"))
    assert (event.actor_id, event.target_id) == (office.id, str(trainee.id))
    assert issued.code not in repr(event.details) + (event.target_id or "")


def test_a_right_code_works_once_typed_loosely(session, people):
    office, trainee = people
    issued = _issue(session, office, trainee)
    typed = f" {issued.code[:4].lower()} - {issued.code[4:]} "
    assert password_resets.reset_with_code(session, "13600000009", typed, NEW, now=utcnow()) is trainee
    assert verify_password(trainee.password_hash, NEW)
    with pytest.raises(password_resets.ResetRefused):
        password_resets.reset_with_code(session, "13600000009", issued.code, "Another-Pass-88", now=utcnow())
    assert session.scalar(select(AuditEvent.actor_id).where(
        AuditEvent.action == "user.password_reset_with_code")) == trainee.id


def test_an_expired_code_fails(session, people):
    office, trainee = people
    issued = _issue(session, office, trainee, now=utcnow() - DAY - timedelta(minutes=1))
    with pytest.raises(password_resets.ResetRefused):
        password_resets.reset_with_code(session, trainee.username, issued.code, NEW, now=utcnow())
    assert verify_password(trainee.password_hash, DEFAULT_PASSWORD)


def test_a_new_code_replaces_the_old_one_and_a_password_change_voids_it(session, people):
    office, trainee = people
    first = _issue(session, office, trainee)
    second = _issue(session, office, trainee)
    with pytest.raises(password_resets.ResetRefused):
        password_resets.reset_with_code(session, trainee.username, first.code, NEW, now=utcnow())
    accounts.change_password(session, trainee, DEFAULT_PASSWORD, "Changed-Myself-5")
    with pytest.raises(password_resets.ResetRefused):
        password_resets.reset_with_code(session, trainee.username, second.code, NEW, now=utcnow())


def test_wrong_codes_and_unknown_logins_get_the_same_refusal(session, people):
    office, trainee = people
    _issue(session, office, trainee)
    refusals = []
    for login, code in ((trainee.username, "ABCDEFGH"), ("no-such-person", "ABCDEFGH"), (office.username, "X")):
        with pytest.raises(password_resets.ResetRefused) as refused:
            password_resets.reset_with_code(session, login, code, NEW, now=utcnow())
        refusals.append(str(refused.value.message))
    assert len(set(refusals)) == 1


def test_a_weak_password_is_refused_before_the_code_is_used(session, people):
    office, trainee = people
    issued = _issue(session, office, trainee)
    with pytest.raises(ValidationError) as weak:
        password_resets.reset_with_code(session, trainee.username, issued.code, "12345678", now=utcnow())
    assert weak.value.field == "new_password" and not isinstance(weak.value, password_resets.ResetRefused)
    assert password_resets.reset_with_code(session, trainee.username, issued.code, NEW, now=utcnow()) is trainee


def test_a_link_works_once_and_expires(app, session, people):
    _office, trainee = people
    keys = {"secret_key": app.config["SECRET_KEY"], "max_age": 3600}
    token = password_resets.link_token(trainee, secret_key=keys["secret_key"])
    assert password_resets.user_for_link(session, token, secret_key=keys["secret_key"], max_age=-1) is None
    assert password_resets.user_for_link(session, token, secret_key="another-key", max_age=3600) is None
    assert password_resets.reset_with_link(session, token, NEW, **keys) is trainee
    with pytest.raises(password_resets.ResetRefused):
        password_resets.reset_with_link(session, token, "Another-Pass-88", **keys)
    assert verify_password(trainee.password_hash, NEW)
