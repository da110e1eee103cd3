"""A new password ends every other session of the account, remembered ones too; the browser that changed it stays."""
from tests.factories import DEFAULT_PASSWORD, make_org, make_user
from tests.views.test_login_sessions import signed_in


def test_changing_ones_password_ends_the_other_sessions_but_not_this_one(app, session):
    user = make_user("office_admin")
    session.commit()
    here, elsewhere = signed_in(app, user), signed_in(app, user)
    response = here.post("/auth/password", data={"current_password": DEFAULT_PASSWORD,
                                                  "new_password": "New-Secret-42", "confirm": "New-Secret-42"})
    assert response.status_code == 302
    assert here.get("/office/").status_code == 200
    assert elsewhere.get("/office/").status_code == 302


def test_a_remembered_session_ends_when_the_office_resets_the_password(app, session):
    office, trainee = make_user("office_admin"), make_user("trainee", org=make_org())
    session.commit()
    phone = signed_in(app, trainee, remember=True)
    phone.delete_cookie("session")  # the browser was closed: only the remember-me cookie is left
    assert phone.get("/me/").status_code == 200
    signed_in(app, office).post(f"/office/users/{trainee.id}/password",
                                 data={"new_password": "Reset-Pass-77", "confirm": "Reset-Pass-77"})
    phone.delete_cookie("session")
    assert phone.get("/me/").status_code == 302


def test_a_session_id_without_the_stamp_is_not_accepted(app, client, session):
    user = make_user("office_admin")
    session.commit()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(user.id)
        cookie["_fresh"] = True
    assert client.get("/office/").status_code == 302
