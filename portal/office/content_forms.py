"""Forms of the office's content pages (the structured question editor reads its repeated option rows itself:
question_form.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

REQUIRED = _l("This field is required.")


class UploadForm(FlaskForm):
    file = FileField(_l("GIFT or YAML file"), validators=[FileRequired(_l("Choose a file."))])
    tag = SelectField(_l("Tag for the questions of a GIFT file"), choices=[], validate_choice=False)
    lang = SelectField(_l("Language of a GIFT file"), choices=[])  # set by the view

    def set_choices(self, tags: list[str]) -> None:
        self.tag.choices = [("", str(_l("Choose a tag")))] + [(tag, tag) for tag in tags]
        self.lang.choices = [("zh_CN", str(_l("Chinese"))), ("en", str(_l("English")))]


class RetireForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(min=2, max=300)])


class YamlQuestionForm(FlaskForm):
    text = TextAreaField(_l("The question in the question bank's YAML format"),
                         validators=[DataRequired(REQUIRED), Length(max=20000)])
