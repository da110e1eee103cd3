"""WTForms glue: run a domain validator as a field validator."""
from __future__ import annotations

from typing import Callable

from wtforms.validators import StopValidation

from portal.domain.errors import ValidationError


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


def apply_domain_error(form, error: ValidationError) -> None:
    """Attach a domain error to its field, or to the form as a whole."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    else:
        form.form_errors.append(str(error.message))
