"""Reminding people by hand (joins the company pages): the roster's "Remind these people" (confirm, send as a
job, the result with the printed sheet for those without e-mail) and the invitation page's "Remind them"."""
from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal.web.forms import EmptyForm
from portal.company.views import MANAGERS, ROSTER_FILTERS, _org, _roster_statement, bp
from portal.domain.workforce import compliance, manual_reminders
from portal.domain.workforce import people as people_domain
from portal.domain.platform.localtime import local_today
from portal.domain.platform.mail import SmtpMailer
from portal.extensions import db
from portal.models import Organization, Person, Trainee, utcnow
from portal.web import jobs
from portal.web.qr import qr_svg
from portal.web import access

PREVIEW = 50  # names listed on the confirmation page


def _filters(args) -> dict[str, str]:
    """The roster filters in effect, to carry from the roster to the confirmation, the form and back."""
    return {key: args[key] for key in ROSTER_FILTERS if args.get(key)}


def _mail_ready() -> bool:
    return bool(current_app.config.get("MAIL_CONFIGURED"))


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


@bp.route("/<int:org_id>/remind", methods=["GET", "POST"])
@access.roles(*MANAGERS)
def remind(org_id: int):
    """GET: who a reminder of the filtered roster reaches, and how. POST: remind them (a job, with progress)."""
    org = _org(org_id)
    today = local_today()
    args = request.form if request.method == "POST" else request.args
    filters = _filters(args)
    people = manual_reminders.due_people(db.session, _roster_statement(org, today, filters), today)
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        if not people:
            flash(_("Nobody in this list has training overdue or due soon: there is no one to remind."), "error")
            return redirect(url_for("company.remind", org_id=org.id, **filters))
        return redirect(url_for("company.remind_status", org_id=org.id, job_id=_start(org, [t.id for t in people])))
    plan = manual_reminders.plan(db.session, people, now=utcnow(), mail=_mail_ready())
    return render_template("company/remind_confirm.html", org=org, plan=plan, filters=filters, form=EmptyForm(),
                           preview=PREVIEW, mail_ready=_mail_ready(), due_soon_days=compliance.DUE_SOON_DAYS)


def _start(org: Organization, trainee_ids: list[int]) -> str:
    """Remind these people in a job; its result keeps the counts and who goes on the printed sheet."""
    org_id, actor_id, address = org.id, current_user.id, request.remote_addr or ""
    mail_ready, config, base_url = _mail_ready(), dict(current_app.config), _base_url()

    def work(progress):
        organization = db.session.get(Organization, org_id)
        people = _people(organization, trainee_ids)
        now = utcnow()
        plan = manual_reminders.plan(db.session, people, now=now, mail=mail_ready)
        mailer = SmtpMailer.from_config(config) if mail_ready and plan.email else None
        try:
            outcome = manual_reminders.remind(db.session, organization, plan, actor_id=actor_id, address=address,
                                              now=now, mailer=mailer, base_url=base_url, progress=progress)
        finally:
            if mailer is not None:
                mailer.close()
        db.session.commit()
        if outcome.mail_error:
            current_app.logger.warning("manual reminders stopped: %s", outcome.mail_error)
        return {"emailed": len(outcome.emailed), "printed": outcome.printed, "refused": outcome.refused,
                "not_sent": outcome.not_sent, "already": outcome.already, "mail_failed": bool(outcome.mail_error)}

    return jobs.start({"user": current_user.id, "org": org.id}, work)


def _people(org: Organization, trainee_ids: list[int]) -> list[Trainee]:
    """These roster rows of the organization, by name, with their accounts."""
    found: list[Trainee] = []
    for start in range(0, len(trainee_ids), 500):
        found.extend(db.session.scalars(
            select(Trainee).join(Person, Person.id == Trainee.person_id)
            .where(Trainee.organization_id == org.id, Trainee.id.in_(trainee_ids[start:start + 500]))
            .options(contains_eager(Trainee.person).joinedload(Person.user))).unique())
    return sorted(found, key=lambda t: (t.real_name, t.id))


def _state(org: Organization, job_id: str) -> dict:
    state = jobs.read_state(job_id)
    if state is None or state.get("owner", {}).get("org") != org.id or state["owner"].get("user") != current_user.id:
        abort(404)
    return state


@bp.route("/<int:org_id>/reminders/<job_id>")
@access.roles(*MANAGERS)
def remind_status(org_id: int, job_id: str):
    org = _org(org_id)
    state = _state(org, job_id)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(jobs.progress_of(state))
    return render_template("company/remind_status.html", org=org, state=state, job_id=job_id)


@bp.route("/<int:org_id>/reminders/<job_id>/sheet")
@access.roles(*MANAGERS)
def remind_sheet(org_id: int, job_id: str):
    """The printed reminders of one run: a list (?layout=list) or one QR code per person to cut out."""
    org = _org(org_id)
    state = _state(org, job_id)
    if state.get("status") != "done":
        abort(404)
    people = _people(org, state["result"]["printed"])
    due = compliance.what_is_due(db.session, [t.id for t in people], local_today())
    login = _base_url() + url_for("auth.login")
    register = _base_url() + url_for("auth.register", code=org.invite_code)
    links = {t.id: login if t.person.user_id else register for t in people}
    layout = "qr" if request.args.get("layout") == "qr" else "list"
    qrs = {link: qr_svg(link, box_size=4) for link in set(links.values())} if layout == "qr" else {}
    return render_template("company/remind_sheet.html", org=org, people=people, due=due, links=links, qrs=qrs,
                           layout=layout, job_id=job_id, login=login, register=register)


@bp.route("/<int:org_id>/invite/remind", methods=["POST"])
@access.roles(*MANAGERS)
def remind_unregistered(org_id: int):
    """People on the roster without an account: they go on the printed sheet (they have no e-mail with us),
    each logged as reminded; then the sheet opens."""
    org = _org(org_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    people = people_domain.signups(db.session, org.id).unregistered
    if not people:
        flash(_("Everyone on your roster has registered: there is no one to remind."), "error")
        return redirect(url_for("company.invite", org_id=org.id))
    now = utcnow()
    plan = manual_reminders.plan(db.session, people, now=now, purpose=manual_reminders.REGISTER, mail=False)
    outcome = manual_reminders.remind(db.session, org, plan, actor_id=current_user.id,
                                      address=request.remote_addr or "", now=now, mailer=None, base_url=_base_url(),
                                      purpose=manual_reminders.REGISTER)
    db.session.commit()
    message = ngettext("%(num)d person is on the sheet to print and hand out; the reminder is logged on them.",
                       "%(num)d people are on the sheet to print and hand out; the reminder is logged on each.",
                       len(outcome.printed))
    if outcome.already:
        message += " " + ngettext("%(num)d person was already reminded today and is not logged again.",
                                  "%(num)d people were already reminded today and are not logged again.",
                                  outcome.already)
    flash(message, "success")
    return redirect(url_for("company.invite", org_id=org.id, sheet="unregistered"))
