"""Registration shows every problem at once, keeps what was typed and never sends a password back."""
import re

from sqlalchemy import select

from portal.models import User
from tests.factories import make_org, make_trainee, make_user


def _post(client, **changes):
    data = {"real_name": "张三", "mobile": "13600000001", "id_number": "", "invite_code": "PUBLIC-2026",
            "password": "Fire-Safe-2026", "confirm": "Fire-Safe-2026"}
    data.update(changes)
    return client.post("/auth/register", data=data).get_data(as_text=True)


def _field_errors(page: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="([a-z_]+)-error">([^<]*)</p>', page))


def test_form_and_domain_problems_are_shown_together_and_input_is_kept(client, session):
    session.commit()
    page = _post(client, real_name="", mobile="13600000001", id_number="110105194912310021",
                 invite_code="NOPE", password="12345678", confirm="12345679")
    errors = _field_errors(page)
    assert set(errors) == {"real_name", "id_number", "invite_code", "password", "confirm"}
    assert "校验位不正确" in errors["id_number"] and "邀请码无效" in errors["invite_code"]
    assert "太容易被猜到" in errors["password"] and "不一致" in errors["confirm"]
    assert 'value="13600000001"' in page and 'value="110105194912310021"' in page and 'value="NOPE"' in page
    assert "12345678" not in page and "12345679" not in page  # passwords are never sent back
    assert 'id="password-retype"' in page
    assert page.count('<li><a href="#') == 5  # the summary links to each field
    assert session.scalar(select(User).where(User.mobile == "13600000001")) is None


def test_a_taken_mobile_and_a_weak_password_show_together(client, session):
    user = make_user("trainee", org=make_org())
    user.mobile = "13600000001"
    session.commit()
    errors = _field_errors(_post(client, password="13600000001x", confirm="13600000001x"))
    assert set(errors) == {"mobile", "password"}
    assert "该手机号已注册" in errors["mobile"]


def test_a_taken_id_number_shows_with_a_bad_mobile_only_when_the_code_is_valid(client, session):
    make_trainee(None, user=make_user(), id_number="11010519491231002X")
    session.commit()
    errors = _field_errors(_post(client, mobile="12345", id_number="11010519491231002X"))
    assert set(errors) == {"mobile", "id_number"}
    errors = _field_errors(_post(client, mobile="13600000002", invite_code="NOPE", id_number="11010519491231002X"))
    assert set(errors) == {"invite_code"}  # nothing said about the ID number before the code is valid


def test_a_first_visit_says_nothing_about_retyping_and_links_to_log_in(client, session):
    page = client.get("/auth/register").get_data(as_text=True)
    assert 'id="password-retype"' not in page and 'href="/auth/login"' in page
