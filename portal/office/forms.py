from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

REQUIRED = _l("This field is required.")


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(REQUIRED), EqualTo("new_password", _l("The two passwords differ."))],
    )


class RejectForm(FlaskForm):
    reason = StringField(_l("Why it is not accepted"), validators=[DataRequired(REQUIRED), Length(max=300)])
