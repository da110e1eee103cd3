"""The company administrator's pages: dashboard, roster, people, hire, transfer, release, exports."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from portal.company.forms import PersonForm, PriorTrainingForm, ReleaseForm, TransferForm
from portal.web.forms import EmptyForm, saving
from portal.domain.workforce import claims as claims_domain
from portal.domain.workforce import commitments, compliance, drills, manual_reminders, posts, prior, roster
from portal.domain.platform import policy
from portal.domain.learning import progress, quiz
from portal.domain.workforce import people as people_domain
from portal.domain.platform.errors import ValidationError
from portal.domain.platform.localtime import local_today
from portal.domain.workforce.rules import current_rules
from portal.extensions import db
from portal.models import (Assignment, Attempt, Completion, Course, EmploymentEvent, KeyGroup, Organization, Person,
                           RosterClaim, Trainee, utcnow)
from portal.models.people import trainee_group
from portal.web.database import reporting_session
from portal.web.exports import export_response
from portal.web.pagination import paginate
from portal.web.i18n import current_locale
from portal.web import access

bp = Blueprint("company", __name__, url_prefix="/company", template_folder="templates")
MANAGERS = ("org_admin", "office_admin", "superuser")


def _org(org_id: int) -> Organization:
    return access.organization_or_404(db.session, current_user, org_id, manage=True)


def _actor() -> roster.Actor:
    return roster.Actor(user_id=current_user.id, address=request.remote_addr or "")


def _group_choices() -> list[tuple[str, str]]:


    groups = db.session.scalars(select(KeyGroup).where(KeyGroup.active.is_(True)).order_by(KeyGroup.sort_order))
    return [(g.code, g.name(current_locale())) for g in groups]


@bp.route("/")
@access.roles("org_admin")
def home():
    managed = policy.managed_organization_ids(current_user)
    organizations = db.session.scalars(
        select(Organization).where(Organization.id.in_(managed)).order_by(Organization.name)
    ).all()
    if len(organizations) == 1:
        return redirect(url_for("company.organization", org_id=organizations[0].id))
    return render_template("company/home.html", organizations=organizations)


@bp.route("/<int:org_id>/")
@access.roles(*MANAGERS)
def organization(org_id: int):
    org = _org(org_id)
    today = local_today()
    tables = compliance.dashboard(db.session, org.id, today)
    return render_template(
        "company/dashboard.html", org=org, counts=tables.counts, by_group=tables.by_group, by_post=tables.by_post,
        group_names=dict(_group_choices()), statuses=compliance.STATUSES,
        waiting=people_domain.count_pending_claims(db.session, org.id),
        locked=quiz.locked_out(db.session, org.id),
        commitment_counts=commitments.count_by_status(
            commitments.organization_commitments(db.session, org.id, today=local_today())),
        drill_status=drills.organization_drill_status(db.session, org, today=today, rules=current_rules(db.session)),
        open_actions=drills.open_actions(db.session, org.id, limit=10), today=today,
    )


@bp.route("/<int:org_id>/people/<int:trainee_id>/attempts/<code>", methods=["POST"])
@access.roles(*MANAGERS)
def grant_attempt(org_id: int, trainee_id: int, code: str):
    """One more quiz attempt for someone locked out (audit-logged)."""
    org = _org(org_id)
    trainee = _person(org, trainee_id)
    course = db.session.scalar(select(Course).where(Course.code == code, Course.retired.is_(False)))
    if course is None or not EmptyForm().validate_on_submit():
        abort(404)
    try:
        quiz.grant_if_locked(db.session, trainee, course, actor_id=current_user.id, address=request.remote_addr or "")
    except ValidationError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("%(name)s may take the quiz of %(course)s once more.", name=trainee.real_name,
                course=course.title_en if current_locale() == "en" else course.title_zh), "success")
    return redirect(url_for("company.organization", org_id=org.id) + "#locked")


ROSTER_FILTERS = ("q", "status", "group", "post", "department")


def _roster_statement(org: Organization, today: date, args=None):
    """The roster filtered by q, status, group, post and department (the page's query string unless `args` is
    given)."""
    args = request.args if args is None else args
    statement = (select(Trainee).join(Trainee.person).options(contains_eager(Trainee.person))
                 .where(Trainee.organization_id == org.id))
    query = (args.get("q") or "").strip()
    if query:
        like = f"%{query}%"
        statement = statement.where(or_(Person.real_name.like(like), Person.mobile.like(like), Trainee.post.like(like)))
    if args.get("post"):
        statement = statement.where(Trainee.post == args["post"])
    if args.get("department"):
        statement = statement.where(Trainee.department == args["department"])
    if args.get("group"):
        statement = statement.where(Trainee.id.in_(
            select(trainee_group.c.trainee_id).join(KeyGroup, KeyGroup.id == trainee_group.c.key_group_id)
            .where(KeyGroup.code == args["group"])))
    status = args.get("status", "")
    if status in compliance.STATUSES:
        statement = statement.where(compliance.status_clause(status, today))
    elif status == "left":
        statement = statement.where(Trainee.status == "left")
    elif status != "all":
        statement = statement.where(Trainee.status == "active")
    return statement.order_by(Person.real_name, Trainee.id)


EXPORT_HEADERS = (_l("Full name"), _l("Mobile"), _l("Post"), _l("Department"), _l("Key groups"), _l("Start date"), _l("Standing"),
                  _l("Next due"), _l("Overdue training"))


@bp.route("/<int:org_id>/people")
@access.roles(*MANAGERS)
def people(org_id: int):
    org = _org(org_id)
    today = local_today()
    statement = _roster_statement(org, today)
    export = request.args.get("format")
    if export in ("csv", "xlsx"):
        return _export_roster(org, statement, today, export)
    page = paginate(statement)
    ids = [t.id for t in page.items]
    standing = compliance.standing_of(db.session, ids, today)
    due = compliance.what_is_due(db.session, ids, today)
    posts = db.session.scalars(select(Trainee.post).where(Trainee.organization_id == org.id).distinct().order_by(Trainee.post))
    return render_template("company/people.html", org=org, page=page, standing=standing, due=due,
                           posts=[p for p in posts if p], departments=_departments(org), groups=_group_choices(),
                           statuses=compliance.STATUSES)


def _departments(org: Organization) -> list[str]:
    """The departments named on the organization's roster, for its filter and the person form's suggestions."""
    return list(db.session.scalars(select(Trainee.department).where(Trainee.organization_id == org.id,
                                                                    Trainee.department != "")
                                   .distinct().order_by(Trainee.department)))


def _export_roster(org: Organization, statement, today: date, fmt: str) -> Response:


    reports = reporting_session()
    people = list(reports.scalars(statement))
    standing = compliance.standing_of(reports, [p.id for p in people], today)
    due = compliance.what_is_due(reports, [p.id for p in people], today)
    locale = current_locale()
    labels = {s: _status_label(s) for s in (*compliance.STATUSES, "left", "pending")}
    rows = [[p.real_name, p.mobile, p.post, p.department, "、".join(g.name(locale) for g in p.groups), p.start_date,
             labels[standing.get(p.id, p.status)], due[p.id].next_due, _overdue_text(due[p.id], locale)]
            for p in people]
    headers = [str(h) for h in EXPORT_HEADERS]
    # The company's own roster export is the one place full mobiles leave the portal: audit it.
    from portal.domain.platform import audit

    audit.record(db.session, actor_id=current_user.id, action="roster.export", target_type="organization",
                 target_id=org.id, details={"rows": len(rows), "format": fmt}, address=request.remote_addr or "")
    db.session.commit()
    return export_response(headers, rows, fmt, f"roster-{org.id}-{today.isoformat()}")


def _overdue_text(due: compliance.WhatIsDue, locale: str) -> str:
    """"消防安全基础 (overdue since 2026-10-10); …" for the export."""
    return "; ".join(_("%(course)s (overdue since %(date)s)", course=item.title(locale), date=item.since.isoformat())
                     for item in due.overdue)


def _status_label(status: str) -> str:
    return {"compliant": _("Compliant"), "due_soon": _("Due within 30 days"), "overdue": _("Overdue"),
            "never_trained": _("Never trained"), "left": _("Left"),
            "pending": _("Waiting for them to confirm the move")}[status]


@bp.route("/<int:org_id>/people/new", methods=["GET", "POST"])
@access.roles(*MANAGERS)
def hire(org_id: int):
    org = _org(org_id)
    form = PersonForm()
    form.groups.choices = _group_choices()
    if request.method == "GET":
        form.groups.data = ["all_staff"]
    if form.validate_on_submit():
        data = _person_data(form)
        with saving(form) as saved:
            person = roster.hire(db.session, org, data, rules=current_rules(db.session), actor=_actor(), now=utcnow(),
                                 allow_concurrent=current_app.config["ALLOW_CONCURRENT_EMPLOYMENT"], ask_person=True)
        if saved:
            if person.status == "pending":
                flash(_("%(name)s works at another organization: they have been asked to confirm the move from their "
                        "own account, and appear on your roster once they do.", name=person.real_name), "info")
            else:
                flash(_("%(name)s has been added to the roster; onboarding training is assigned.",
                        name=person.real_name), "success")
            return redirect(url_for("company.person", org_id=org.id, trainee_id=person.id))
    return render_template("company/person_form.html", org=org, form=form, person=None, departments=_departments(org),
                           **_post_context(form))


def _person_data(form: PersonForm) -> roster.PersonData:
    return roster.PersonData(real_name=form.real_name.data, mobile=form.mobile.data, post=form.post.data,
                             start_date=form.start_date.data, groups=form.groups.data, id_number=form.id_number.data,
                             add_post=form.add_post.data, department=form.department.data or "")


def _post_context(form) -> dict:
    """What the post field needs: the catalogue to pick from, and whether to offer adding the typed post (it is
    not in the catalogue)."""
    catalogue = posts.catalogue(db.session)
    typed = (form.post.data or "").strip()
    return {"post_choices": catalogue.choices(),
            "offer_add_post": bool(typed) and bool(form.post.errors) and catalogue.resolve(typed) is None}


def _person(org: Organization, trainee_id: int) -> Trainee:
    trainee = access.trainee_or_404(db.session, current_user, trainee_id, manage=True)
    if trainee.organization_id != org.id:
        abort(404)
    return trainee


@bp.route("/<int:org_id>/people/<int:trainee_id>")
@access.roles(*MANAGERS)
def person(org_id: int, trainee_id: int):
    org = _org(org_id)
    trainee = _person(org, trainee_id)
    history = {
        "events": db.session.scalars(select(EmploymentEvent).where(EmploymentEvent.trainee_id == trainee.id)
                                     .order_by(EmploymentEvent.id.desc())).all(),
        "assignments": db.session.scalars(select(Assignment).where(Assignment.trainee_id == trainee.id)
                                          .order_by(Assignment.status.desc(), Assignment.due_on)).all(),
        # The person's records follow them from job to job: this employer sees what was done while working
        # here and whatever is still valid, not the rest of their history elsewhere.
        "attempts": db.session.scalars(select(Attempt).where(Attempt.person_id == trainee.person_id,
                                                             Attempt.started_at >= trainee.created_at)
                                       .order_by(Attempt.id.desc())).all(),
        "completions": db.session.scalars(select(Completion).where(
            Completion.person_id == trainee.person_id,
            or_(Completion.created_at >= trainee.created_at, Completion.valid_until.is_(None),
                Completion.valid_until >= local_today()))
            .order_by(Completion.completed_on.desc())).all(),
    }
    standing = compliance.standing_of(db.session, [trainee.id], local_today()).get(trainee.id, trainee.status)
    from portal.domain.certificates.queries import for_trainee

    history["certificates"] = for_trainee(db.session, trainee, today=local_today())
    history["prior"] = prior.for_person(db.session, trainee.person_id)
    history["reminders"] = manual_reminders.history(db.session, trainee.id)
    # an open assignment is "in progress" once the person opened a lesson or a quiz of its course
    history["started_courses"] = progress.started_course_ids(db.session, trainee.person_id)
    may_reset = trainee.person.user is not None and policy.may_reset_password_of(db.session, current_user,
                                                                                  trainee.person.user)
    from portal.domain.learning.study_time import person_seconds

    return render_template("company/person.html", org=org, person=trainee, history=history, standing=standing,
                           study_seconds=person_seconds(db.session, [trainee.person_id]).get(trainee.person_id, 0),
                           release_form=ReleaseForm(left_on=local_today()), may_reset=may_reset)


@bp.route("/<int:org_id>/people/<int:trainee_id>/edit", methods=["GET", "POST"])
@access.roles(*MANAGERS)
def edit(org_id: int, trainee_id: int):
    org = _org(org_id)
    trainee = _person(org, trainee_id)
    form = PersonForm(obj=None if request.method == "POST" else trainee)
    form.groups.choices = _group_choices()
    if request.method == "GET":
        form.groups.data = [g.code for g in trainee.groups]
        form.id_number.data = ""
    if form.validate_on_submit():
        data = _person_data(form)
        old_post = trainee.post
        with saving(form) as saved:
            roster.update(db.session, trainee, data, rules=current_rules(db.session), actor=_actor(), now=utcnow())
        if saved:
            flash(_("The details have been saved. The new post is a transfer: its training is due before starting "
                    "it, today.") if trainee.post != old_post else _("The details have been saved."), "success")
            return redirect(url_for("company.person", org_id=org.id, trainee_id=trainee.id))
    return render_template("company/person_form.html", org=org, form=form, person=trainee,
                           departments=_departments(org), **_post_context(form))


@bp.route("/<int:org_id>/people/<int:trainee_id>/transfer", methods=["GET", "POST"])
@access.roles(*MANAGERS)
def transfer(org_id: int, trainee_id: int):
    org = _org(org_id)
    trainee = _person(org, trainee_id)
    form = TransferForm()
    form.groups.choices = _group_choices()
    if request.method == "GET":
        form.groups.data = [g.code for g in trainee.groups]
        form.effective_on.data = local_today()
    if form.validate_on_submit():
        with saving(form) as saved:
            created = roster.transfer(db.session, trainee, post=form.post.data, groups=form.groups.data,
                                      effective_on=form.effective_on.data, rules=current_rules(db.session),
                                      actor=_actor(), now=utcnow(), add_post=form.add_post.data)
        if saved:
            flash(_("Transfer recorded: %(n)s training assignment(s) due before the new post starts.", n=len(created)), "success")
            return redirect(url_for("company.person", org_id=org.id, trainee_id=trainee.id))
    return render_template("company/transfer.html", org=org, form=form, person=trainee, **_post_context(form))


@bp.route("/<int:org_id>/people/<int:trainee_id>/release", methods=["POST"])
@access.roles(*MANAGERS)
def release(org_id: int, trainee_id: int):
    org = _org(org_id)
    trainee = _person(org, trainee_id)
    form = ReleaseForm()
    if not form.validate_on_submit():
        flash(_("Enter the date the person left, such as 2026-03-01."), "error")
        return redirect(url_for("company.person", org_id=org.id, trainee_id=trainee.id))
    if form.confirmed.data != "yes":  # first say what it does, with the date kept
        open_count = db.session.scalar(select(func.count()).select_from(Assignment).where(
            Assignment.trainee_id == trainee.id, Assignment.status == "open")) or 0
        form.confirmed.data = "yes"
        return render_template("company/release_confirm.html", org=org, person=trainee, form=form,
                               open_count=open_count)
    try:
        roster.release(db.session, trainee, left_on=form.left_on.data, actor=_actor(), now=utcnow(),
                       rules=current_rules(db.session))
    except ValidationError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("%(name)s has left the roster; open training was closed. The history is kept.", name=trainee.real_name), "success")
    return redirect(url_for("company.person", org_id=org.id, trainee_id=trainee.id))


@bp.route("/<int:org_id>/invite")
@access.roles(*MANAGERS)
def invite(org_id: int):
    org = _org(org_id)
    from portal.web.qr import qr_svg

    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("auth.register", code=org.invite_code)
    signups = people_domain.signups(db.session, org.id)
    waiting = people_domain.pending_claims(db.session, org_id=org.id, direction="by_person")
    if request.args.get("sheet") == "unregistered":  # a page to print and hand out: names, the link, the QR code
        return render_template("company/invite_sheet.html", org=org, link=link, qr=qr_svg(link),
                               people=signups.unregistered)
    return render_template("company/invite.html", org=org, link=link, qr=qr_svg(link), signups=signups,
                           waiting=waiting, remind_form=EmptyForm())


@bp.route("/<int:org_id>/claims")
@access.roles(*MANAGERS)
def claims(org_id: int):
    """People who registered with a mobile on the roster that carries no ID number: is this them?"""
    org = _org(org_id)
    waiting = people_domain.pending_claims(db.session, org_id=org.id, direction="by_person")
    return render_template("company/claims.html", org=org, waiting=waiting)


@bp.route("/<int:org_id>/claims/<int:claim_id>/<decision>", methods=["POST"])
@access.roles(*MANAGERS)
def decide_claim(org_id: int, claim_id: int, decision: str):
    org = _org(org_id)
    claim = db.session.get(RosterClaim, claim_id)
    if (claim is None or claim.trainee.organization_id != org.id or claim.direction != "by_person"
            or decision not in claims_domain.DECISIONS or not EmptyForm().validate_on_submit()):
        abort(404)
    name = claim.trainee.real_name
    try:
        claims_domain.decide(db.session, claim, decision, actor=current_user, now=utcnow(),
                             rules=current_rules(db.session), address=request.remote_addr or "",
                             allow_concurrent=current_app.config["ALLOW_CONCURRENT_EMPLOYMENT"])
    except ValidationError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Confirmed: the account now holds %(name)s's record.", name=name) if decision == "confirm"
              else _("Refused: the account stays apart from %(name)s's record.", name=name), "success")
    return redirect(url_for("company.claims", org_id=org.id))


@bp.route("/<int:org_id>/people/<int:trainee_id>/prior", methods=["GET", "POST"])
@access.roles(*MANAGERS)
def prior_training(org_id: int, trainee_id: int):
    """Record training the person did before or outside the portal (a paper record), with its proof."""


    org = _org(org_id)
    trainee = _person(org, trainee_id)
    form = PriorTrainingForm()
    locale = current_locale()
    form.course.choices = [(c.code, c.title(locale)) for c in db.session.scalars(
        select(Course).where(Course.retired.is_(False)).order_by(Course.level, Course.code))]
    if form.validate_on_submit():
        data = prior.PriorData(form.course.data, form.completed_on.data, form.provider.data,
                               float(form.hours.data) if form.hours.data is not None else None, form.evidence.data)
        with saving(form) as saved:
            prior.record(db.session, trainee.person, data, organization_id=org.id, actor_id=current_user.id,
                         now=utcnow(), rules=current_rules(db.session), address=request.remote_addr or "")
        if saved:
            flash(_("The prior training has been recorded and counts from now on."), "success")
            return redirect(url_for("company.person", org_id=org.id, trainee_id=trainee.id))
    return render_template("company/prior_training.html", org=org, person=trainee, form=form)
