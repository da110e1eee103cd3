"""Certificates: downloads for trainees and companies, the office's actions, public verification."""
from __future__ import annotations

import io

from flask import (Blueprint, Response, current_app, flash, jsonify, make_response, redirect,
                   render_template, request, send_file, stream_with_context, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.domain.platform import policy
from portal.domain.certificates import (
    CertificateError, credentials, issue, queries, serials, signing, status_lists, verify
)
from portal.domain.certificates.documents import CertificateSettings, load_document
from portal.domain.certificates.status import state_of
from portal.domain.platform.localtime import local_date, local_today
from portal.extensions import db, limiter
from portal.models import Course, Person, utcnow
from portal.web.forms import apply_domain_error
from portal.web.pagination import paginate
from portal.web import access

bp = Blueprint("certificates", __name__, template_folder="templates")
OFFICE = policy.OFFICE_ROLES
COMPANY = ("org_admin", *policy.OFFICE_ROLES)


def _verify_limit() -> str:
    return current_app.config.get("CERT_VERIFY_RATE_LIMIT", "30 per minute")


def _name_check_limit() -> str:
    return current_app.config.get("CERT_NAME_CHECK_RATE_LIMIT", "10 per hour")


# Every public look-up shares one budget per address, so guessing cannot spread over the endpoints.
verify_limit = limiter.shared_limit(_verify_limit, scope="certificate-verification")
# Names tried against one certificate, from any address: guessing a name behind a masked one stays slow.
name_check_limit = limiter.limit(_name_check_limit, key_func=lambda: "certificate-name:" + request.view_args["token"],
                                 methods=["POST"])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(min=2, max=issue.MAX_REASON)])


class NameCheckForm(FlaskForm):
    name = StringField(_l("Full name on the holder's ID card"), validators=[DataRequired(), Length(max=50)])


def _settings() -> CertificateSettings:
    return CertificateSettings.from_config(current_app.config)


def _public(response) -> Response:
    """Verification answers must reflect revocation at once and stay out of search engines."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _example_serial() -> str:
    return serials.format_serial(issue.serial_prefix(), local_today().year, 123)


def _not_found(serial: str = ""):
    return _public((render_template("certificates/not_found.html", serial=serial, example=_example_serial()), 404))


# --- the trainee -------------------------------------------------------------------------------

@bp.route("/me/certificates")
@access.roles("trainee")
def mine():
    rows = queries.for_trainee(db.session, current_user.trainee, today=local_today())
    return render_template("certificates/mine.html", rows=rows)


@bp.route("/certificates/<serial>.pdf")
@access.roles("trainee", *COMPANY)
def download(serial: str):
    from portal.domain.certificates import pdf  # reportlab and qrcode: loaded by the first PDF, not at start

    cert = access.certificate_or_404(db.session, current_user, serial)
    data = pdf.certificate_pdf(load_document(db.session, cert), _settings())
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=f"{cert.serial}.pdf")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/me/certificates/<serial>.json")
@access.roles("trainee")
def download_credential(serial: str):
    """The holder's own signed credential, with the salted hash of their name and its salt (for a wallet)."""
    cert = access.own_certificate_or_404(db.session, current_user, serial)
    text = credentials.stored_credential(db.session, cert, _settings(), variant=credentials.HOLDER, now=utcnow())
    db.session.commit()
    response = Response(text, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{cert.serial}.json"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- the office ------------------------------------------------------------------------------

def _detail(cert, revoke_form=None, reissue_form=None, status: int = 200):
    today = local_today()
    history = queries.history(db.session, cert, today=today)
    return render_template(
        "certificates/detail.html", cert=cert, state=state_of(cert, today), history=history,
        trainee=db.session.get(Person, cert.person_id).current_employment,
        events=queries.audit_events(db.session, [row.cert.id for row in history]),
        revoke_form=revoke_form or ReasonForm(prefix="revoke"), reissue_form=reissue_form or ReasonForm(prefix="reissue"),
        verify_url=_settings().verify_url(cert.token),
    ), status


@bp.route("/certificates/<serial>")
@access.roles(*OFFICE)
def detail(serial: str):
    return _detail(access.certificate_or_404(db.session, current_user, serial))


@bp.route("/certificates/<serial>/revoke", methods=["POST"])
@access.roles(*OFFICE)
def revoke(serial: str):
    cert = access.certificate_or_404(db.session, current_user, serial)
    form = ReasonForm(prefix="revoke")
    if form.validate_on_submit():
        try:
            issue.revoke(db.session, cert, reason=form.reason.data, actor_id=current_user.id, now=utcnow(),
                         address=request.remote_addr or "")
        except CertificateError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Certificate %(serial)s revoked.", serial=cert.serial), "success")
            return redirect(url_for("certificates.detail", serial=cert.serial))
    return _detail(cert, revoke_form=form, status=400)


@bp.route("/certificates/<serial>/reissue", methods=["POST"])
@access.roles(*OFFICE)
def reissue(serial: str):
    cert = access.certificate_or_404(db.session, current_user, serial)
    form = ReasonForm(prefix="reissue")
    if form.validate_on_submit():
        try:
            new = issue.reissue(db.session, cert, reason=form.reason.data, actor_id=current_user.id, now=utcnow(),
                                address=request.remote_addr or "")
        except CertificateError as error:
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Re-issued as %(serial)s; the old certificate now shows as replaced.", serial=new.serial), "success")
            return redirect(url_for("certificates.detail", serial=new.serial))
    return _detail(cert, reissue_form=form, status=400)


# --- the company -----------------------------------------------------------------------------

def _inspection_url(org_id: int) -> str:
    token = verify.organization_token(org_id, current_app.config["SECRET_KEY"])
    return f"{_settings().base_url}{url_for('certificates.verify_organization', token=token)}"


@bp.route("/company/<int:org_id>/certificates")
@access.roles(*COMPANY)
def company(org_id: int):
    org = access.organization_or_404(db.session, current_user, org_id, manage=True)
    today = local_today()
    page = paginate(queries.staff_statement(org))
    rows = queries.rows_for(db.session, list(page.items), today=today)
    summary = verify.organization_summary(db.session, org, today=today)
    return render_template("certificates/company.html", org=org, page=page, rows=rows, summary=summary,
                           inspection_url=_inspection_url(org.id))


@bp.route("/company/<int:org_id>/certificates.zip")
@access.roles(*COMPANY)
def company_zip(org_id: int):
    from portal.domain.certificates import bundles  # the PDFs' libraries, as in download()

    org = access.organization_or_404(db.session, current_user, org_id, manage=True)
    now = utcnow()
    entries = [bundles.BundleEntry(load_document(db.session, row.cert), row.state)
               for row in queries.current_for_organization(db.session, org, today=local_date(now))]
    chunks = bundles.stream_zip(entries, _settings(), now=now)
    response = Response(stream_with_context(chunks), mimetype="application/zip")
    response.headers["Content-Disposition"] = _attachment(bundles.zip_filename(org.name, local_date(now)))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"certificates.zip\"; filename*=UTF-8''{quote(filename)}"


@bp.route("/company/<int:org_id>/inspection-qr.png")
@access.roles(*COMPANY)
def inspection_qr_png(org_id: int):
    from portal.domain.certificates import pdf

    org = access.organization_or_404(db.session, current_user, org_id, manage=True)
    return send_file(io.BytesIO(pdf.qr_png(_inspection_url(org.id))), mimetype="image/png",
                     download_name=f"inspection-qr-{org.id}.png")


@bp.route("/company/<int:org_id>/inspection-qr.pdf")
@access.roles(*COMPANY)
def inspection_qr_pdf(org_id: int):
    from portal.domain.certificates import pdf

    org = access.organization_or_404(db.session, current_user, org_id, manage=True)
    data = pdf.render_inspection_poster(org_name=org.name, url=_inspection_url(org.id), settings=_settings())
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=f"inspection-qr-{org.id}.pdf")


# --- anybody: verification -------------------------------------------------------------------

@bp.route("/verify")
@access.public
@limiter.shared_limit(_verify_limit, scope="certificate-verification", exempt_when=lambda: "serial" not in request.args)
def verify_form():
    typed = (request.args.get("serial") or "").strip()
    if not typed:
        return _public(render_template("certificates/verify_form.html", serial="", example=_example_serial()))
    cert = verify.find_by_serial(db.session, typed)
    if cert is None:
        return _not_found(typed[:40])
    result = verify.serial_view(db.session, cert, today=local_today())
    return _public(render_template("certificates/verify_result.html", result=result, token=None))


def _token_page(cert, form: NameCheckForm, name_verdict: bool | None = None):
    result = verify.public_view(db.session, cert, today=local_today())
    return _public(render_template("certificates/verify_result.html", result=result, token=cert.token, form=form,
                                   name_verdict=name_verdict))


@bp.route("/verify/<token>")
@access.public
@verify_limit
def verify_token(token: str):
    cert = verify.find_by_token(db.session, token)
    if cert is None:
        return _not_found()
    return _token_page(cert, NameCheckForm())


@bp.route("/verify/<token>/name", methods=["POST"])
@access.public
@verify_limit
@name_check_limit
def verify_name(token: str):
    """An inspector types the name on the holder's ID card: matches or does not. Nothing about it is kept."""
    cert = verify.find_by_token(db.session, token)
    if cert is None:
        return _not_found()
    form = NameCheckForm()
    if not form.validate_on_submit():
        return _token_page(cert, form)
    return _token_page(cert, NameCheckForm(formdata=None), name_verdict=verify.name_matches(cert, form.name.data))


@bp.route("/verify/<token>.json")
@access.public
@verify_limit
def verify_json(token: str):
    cert = verify.find_by_token(db.session, token)
    if cert is None:
        return _public((jsonify(error={"code": 404, "message": "not found"}), 404))
    text = credentials.stored_credential(db.session, cert, _settings(), now=utcnow())
    db.session.commit()
    response = _public(Response(text, mimetype="application/json"))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/credentials/status/<int:list_id>")
@access.public
def status_list(list_id: int):
    """A signed Bitstring Status List: the same bytes until a certificate in it changes (then a new ETag)."""
    signed = status_lists.signed_list(db.session, list_id, _settings())
    if signed is None:
        return _public((jsonify(error={"code": 404, "message": "not found"}), 404))
    db.session.commit()
    text, version = signed
    response = Response(text, mimetype="application/json")
    response.set_etag(f"{list_id}-{version}")
    response.headers["Cache-Control"] = "public, no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


@bp.route("/achievements/<code>/<language>")
@access.public
def achievement(code: str, language: str):
    """A course as an Open Badges Achievement in one language (the `related` link of every credential)."""
    course = db.session.scalar(select(Course).where(Course.code == code))
    if course is None or language not in credentials.LANGUAGES.values():
        return _public((jsonify(error={"code": 404, "message": "not found"}), 404))
    response = jsonify(credentials.course_achievement(course, _settings(), language))
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/verify/org/<token>")
@access.public
@verify_limit
def verify_organization(token: str):
    org = verify.find_organization(db.session, token, current_app.config["SECRET_KEY"])
    if org is None:
        return _not_found()
    summary = verify.organization_summary(db.session, org, today=local_today())
    return _public(render_template("certificates/organization_check.html", summary=summary))


@bp.route("/.well-known/portal-signing-key.json")
@access.public
def signing_key():
    key = signing.public_key(_settings().signing_key_path)
    response = jsonify(signing.public_jwk(key))
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
