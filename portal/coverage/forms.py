"""The coverage forms: targets, their import, classroom sessions and attendance."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.web.forms import TypedDateField

REQUIRED = _l("This field is required.")


class TargetForm(FlaskForm):
    group_id = SelectField(_l("Key group"), coerce=int, choices=[])
    locality_id = StringField(_l("Locality"), validators=[DataRequired(_l("Choose the locality of the target.")),
                                                          Length(max=20)])
    declared_count = IntegerField(_l("Declared people without rosters"), default=0,
                                  validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    deadline = TypedDateField(_l("Deadline"), validators=[DataRequired(_l("Enter a date such as 2026-12-31."))])
    target_rate = IntegerField(_l("Target rate (%)"), default=100, validators=[DataRequired(REQUIRED),
                                                                                 NumberRange(min=1, max=100)])


class UploadForm(FlaskForm):
    file = FileField(_l("Targets file (CSV or XLSX)"), validators=[FileRequired(_l("Choose a file."))])


class ButtonForm(FlaskForm):
    """Only the CSRF token, for buttons."""


class SessionForm(FlaskForm):
    course_id = SelectField(_l("Course"), coerce=int, choices=[])
    organization_id = SelectField(_l("Organization"), coerce=int, choices=[])
    held_on = TypedDateField(_l("Date"), validators=[DataRequired(_l("Enter a date such as 2026-03-01."))])
    trainer = StringField(_l("Trainer"), validators=[DataRequired(REQUIRED), Length(max=100)])
    place = StringField(_l("Place"), validators=[DataRequired(REQUIRED), Length(max=200)])
    hours = StringField(_l("Class hours"), validators=[Optional(), Length(max=10)])


class AttendanceForm(FlaskForm):
    mobiles = TextAreaField(_l("Mobile numbers (one per line)"), validators=[Length(max=20000)])
