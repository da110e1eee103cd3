"""The office's rules form: every setting of the rules file as fields, checked as the loader checks it.

The form is read into a `Rules` value and saved as YAML (`rules.dump_rules`), so the file format stays the
one the loader reads; the YAML editor remains for whoever prefers the text."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, IntegerField, SelectMultipleField, StringField, \
    TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.domain.workforce.rules import CourseRule, DrillRule, Periodic, Rules
from portal.models import ORGANIZATION_KINDS

MAX_DAYS = 3650
MAX_MONTHS = 120
BASIS_LENGTH = 1000


class WholeNumberField(IntegerField):
    """An integer field whose "not a number" message is the portal's own, in the user's language."""

    def process_formdata(self, valuelist) -> None:
        if valuelist and (valuelist[0] or "").strip():
            text = valuelist[0].strip()
            self.raw_data = [text]
            if not text.isascii() or not text.isdigit() or len(text) > 6:
                self.data = None
                raise ValueError(str(_l("Enter a whole number such as 30.")))
            self.data = int(text)
        else:
            self.data = None

    def pre_validate(self, form) -> None:
        if self.process_errors:  # its own message says it all; the range check would only repeat it
            raise StopValidation()


class CourseChoice(SelectMultipleField):
    """Checkboxes of the courses in use; a code that is not one of them is refused with a readable message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        known = {value for value, _label in self.choices or []}
        if any(value not in known for value in self.data or []):
            raise ValidationError(str(_l("Choose courses from the list.")))


def _days(label, *, minimum: int = 0):
    return WholeNumberField(label, validators=[
        InputRequired(_l("Enter a number of days.")),
        NumberRange(min=minimum, max=MAX_DAYS, message=_l("Between %(min)s and %(max)s days."))])


def _months(label, *, required: bool):
    return WholeNumberField(label, validators=[
        InputRequired(_l("Enter a number of months.")) if required else Optional(),
        NumberRange(min=1, max=MAX_MONTHS, message=_l("Between %(min)s and %(max)s months."))])


def _basis(label=_l("Legal basis")):
    return TextAreaField(label, validators=[Length(max=BASIS_LENGTH)])


def _basis_required(form, field) -> None:
    if not (field.data or "").strip():
        raise ValidationError(str(_l("Give the legal basis of this rule.")))


class PeriodicEntry(Form):
    months = _months(_l("Trained again every (months)"), required=True)
    basis = _basis()


class DrillEntry(Form):
    months = _months(_l("A fire drill at least every (months)"), required=True)
    basis = _basis()


class GroupEntry(Form):
    code = HiddenField()
    courses = CourseChoice(_l("Courses"), choices=[])
    due_days = _days(_l("Due within (days of starting)"))
    valid_months = _months(_l("Valid for (months)"), required=False)
    basis = _basis()

    def validate_basis(self, field) -> None:
        if self.courses.data:
            _basis_required(self, field)


PeriodicByKind = type("PeriodicByKind", (Form,), {kind: FormField(PeriodicEntry) for kind in ORGANIZATION_KINDS})
DrillsByKind = type("DrillsByKind", (Form,), {kind: FormField(DrillEntry) for kind in ORGANIZATION_KINDS})
CoursesByKind = type("CoursesByKind", (Form,), {
    kind: CourseChoice(_l("Courses"), choices=[]) for kind in ORGANIZATION_KINDS})


class RulesEditForm(FlaskForm):
    renewal_lead_days = _days(_l("Assign the renewal this many days before a training expires"))
    periodic = FormField(PeriodicByKind)
    drills = FormField(DrillsByKind)
    onboarding_courses = CourseChoice(_l("Courses every new employee takes"), choices=[])
    onboarding_by_kind = FormField(CoursesByKind)
    onboarding_due_days = _days(_l("Due this many days after the start date (0: before starting work)"))
    onboarding_basis = _basis()
    groups = FieldList(FormField(GroupEntry))
    transfer_courses = CourseChoice(_l("Courses before starting a new post"), choices=[])
    transfer_basis = _basis()
    note = StringField(_l("What changed and why"), validators=[Length(max=300)])

    def __init__(self, *args, course_choices=(), group_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group_codes = list(group_codes)
        for field in self.course_fields():
            field.choices = list(course_choices)

    def course_fields(self):
        yield self.onboarding_courses
        yield from self.onboarding_by_kind
        yield self.transfer_courses
        for entry in self.groups:
            yield entry.form.courses

    def validate_onboarding_basis(self, field) -> None:
        _basis_required(self, field)

    def validate_transfer_basis(self, field) -> None:
        _basis_required(self, field)

    def validate_groups(self, field) -> None:
        # Each key group is one row of the page; a row missing or added means the page is out of date, and
        # saving it would drop or invent a group's rule.
        if [entry.form.code.data for entry in field] != self.group_codes:
            raise ValidationError(str(_l("The key groups have changed since this page was opened; "
                                         "open the rules again.")))

    def to_rules(self) -> Rules:
        """The rules the fields describe (call after validate())."""
        def basis(field) -> str:
            return (field.data or "").strip()

        return Rules(
            renewal_lead_days=self.renewal_lead_days.data,
            periodic={kind: Periodic(months=entry.form.months.data, basis=basis(entry.form.basis))
                      for kind, entry in ((k, self.periodic.form[k]) for k in ORGANIZATION_KINDS)},
            onboarding=CourseRule(courses=tuple(self.onboarding_courses.data or ()), basis=basis(self.onboarding_basis),
                                  due_days=self.onboarding_due_days.data),
            onboarding_by_kind={kind: tuple(self.onboarding_by_kind.form[kind].data)
                                for kind in ORGANIZATION_KINDS if self.onboarding_by_kind.form[kind].data},
            groups={entry.form.code.data: CourseRule(
                courses=tuple(entry.form.courses.data), basis=basis(entry.form.basis),
                due_days=entry.form.due_days.data, valid_months=entry.form.valid_months.data)
                for entry in self.groups if entry.form.courses.data},
            transfer=CourseRule(courses=tuple(self.transfer_courses.data or ()), basis=basis(self.transfer_basis)),
            drills={kind: DrillRule(months=self.drills.form[kind].months.data, basis=basis(self.drills.form[kind].basis))
                    for kind in ORGANIZATION_KINDS},
        )


def form_data(rules: Rules, group_codes: list[str]) -> dict:
    """The form's initial values from the rules in force, with a row for every key group."""
    def group(code: str) -> dict:
        rule = rules.groups.get(code)
        if rule is None:
            return {"code": code, "courses": [], "due_days": 90, "valid_months": 12, "basis": ""}
        return {"code": code, "courses": list(rule.courses), "due_days": rule.due_days,
                "valid_months": rule.valid_months, "basis": rule.basis}

    return {
        "renewal_lead_days": rules.renewal_lead_days,
        "periodic": {kind: {"months": p.months, "basis": p.basis} for kind, p in rules.periodic.items()},
        "drills": {kind: {"months": d.months, "basis": d.basis} for kind, d in rules.drills.items()},
        "onboarding_courses": list(rules.onboarding.courses),
        "onboarding_by_kind": {kind: list(rules.onboarding_by_kind.get(kind, ())) for kind in ORGANIZATION_KINDS},
        "onboarding_due_days": rules.onboarding.due_days,
        "onboarding_basis": rules.onboarding.basis,
        "groups": [group(code) for code in group_codes],
        "transfer_courses": list(rules.transfer.courses),
        "transfer_basis": rules.transfer.basis,
    }
