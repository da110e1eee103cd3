"""WTForms glue: run a domain validator as a field validator; fields that refuse what no record can hold; a
domain change made from a form, committed or shown on the form."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField
from wtforms.validators import StopValidation

from portal.domain.platform.errors import ValidationError
from portal.domain.platform.validators import date_range_message, is_plausible_date
from portal.extensions import db


class Domain:
    """Field validator that calls a domain check and stores its normalised value."""

    def __init__(self, check: Callable[[str], str], optional: bool = False):
        self.check = check
        self.optional = optional

    def __call__(self, form, field) -> None:
        value = (field.data or "").strip()
        if self.optional and not value:
            field.data = ""
            return
        try:
            field.data = self.check(value)
        except ValidationError as error:
            raise StopValidation(str(error.message)) from None


class TypedDateField(DateField):
    """The date field of every form: a date outside the years people type (validators.EARLIEST_DATE to
    LATEST_DATE, such as 0001-01-01 or 9999-12-31) is refused before any date is computed from it."""

    def pre_validate(self, form) -> None:
        if self.data is not None and not is_plausible_date(self.data):
            raise StopValidation(str(date_range_message()))


class FiniteDecimalField(DecimalField):
    """A decimal field that takes "NaN", "sNaN" and "Infinity" for no number at all (they cannot be compared,
    and "sNaN" cannot even be shown again); the field's own DataRequired message then says what to type."""

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None


def apply_domain_error(form, error: ValidationError) -> None:
    """Attach a domain error to its field, or to the form as a whole."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    else:
        form.form_errors.append(str(error.message))


class Saved:
    """What `saving` reports: true once the change is committed; false while it runs and after a refusal."""

    def __init__(self) -> None:
        self.committed = False

    def __bool__(self) -> bool:
        return self.committed


@contextmanager
def saving(form) -> Iterator[Saved]:
    """Run the domain call(s) in the block as one change made from `form`: when they finish, commit; when the
    domain refuses (ValidationError), roll back, put its message on the form and carry on after the block. What
    the block assigns is there after it when the change was saved::

        with saving(form) as saved:
            drill = drills.plan_drill(db.session, org, ...)
        if saved:
            flash(...)
            return redirect(url_for(..., drill_id=drill.id))
        return render_template(...)  # the form, with the refusal on it

    Any other exception leaves the block uncommitted and goes on up, as it would without the helper."""
    saved = Saved()
    try:
        yield saved
    except ValidationError as error:
        db.session.rollback()
        apply_domain_error(form, error)
    else:
        db.session.commit()
        saved.committed = True


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons (every blueprint's)."""
