from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.domain.platform.validators import normalize_department, normalize_id_number, normalize_mobile
from portal.web.forms import Domain, FiniteDecimalField, TypedDateField

REQUIRED = _l("This field is required.")
DATE_HELP = _l("Format: 2026-03-01")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PersonForm(FlaskForm):
    real_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=50)])
    mobile = StringField(_l("Mobile number"), validators=[DataRequired(REQUIRED), Domain(normalize_mobile)])
    id_number = StringField(_l("Resident ID number (optional)"), validators=[Domain(normalize_id_number, optional=True)])
    post = StringField(_l("Post"), validators=[DataRequired(REQUIRED), Length(max=100)])
    add_post = BooleanField(_l("Add this post to the catalogue"))
    department = StringField(_l("Department (optional)"), validators=[Domain(normalize_department, optional=True)])
    start_date = TypedDateField(_l("Start date"), validators=[DataRequired(_l("Enter a date such as 2026-03-01."))])
    groups = MultiCheckboxField(_l("Key groups"), choices=[], validate_choice=True)


class TransferForm(FlaskForm):
    post = StringField(_l("New post"), validators=[DataRequired(REQUIRED), Length(max=100)])
    add_post = BooleanField(_l("Add this post to the catalogue"))
    effective_on = TypedDateField(_l("Starts the new post on"), validators=[DataRequired(_l("Enter a date such as 2026-03-01."))])
    groups = MultiCheckboxField(_l("Key groups"), choices=[], validate_choice=True)


class PriorTrainingForm(FlaskForm):
    """Training done before or outside the portal; the domain (prior.record) checks the values."""

    course = SelectField(_l("Course it stands for"), choices=[], validate_choice=True)
    completed_on = TypedDateField(_l("Date of the training"),
                             validators=[DataRequired(_l("Enter a date such as 2026-03-01."))])
    provider = StringField(_l("Given by"), validators=[DataRequired(REQUIRED), Length(max=200)])
    hours = FiniteDecimalField(_l("Class hours"), places=1,
                         validators=[DataRequired(_l("Enter the class hours, such as 4."))])
    evidence = StringField(_l("Proof (certificate number or file reference)"),
                           validators=[DataRequired(REQUIRED), Length(max=200)])


class ReleaseForm(FlaskForm):
    left_on = TypedDateField(_l("Left on"), validators=[DataRequired(_l("Enter a date such as 2026-03-01."))])
    confirmed = HiddenField()  # "yes" once the administrator has seen what releasing does


class ImportForm(FlaskForm):
    file = FileField(_l("Roster file (CSV or XLSX)"), validators=[FileRequired(_l("Choose a file."))])


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(REQUIRED), Length(max=100)])


class DateFilterForm(FlaskForm):
    day = TypedDateField(validators=[Optional()])
