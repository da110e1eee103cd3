"""WTForms glue: run a domain validator as a field validator; fields that refuse what no record can hold."""
from __future__ import annotations

from typing import Callable

from wtforms import DateField, DecimalField
from wtforms.validators import StopValidation

from portal.domain.platform.errors import ValidationError
from portal.domain.platform.validators import date_range_message, is_plausible_date


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
