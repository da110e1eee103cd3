from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal.domain.platform.validators import normalize_credit_code, normalize_mobile
from portal.web.forms import Domain, TypedDateField

REQUIRED = _l("This field is required.")


class RulesForm(FlaskForm):
    text = TextAreaField(_l("Rules (YAML)"), validators=[DataRequired(REQUIRED), Length(max=100_000)])
    note = StringField(_l("What changed and why"), validators=[Length(max=300)])


class KeyGroupForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(REQUIRED), Regexp(r"^[a-z][a-z0-9_]{1,39}$", message=_l(
        "Lowercase letters, digits and underscores, starting with a letter."))])
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(REQUIRED), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(REQUIRED), Length(max=100)])
    active = BooleanField(_l("Active"), default=True)


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    credit_code = StringField(_l("Unified social credit code"), validators=[DataRequired(REQUIRED), Domain(normalize_credit_code)])
    kind = SelectField(_l("Kind"), choices=[])
    sector_id = SelectField(_l("Sector"), coerce=int, choices=[])
    locality_id = SelectField(_l("Locality"), coerce=int, choices=[])
    address = StringField(_l("Address"), validators=[Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[Length(max=50)])
    contact_phone = StringField(_l("Contact phone"), validators=[Length(max=20)])
    last_drill_on = TypedDateField(_l("Date of the last fire drill"), validators=[Optional()])


class GrantForm(FlaskForm):
    login = StringField(_l("User name or mobile of the account"), validators=[DataRequired(REQUIRED), Length(max=50)])


class NewAdminForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    mobile = StringField(_l("Mobile number"), validators=[DataRequired(REQUIRED), Domain(normalize_mobile)])




class PostForm(FlaskForm):
    name = StringField(_l("Post"), validators=[DataRequired(REQUIRED), Length(max=100)])
    synonyms = TextAreaField(_l("Other names (one per line)"), validators=[Length(max=5000)])
    courses = SelectMultipleField(_l("Courses required before working in this post"), choices=[],
                                  validate_choice=True, widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput())
    basis = TextAreaField(_l("Legal basis of these courses"), validators=[Length(max=300)])


class MergePostForm(FlaskForm):
    into = SelectField(_l("It is the same post as"), coerce=int, choices=[], validate_choice=True)
