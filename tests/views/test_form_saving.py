"""`saving`: a change made from a form is committed, or rolled back with the domain's refusal on the form."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from wtforms import Form, StringField

from portal.domain.platform.errors import NotAllowed, ValidationError
from portal.extensions import db
from portal.models import KeyGroup
from portal.web.forms import saving


class NameForm(Form):
    name = StringField()


def _group(code: str) -> KeyGroup:
    group = KeyGroup(code=code, name_zh=code, name_en=code)
    db.session.add(group)
    db.session.flush()
    return group


def _codes() -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(select(KeyGroup.code)))


def test_a_finished_change_is_committed_and_what_the_block_assigned_is_there(app):
    with app.app_context():
        form = NameForm()
        with saving(form) as saved:
            group = _group("saved_one")
        assert saved and group.code == "saved_one"
        assert "saved_one" in _codes()
        assert not form.errors and not form.form_errors


def test_a_refusal_is_rolled_back_and_shown_on_its_field_or_the_form(app):
    with app.app_context():
        form = NameForm()
        with saving(form) as saved:
            _group("refused_one")
            raise ValidationError("Not this name.", "name")
        assert not saved
        assert form.name.errors == ["Not this name."]
        with saving(form) as saved:
            raise ValidationError("Not now.")
        assert not saved and form.form_errors == ["Not now."]
        assert "refused_one" not in _codes()


def test_any_other_error_goes_on_up_uncommitted(app):
    with app.app_context():
        form = NameForm()
        with pytest.raises(NotAllowed):
            with saving(form):
                _group("other_error")
                raise NotAllowed("Not allowed.")
        assert not form.form_errors
        assert "other_error" not in _codes()
