from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.domain.platform.validators import normalize_id_number, normalize_mobile
from portal.web.forms import Domain

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    login = StringField(_l("Mobile number or user name"), validators=[DataRequired(REQUIRED), Length(max=50)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=128)])
    remember = BooleanField(_l("Remember me on this device"))


class RegisterForm(FlaskForm):
    """Every other field comes back as typed; the password fields never do (PasswordField does not render its
    value). A password sent back would sit in the page's HTML: in the browser's cache and back/forward cache, in
    "view source", in any proxy or error report that keeps bodies. Retyping it costs a few seconds and a password
    manager fills it anyway; so the page only says, when it comes back with errors, that both are empty on purpose.
    """

    real_name = StringField(_l("Real name"), validators=[DataRequired(REQUIRED), Length(min=2, max=50)])
    mobile = StringField(_l("Mobile number"), validators=[DataRequired(REQUIRED), Domain(normalize_mobile)])
    id_number = StringField(_l("Resident ID number (optional)"), validators=[Domain(normalize_id_number, optional=True)])
    invite_code = StringField(_l("Invitation code"), validators=[DataRequired(REQUIRED), Length(max=32)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The two passwords differ."))],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(REQUIRED), EqualTo("new_password", _l("The two passwords differ."))],
    )


class ForgotPasswordForm(FlaskForm):
    """A new password with a reset code from the company administrator or the office."""

    login = StringField(_l("Mobile number or user name"), validators=[DataRequired(REQUIRED), Length(max=50)])
    code = StringField(_l("Reset code"), validators=[DataRequired(REQUIRED), Length(max=20)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(REQUIRED), EqualTo("new_password", _l("The two passwords differ."))],
    )


class ResetLinkForm(FlaskForm):
    """Ask for a reset link by e-mail."""

    login = StringField(_l("Mobile number or user name"), validators=[DataRequired(REQUIRED), Length(max=50)])


class NewPasswordForm(FlaskForm):
    """The new password, on the page an e-mailed reset link opens."""

    new_password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(REQUIRED), EqualTo("new_password", _l("The two passwords differ."))],
    )
