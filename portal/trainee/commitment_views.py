"""The trainee's duty commitment (履职承诺): read it, confirm it deliberately (a box ticked, the full name typed),
and download the PDF copy."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from portal.domain.workforce import commitments
from portal.domain.platform.localtime import local_today
from portal.extensions import db
from portal.models import Commitment, Trainee, utcnow
from portal.trainee.views import bp
from portal.web.forms import apply_domain_error
from portal.web.i18n import current_locale
from portal.web import access


class SignForm(FlaskForm):
    confirm = BooleanField(_l("I have read this commitment, understand it and will carry out these duties."))
    typed_name = StringField(_l("Type your full name to sign"), validators=[Length(max=50, message=_l(
        "A name has at most 50 characters."))])


def _own_job(trainee_id: int) -> Trainee:
    job = db.session.get(Trainee, trainee_id)
    person = current_user.person
    if job is None or person is None or job.person_id != person.id:
        abort(404)
    return job


@bp.route("/commitments/<int:trainee_id>/<role>", methods=["GET", "POST"])
@access.roles("trainee")
def commitment(trainee_id: int, role: str):
    """The commitment of one role held at one of the person's jobs: the text, the form, or what was signed."""
    job = _own_job(trainee_id)
    duty = next((d for d in commitments.person_duties(db.session, job.person_id, today=local_today())
                 if d.trainee.id == job.id and d.role == role), None)
    if duty is None:
        abort(404)
    form = SignForm()
    if form.validate_on_submit() and duty.status in ("to_sign", "expired"):
        try:
            commitments.sign(db.session, job=job, role=role, typed_name=form.typed_name.data or "",
                             confirmed=bool(form.confirm.data), now=utcnow(), user=current_user,
                             user_agent=request.user_agent.string or "", address=request.remote_addr or "")
        except commitments.CommitmentError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Thank you: your duty commitment is signed. You can download a copy below."), "success")
            return redirect(url_for("trainee.commitment", trainee_id=job.id, role=role))
    page = render_template("trainee/commitment.html", duty=duty, job=job, form=form,
                           role_name=commitments.role_label(role))
    return page, 422 if form.errors else 200


@bp.route("/commitments/<int:commitment_id>.pdf")
@access.roles("trainee")
def commitment_pdf(commitment_id: int):
    """The PDF copy of a commitment the person signed."""
    record = db.session.get(Commitment, commitment_id)
    person = current_user.person
    if record is None or person is None or record.person_id != person.id:
        abort(404)
    return commitment_download(record)


def commitment_download(record: Commitment) -> Response:
    """The PDF as a download, in the reader's language (the company's copy too)."""
    # reportlab loads with the first PDF, not in every worker at start
    from portal.domain.workforce.commitment_pdf import CommitmentPdfSettings, render_commitment

    locale = current_locale()
    data = render_commitment(record, CommitmentPdfSettings.from_config(current_app.config, locale), locale=locale)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{record.serial}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
