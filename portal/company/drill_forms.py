"""Forms of the drill pages: a drill (planned or held), a follow-up action, an action done, a photo."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.domain.workforce import drill_photos, drills
from portal.domain.workforce.drill_labels import KIND_LABELS
from portal.web.forms import TypedDateField

REQUIRED = _l("This field is required.")


class Chosen(InputRequired):
    """InputRequired without the `required` attribute: a drop-down whose options are all real choices, the first
    selected, has nothing to require (HTML allows `required` only with an empty first option)."""

    def __init__(self, message=None):
        super().__init__(message)
        self.field_flags = {}


class DrillForm(FlaskForm):
    kind = SelectField(_l("Kind of drill"), choices=[], validators=[Chosen(_l("Choose the kind of drill."))])
    day = TypedDateField(_l("Date"), validators=[DataRequired(_l("Enter a date such as 2026-03-01."))])
    scenario = TextAreaField(_l("Scenario"), validators=[DataRequired(_l("Describe the scenario of the drill.")),
                                                         Length(max=drills.TEXT_LIMITS["scenario"])])
    places = StringField(_l("Places"), validators=[Length(max=drills.TEXT_LIMITS["places"])])
    duration_minutes = IntegerField(_l("Duration (minutes)"), validators=[
        Optional(), NumberRange(min=1, max=drills.MAX_DURATION_MINUTES,
                                message=_l("Between %(min)s and %(max)s minutes."))])
    summary = TextAreaField(_l("Findings"), validators=[Length(max=drills.TEXT_LIMITS["summary"])])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(code, str(label)) for code, label in KIND_LABELS.items()]

    def data_value(self) -> drills.DrillData:
        return drills.DrillData(kind=self.kind.data, day=self.day.data, scenario=self.scenario.data or "",
                                places=self.places.data or "", duration_minutes=self.duration_minutes.data,
                                summary=self.summary.data or "")


class ParticipantsForm(FlaskForm):
    """The picker's ticks are read from the request (`trainee`); the form carries the CSRF token."""


class ActionForm(FlaskForm):
    description = StringField(_l("What has to be done"), validators=[DataRequired(_l("Say what has to be done.")),
                                                                      Length(max=500)])
    owner_trainee_id = SelectField(_l("Responsible, from the roster"), coerce=int, choices=[], validate_choice=True)
    owner_name = StringField(_l("Or the name of who is responsible"), validators=[Length(max=100)])
    due_on = TypedDateField(_l("Due by"), validators=[DataRequired(_l("Enter a date such as 2026-03-01."))])


class ActionDoneForm(FlaskForm):
    done_on = TypedDateField(_l("Done on"), validators=[Optional()])


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP)"), validators=[FileRequired(_l("Choose a photo."))])
    alt_text = StringField(_l("What the photo shows"), validators=[
        DataRequired(_l("Describe what the photo shows, for people who cannot see it.")),
        Length(max=drill_photos.ALT_TEXT_LENGTH)])
