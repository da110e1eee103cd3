import re

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Person, Trainee, User
from tests.factories import DEFAULT_PASSWORD, make_org, make_trainee, make_user


def test_login_by_username_and_by_mobile(app, client, session):
    user = make_user("trainee", org=make_org())
    user.mobile = "13912345678"
    session.commit()
    response = client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/me/"
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"login": "13912345678", "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/me/"
    assert session.get(User, user.id).last_login_at is not None


def test_unknown_logins_cost_one_verification_each_not_a_new_hash(client, session, monkeypatch):
    """An unknown login is verified against a fixed hash (timing tells nothing), made once per cost."""
    from argon2 import PasswordHasher

    calls = {"hash": 0, "verify": 0}
    hash_, verify = PasswordHasher.hash, PasswordHasher.verify

    def counted(name, method):
        def wrapper(self, *args, **kwargs):
            calls[name] += 1
            return method(self, *args, **kwargs)
        return wrapper

    monkeypatch.setattr(PasswordHasher, "hash", counted("hash", hash_))
    monkeypatch.setattr(PasswordHasher, "verify", counted("verify", verify))
    for attempt in range(3):
        page = client.post("/auth/login", data={"login": f"nobody{attempt}", "password": "whatever-1"})
        assert "手机号、用户名或密码不正确" in page.get_data(as_text=True)
    assert calls["verify"] == 3 and calls["hash"] <= 1


def test_wrong_password_is_refused_in_the_users_language(client, session):
    user = make_user("office_admin")
    session.commit()
    page = client.post("/auth/login", data={"login": user.username, "password": "wrong-password"}).get_data(as_text=True)
    assert "手机号、用户名或密码不正确" in page
    assert f'value="{user.username}"' in page  # what was typed is kept
    client.set_cookie("lang", "en")
    page = client.post("/auth/login", data={"login": user.username, "password": "wrong-password"}).get_data(as_text=True)
    assert "The mobile number, user name or password is not correct." in page


def test_inactive_user_cannot_log_in(client, session):
    user = make_user("office_admin")
    user.active = False
    session.commit()
    response = client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200


def test_next_is_followed_only_on_this_site(client, session):
    user = make_user("office_admin")
    session.commit()
    response = client.post("/auth/login?next=/office/users", data={"login": user.username, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/office/users"
    client.post("/auth/logout")
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post("/auth/login", query_string={"next": evil},
                               data={"login": user.username, "password": DEFAULT_PASSWORD})
        assert response.headers["Location"] == "/office/"
        client.post("/auth/logout")


def test_logout_ends_the_session(client, session, login):
    user = make_user("office_admin")
    session.commit()
    login(user)
    assert client.get("/office/").status_code == 200
    client.post("/auth/logout")
    assert client.get("/office/").status_code == 302


def test_remember_me_sets_a_long_lived_http_only_cookie(client, session):
    user = make_user("office_admin")
    session.commit()
    response = client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]
    session_cookie = [c for c in cookies if c.startswith("session=")][0]
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def _registration(**changes):
    data = {"real_name": "张三", "mobile": "13600000001", "id_number": "", "invite_code": "",
            "password": "Fire-Safe-2026", "confirm": "Fire-Safe-2026"}
    data.update(changes)
    return data


def test_register_with_employer_code_claims_own_roster_row_with_its_id_number(client, session):
    org, other = make_org(), make_org()
    own_row = make_trainee(org, mobile="13600000001", name="张三", id_number="11010519491231002X")
    other_row = make_trainee(other, mobile="13600000001", name="张三")
    session.commit()
    response = client.post("/auth/register", data=_registration(invite_code=org.invite_code.lower(),
                                                                id_number="110105 19491231 002x"))
    assert response.headers["Location"] == "/me/"
    user = session.scalar(select(User).where(User.mobile == "13600000001"))
    assert session.get(Trainee, own_row.id).person.user_id == user.id
    assert session.get(Trainee, other_row.id).person.user_id is None
    assert "张三" in client.get("/me/").get_data(as_text=True)


def test_register_with_public_code_creates_trainee_without_employer(app, client, session):
    response = client.post("/auth/register", data=_registration(invite_code=app.config["PUBLIC_INVITE_CODE"]))
    assert response.status_code == 302
    trainee = session.scalar(select(Trainee).join(Trainee.person).where(Person.mobile == "13600000001"))
    assert trainee.organization_id is None and trainee.person.user_id is not None


@pytest.mark.parametrize("changes, message", [
    ({"mobile": "12345"}, "手机号为 11 位数字"),
    ({"id_number": "110105194912310021"}, "身份证号码的校验位不正确"),
    ({"invite_code": "NOPE"}, "邀请码无效"),
    ({"password": "12345678", "confirm": "12345678"}, "密码太容易被猜到"),
    ({"confirm": "something-else"}, "两次输入的密码不一致"),
])
def test_register_names_each_bad_field_and_keeps_input(client, session, changes, message):
    make_org()
    session.commit()
    data = _registration(invite_code="INV-missing", **changes) if "invite_code" not in changes else _registration(**changes)
    if "invite_code" not in changes:
        data["invite_code"] = "PUBLIC-2026"
    page = client.post("/auth/register", data=data).get_data(as_text=True)
    assert message in page
    assert 'value="张三"' in page
    assert session.scalar(select(User).where(User.mobile == "13600000001")) is None


def test_register_refuses_a_second_account_for_one_mobile(client, session):
    client.post("/auth/register", data=_registration(invite_code="PUBLIC-2026"))
    client.post("/auth/logout")
    page = client.post("/auth/register", data=_registration(invite_code="PUBLIC-2026")).get_data(as_text=True)
    assert "该手机号已注册" in page
    assert len(session.scalars(select(User).where(User.mobile == "13600000001")).all()) == 1


def test_change_password(client, session, login):
    user = make_user("office_admin")
    session.commit()
    login(user)
    page = client.post("/auth/password", data={"current_password": "bad", "new_password": "New-Secret-42",
                                               "confirm": "New-Secret-42"}).get_data(as_text=True)
    assert "当前密码不正确" in page
    response = client.post("/auth/password", data={"current_password": DEFAULT_PASSWORD,
                                                   "new_password": "New-Secret-42", "confirm": "New-Secret-42"})
    assert response.status_code == 302
    client.post("/auth/logout")
    login(user, "New-Secret-42")


@pytest.mark.parametrize("weak, reason", [("P@ssw0rd", "look-alike"), ("admin@123", "most common passwords"),
                                           ("qwer1234", "most common passwords")])
def test_the_issues_guessable_passwords_are_refused_with_a_reason(client, session, login, weak, reason):
    user = make_user("office_admin")
    session.commit()
    login(user)
    client.set_cookie("lang", "en")
    page = client.post("/auth/password", data={"current_password": DEFAULT_PASSWORD, "new_password": weak,
                                               "confirm": weak}).get_data(as_text=True)
    assert "This password is too easy to guess" in page and reason in page and "Add another word or two" in page


def test_a_new_password_must_not_contain_ones_own_name(client, session, login):
    user = make_user("office_admin")
    user.display_name = "Liang Jianguo"
    session.commit()
    login(user)
    client.set_cookie("lang", "en")
    page = client.post("/auth/password", data={"current_password": DEFAULT_PASSWORD,
                                               "new_password": "liang jianguo 1975!", "confirm": "liang jianguo 1975!"})
    assert "must not contain your name" in page.get_data(as_text=True)


def test_an_office_admin_changes_their_own_password_only_with_the_current_one(client, session, login):
    """The users page's reset form sets anyone's password without theirs: for oneself it leads to the page that
    asks for the current password, and sets nothing."""
    office = make_user("office_admin")
    session.commit()
    login(office)
    response = client.post(f"/office/users/{office.id}/password",
                           data={"new_password": "Taken-Over-4471", "confirm": "Taken-Over-4471"})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/password"
    assert client.get(f"/office/users/{office.id}/password").headers["Location"] == "/auth/password"
    client.post("/auth/logout")
    login(office)  # the password is unchanged
    assert not session.scalar(select(AuditEvent).where(AuditEvent.action == "user.reset_password"))


def test_office_resets_a_password_and_it_is_audited(client, session, login):
    office = make_user("office_admin")
    trainee = make_user("trainee", org=make_org())
    session.commit()
    login(office)
    response = client.post(f"/office/users/{trainee.id}/password",
                           data={"new_password": "Reset-Pass-77", "confirm": "Reset-Pass-77"})
    assert response.status_code == 302
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.reset_password"))
    assert event.actor_id == office.id and event.target_id == str(trainee.id)
    client.post("/auth/logout")
    login(trainee, "Reset-Pass-77")
    assert "user.reset_password" in _office_audit_page(client, office, login)


def _office_audit_page(client, office, login):
    client.post("/auth/logout")
    login(office)
    return client.get("/office/audit").get_data(as_text=True)


def test_office_admin_cannot_reset_a_superusers_password(client, session, login):
    office, root = make_user("office_admin"), make_user("superuser")
    session.commit()
    login(office)
    assert client.post(f"/office/users/{root.id}/password",
                       data={"new_password": "Reset-Pass-77", "confirm": "Reset-Pass-77"}).status_code == 404


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_post_without_token_is_rejected(self, client, session):
        user = make_user("office_admin")
        session.commit()
        response = client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD})
        assert response.status_code == 400
        assert "表单已过期" in response.get_data(as_text=True)

    def test_post_with_token_is_accepted(self, client, session):
        user = make_user("office_admin")
        session.commit()
        page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD,
                                                    "csrf_token": token})
        assert response.status_code == 302


class TestThrottling:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_BACKOFF_AFTER": 3, "LOGIN_LIMIT_PER_ADDRESS": "6 per 5 minutes"}

    def test_per_account_a_wait(self, client, session):
        user = make_user("office_admin")
        session.commit()
        for _ in range(3):
            assert client.post("/auth/login", data={"login": user.username, "password": "nope-nope"}).status_code == 200
        blocked = client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD})
        assert blocked.status_code == 429
        assert "尝试次数过多" in blocked.get_data(as_text=True)
        # another account from the same address still works
        other = make_user("office_admin")
        session.commit()
        assert client.post("/auth/login", data={"login": other.username, "password": DEFAULT_PASSWORD}).status_code == 302

    def test_per_address(self, client, session):
        for n in range(6):
            client.post("/auth/login", data={"login": f"ghost{n}", "password": "nope-nope"})
        assert client.post("/auth/login", data={"login": "ghost-new", "password": "x"}).status_code == 429
        other_address = client.post("/auth/login", data={"login": "ghost-new", "password": "x"},
                                    environ_overrides={"REMOTE_ADDR": "10.9.9.9"})
        assert other_address.status_code == 200

    def test_successful_logins_do_not_count_against_the_account(self, client, session):
        user = make_user("office_admin")
        session.commit()
        for _ in range(4):
            assert client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD}).status_code == 302
            client.post("/auth/logout")


def test_a_new_hire_sees_their_training_right_after_registering(client, session):
    """The training is worked out in the registration request itself, not by the hourly scheduler."""
    from portal.domain.content.sync import sync_content
    from portal.models import Assignment, RuleSet
    from tests.conftest import FIXTURE_CONTENT
    from tests.views.test_company import RULES

    sync_content(session, FIXTURE_CONTENT)
    session.add(RuleSet(text=RULES, note="test"))
    org = make_org()
    session.commit()
    response = client.post("/auth/register", data=_registration(invite_code=org.invite_code))
    assert response.headers["Location"] == "/me/"
    trainee = session.scalar(select(Trainee).join(Trainee.person).where(Person.mobile == "13600000001"))
    assert trainee.organization_id == org.id
    assert [a.rule for a in session.scalars(select(Assignment).where(Assignment.trainee_id == trainee.id))] == [
        "onboarding"]
    home = client.get("/me/").get_data(as_text=True)
    assert "示例课程" in home and "目前没有待完成的培训" not in home
