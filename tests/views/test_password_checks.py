"""Password checks: hashes made with an older cost are replaced at the next login, and a process runs a bounded number
of checks at once; a login that finds no free turn is told to try again in a moment (503 with Retry-After), in the
reader's language, with nothing counted against the account."""
import threading

import pytest
from argon2 import PasswordHasher

from portal.domain.platform import passwords
from portal.extensions import db
from portal.models import User, utcnow
from portal.web import failed_attempts
from tests.factories import DEFAULT_PASSWORD, make_user

BUSY_TEXT = "Many people are logging in right now. Please try again in a moment."


@pytest.fixture
def app_config():
    # one check at a time, nobody waiting in line, and no time to wait: a held turn answers "busy" at once
    return {"PASSWORD_CHECKS_AT_ONCE": 1, "PASSWORD_CHECKS_QUEUED": 0, "PASSWORD_CHECK_WAIT_SECONDS": 0.05,
            "PASSWORD_CHECK_RETRY_AFTER": 7}


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")


class HeldTurn:
    """Every password-check turn of this process held by another thread (a login being checked)."""

    def __init__(self, app):
        with app.app_context():
            self.slots = passwords._process_slots()

    def __enter__(self):
        assert self.slots.admitted.acquire(blocking=False) and self.slots.running.acquire(blocking=False)
        return self

    def __exit__(self, *_exc):
        self.slots.running.release()
        self.slots.admitted.release()


def _stored_hash(session, user_id: int) -> str:
    session.expire_all()
    return session.get(User, user_id).password_hash


def test_a_hash_made_with_an_older_cost_is_replaced_at_the_next_login(app, client, session):
    user = make_user("trainee")
    old = PasswordHasher(time_cost=3, memory_cost=2048, parallelism=2).hash(DEFAULT_PASSWORD)
    user.password_hash = old
    session.commit()
    assert passwords.needs_rehash(old)

    response = client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302

    new = _stored_hash(session, user.id)
    assert new != old and new.startswith("$argon2id$")
    assert f"m={app.config['ARGON2_MEMORY_COST']},t={app.config['ARGON2_TIME_COST']}," in new
    assert not passwords.needs_rehash(new) and passwords.verify_password(new, DEFAULT_PASSWORD)
    client.post("/auth/logout")
    assert client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD}).status_code == 302
    assert _stored_hash(session, user.id) == new  # the current cost: kept as it is


def test_a_wrong_password_does_not_replace_an_old_hash(client, session):
    user = make_user("trainee")
    old = PasswordHasher(time_cost=3, memory_cost=2048, parallelism=2).hash(DEFAULT_PASSWORD)
    user.password_hash = old
    session.commit()
    response = client.post("/auth/login", data={"login": user.username, "password": "Not-the-password-1"})
    assert response.status_code == 200
    assert _stored_hash(session, user.id) == old


def test_the_office_cost_is_owasps():
    from portal.config import BaseConfig

    assert (BaseConfig.ARGON2_MEMORY_COST, BaseConfig.ARGON2_TIME_COST, BaseConfig.ARGON2_PARALLELISM) == (19456, 2, 1)


def test_a_login_without_a_free_turn_is_asked_to_try_again_and_counts_nothing(app, client, session, english):
    user = make_user("trainee")
    session.commit()
    with HeldTurn(app):
        response = client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD})
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and response.headers["Retry-After"] == "7"
        assert BUSY_TEXT in page and 'name="login"' in page  # the same form, to send again
        wrong = client.post("/auth/login", data={"login": user.username, "password": "Not-the-password-1"})
        assert wrong.status_code == 503
    with app.app_context():
        standing = failed_attempts.LOGIN.standing(f"user:{user.id}", now=utcnow())
    assert standing.failures == 0  # the wrong password sent while busy was never checked nor counted
    assert client.get("/me/").status_code == 302  # not signed in
    response = client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/")


def test_busy_in_chinese_by_default(app, client, session):
    user = make_user("trainee")
    session.commit()
    with HeldTurn(app):
        response = client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 503 and response.headers["Retry-After"] == "7"
    assert '<html lang="zh' in response.get_data(as_text=True)


def test_other_password_checks_get_the_busy_page_never_a_500(app, client, session, english):
    user = make_user("trainee")
    session.commit()
    client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD})
    with HeldTurn(app):
        response = client.post("/auth/password", data={"current_password": DEFAULT_PASSWORD,
                                                       "new_password": "Brand-new-Pass-2026",
                                                       "confirm": "Brand-new-Pass-2026"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "7"
    assert BUSY_TEXT in response.get_data(as_text=True)
    with app.app_context():
        assert passwords.verify_password(db.session.get(User, user.id).password_hash, DEFAULT_PASSWORD)


def test_checks_wait_their_turn_when_one_comes_free_in_time(app):
    app.config.update(PASSWORD_CHECKS_QUEUED=1, PASSWORD_CHECK_WAIT_SECONDS=5)
    held = HeldTurn(app).__enter__()
    threading.Timer(0.2, held.__exit__).start()
    with app.app_context():
        stored = passwords.hash_password("waited-for-my-turn")  # waits for the turn, then hashes
        assert passwords.verify_password(stored, "waited-for-my-turn")
