"""The office's training rules page: a form for every setting, or the YAML text for whoever prefers it.
Either way the text goes through the one loader, a preview, then the office's confirmation."""
from __future__ import annotations

import dataclasses

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.domain.workforce.rules import RuleProblems, current_rules, current_rules_text, dump_rules
from portal.domain.workforce.schedule import save_rules
from portal.extensions import db
from portal.models import Course, KeyGroup, RuleSet, utcnow
from portal.office.rules_form import RulesEditForm, form_data
from portal.office.setup_forms import RulesForm
from portal.office.setup_views import OFFICE, bp
from portal.web.i18n import current_locale
from portal.web import access


@bp.route("/rules", methods=["GET", "POST"])
@access.roles(*OFFICE)
def rules():
    if request.args.get("editor") == "yaml" or "text" in request.form:
        return _yaml_editor()
    return _rules_form()


def _rules_form():
    locale = current_locale()
    groups = list(db.session.scalars(select(KeyGroup).order_by(KeyGroup.sort_order, KeyGroup.id)))
    codes = [group.code for group in groups]
    courses = db.session.scalars(select(Course).where(Course.retired.is_(False)).order_by(Course.code))
    choices = [(course.code, course.title(locale)) for course in courses]
    data = form_data(current_rules(db.session), codes) if request.method == "GET" else None
    form = RulesEditForm(data=data, course_choices=choices, group_codes=codes)
    # The form does not show the duty commitments' roles: the rules it saves keep those in force.
    outcome = (_check_or_apply(dump_rules(dataclasses.replace(form.to_rules(),
                                                              commitments=current_rules(db.session).commitments)),
                               form.note.data) if form.validate_on_submit() else None)
    if outcome is not None and outcome[0] == "applied":
        return outcome[1]
    return _page("form", form=form, outcome=outcome, group_names={g.code: g.name(locale) for g in groups})


def _yaml_editor():
    form = RulesForm()
    if request.method == "GET":
        form.text.data = current_rules_text(db.session)
    outcome = _check_or_apply(form.text.data, form.note.data) if form.validate_on_submit() else None
    if outcome is not None and outcome[0] == "applied":
        return outcome[1]
    return _page("yaml", form=form, outcome=outcome)


def _check_or_apply(text: str, note: str | None):
    """Preview the rules text, or apply it when the office confirmed: ("preview", summary, text),
    ("problems", [(line, message)], text) or ("applied", redirect)."""
    confirm = request.form.get("action") == "confirm"
    try:
        summary = save_rules(db.session, text, note=note or "", actor_id=current_user.id,
                             address=request.remote_addr or "", now=utcnow(), apply=confirm)
    except RuleProblems as error:
        db.session.rollback()
        return "problems", error.problems, text
    if not confirm:
        db.session.rollback()
        return "preview", summary, text
    db.session.commit()
    flash(_("The new rules are in force: %(created)s assignments created and %(closed)s closed.",
            created=summary.created, closed=summary.closed), "success")
    return "applied", redirect(url_for("office_setup.rules"))


def _page(editor: str, *, form, outcome, **context):
    kind, result, text = outcome if outcome is not None else (None, None, None)
    history = db.session.scalars(select(RuleSet).order_by(RuleSet.id.desc()).limit(20)).all()
    return render_template("office/rules.html", editor=editor, form=form, history=history, text=text,
                           preview=result if kind == "preview" else None,
                           problems=result if kind == "problems" else None, **context)
