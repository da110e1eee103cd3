"""Roster import: upload, preview, confirm (all or nothing), template and error file downloads.

The parsed file waits in the storage folder between preview and confirmation; nothing touches the
roster until the administrator confirms, and then every row is applied in one transaction.
"""
from __future__ import annotations

import json
import secrets
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.company.forms import ImportForm
from portal.web.forms import EmptyForm
from portal.domain.workforce import roster
from portal.extensions import db
from portal.models import Course, KeyGroup, Organization, Trainee
from portal.web import jobs
from portal.web.exports import MIMETYPES
from portal.web.parameters import is_token
from portal.web import access

bp = Blueprint("company_import", __name__, url_prefix="/company", template_folder="templates")
MANAGERS = ("org_admin", "office_admin", "superuser")


def _org(org_id: int) -> Organization:
    return access.organization_or_404(db.session, current_user, org_id, manage=True)


def _folder() -> Path:
    folder = Path(current_app.config["STORAGE_PATH"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _groups() -> dict[str, tuple[str, str, str]]:
    return {g.code: (g.code, g.name_zh, g.name_en) for g in db.session.scalars(select(KeyGroup))}


def _courses() -> dict[str, str]:
    from portal.domain.workforce.roster_prior import course_lookup

    return course_lookup(db.session.execute(select(Course.code, Course.title_zh, Course.title_en)
                                            .where(Course.retired.is_(False))).all())


def _existing(org: Organization):
    from portal.domain.workforce.roster_import import ExistingPerson

    people = db.session.scalars(select(Trainee).where(Trainee.organization_id == org.id).order_by(Trainee.id))
    return {p.mobile: ExistingPerson(trainee_id=p.id, real_name=p.real_name, id_number=p.id_number, post=p.post,
                                     group_codes=tuple(g.code for g in p.groups), start_date=p.start_date,
                                     status=p.status, department=p.department)
            for p in people}


@bp.route("/<int:org_id>/import", methods=["GET", "POST"])
@access.roles(*MANAGERS)
def upload(org_id: int):
    from portal.domain.workforce import posts, roster_import, roster_posts
    from portal.domain.platform import tabular

    org = _org(org_id)
    form = ImportForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            table = tabular.read_table(data, form.file.data.filename or "upload")
            parsed = roster_import.parse_roster(table, groups=_groups(), courses=_courses())
        except (tabular.TableError, roster_import.RosterFileError) as error:
            form.file.errors = [str(getattr(error, "message", error))]
        else:
            parsed, post_names = roster_posts.name_posts(parsed, posts.catalogue(db.session))
            known = roster.known_people(db.session, org, [row.id_number for row in parsed.rows],
                                        allow_concurrent=current_app.config["ALLOW_CONCURRENT_EMPLOYMENT"])
            preview = roster_import.classify(parsed, _existing(org), known)
            preview.posts = post_names
            token = secrets.token_urlsafe(16)
            stored = {"org": org.id, "user": current_user.id, "headers": table.headers,
                      "preview": roster_import.preview_to_json(preview)}
            (_folder() / f"{token}.json").write_text(json.dumps(stored, ensure_ascii=False, default=str))
            return redirect(url_for("company_import.preview", org_id=org.id, token=token))
    return render_template("company/import_upload.html", org=org, form=form)


def _stored(org: Organization, token: str) -> dict:
    if not is_token(token):
        abort(404)
    path = _folder() / f"{token}.json"
    if not path.exists():
        abort(404)
    stored = json.loads(path.read_text())
    if stored["org"] != org.id or stored["user"] != current_user.id:
        abort(404)
    return stored


@bp.route("/<int:org_id>/import/<token>")
@access.roles(*MANAGERS)
def preview(org_id: int, token: str):
    from portal.domain.workforce import roster_import

    org = _org(org_id)
    stored = _stored(org, token)
    return _preview_page(org, token, roster_import.preview_from_json(stored["preview"]), done=stored.get("job"))


def _preview_page(org: Organization, token: str, preview, *, done=None, choices=None, missing=()):
    from portal.domain.workforce import posts, roster_posts

    return render_template("company/import_preview.html", org=org, token=token, form=EmptyForm(), preview=preview,
                           done=done, unknown_posts=roster_posts.unknown_posts(preview), choices=choices or {},
                           missing=missing, renamed_posts=roster_posts.renamed_posts(preview), add=roster_posts.ADD,
                           post_choices=posts.catalogue(db.session).choices())


def _post_choices(preview) -> dict[str, str]:
    """The administrator's choice for each unknown post, as the preview's form sent it (by position)."""
    from portal.domain.workforce import roster_posts

    return {text: request.form.get(f"post-{index}", "")
            for index, (text, _count) in enumerate(roster_posts.unknown_posts(preview))}


@bp.route("/<int:org_id>/import/<token>/errors.<fmt>")
@access.roles(*MANAGERS)
def error_file(org_id: int, token: str, fmt: str):
    from portal.domain.workforce import roster_import

    if fmt not in ("csv", "xlsx"):
        abort(404)
    org = _org(org_id)
    stored = _stored(org, token)
    data = roster_import.error_file(roster_import.preview_from_json(stored["preview"]), stored["headers"], fmt)
    response = Response(data, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="roster-errors.{fmt}"'
    return response


@bp.route("/<int:org_id>/import/template.<fmt>")
@access.roles(*MANAGERS)
def template(org_id: int, fmt: str):
    from portal.domain.workforce import posts, roster_template
    from portal.web.i18n import current_locale

    if fmt not in ("csv", "xlsx"):
        abort(404)
    _org(org_id)
    groups = {g.code: (g.code, g.name_zh, g.name_en) for g in db.session.scalars(
        select(KeyGroup).where(KeyGroup.active.is_(True)).order_by(KeyGroup.sort_order, KeyGroup.code))}
    data = roster_template.template(current_locale(), fmt, groups=groups,
                                    posts=posts.catalogue(db.session).choices())
    response = Response(data, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="roster-template.{fmt}"'
    return response


@bp.route("/<int:org_id>/import/<token>/confirm", methods=["POST"])
@access.roles(*MANAGERS)
def confirm(org_id: int, token: str):
    from portal.domain.workforce import posts, roster_import, roster_posts
    from portal.domain.workforce.rules import current_rules
    from portal.models import utcnow

    org = _org(org_id)
    stored = _stored(org, token)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if stored.get("job"):
        return redirect(url_for("company_import.status", org_id=org.id, job_id=stored["job"]))
    preview_data = roster_import.preview_from_json(stored["preview"])
    choices = _post_choices(preview_data)
    missing = roster_posts.missing_choices(preview_data, choices, posts.catalogue(db.session))
    if missing:
        return _preview_page(org, token, preview_data, choices=choices, missing=missing), 422
    actor = roster.Actor(user_id=current_user.id, address=request.remote_addr or "", source="import")
    org_id_value = org.id
    concurrent = current_app.config["ALLOW_CONCURRENT_EMPLOYMENT"]
    grace = current_app.config["FIRST_IMPORT_GRACE_DAYS"]

    def work(progress):
        organization = db.session.get(Organization, org_id_value)
        named = roster_posts.choose(db.session, organization, preview_data, choices, actor_id=actor.user_id,
                                    address=actor.address)
        summary = roster.apply_import(db.session, organization, named, rules=current_rules(db.session),
                                      actor=actor, now=utcnow(), progress=progress, allow_concurrent=concurrent,
                                      grace_days=grace)
        db.session.commit()
        # what the file held that was not imported, for the result page
        return {**summary, "invalid": len(preview_data.invalid), "unchanged": len(preview_data.unchanged),
                "token": token}

    job_id = jobs.start({"user": current_user.id, "org": org.id}, work)
    stored["job"] = job_id
    (_folder() / f"{token}.json").write_text(json.dumps(stored, ensure_ascii=False, default=str))
    return redirect(url_for("company_import.status", org_id=org.id, job_id=job_id))


@bp.route("/<int:org_id>/import/jobs/<job_id>")
@access.roles(*MANAGERS)
def status(org_id: int, job_id: str):
    org = _org(org_id)
    state = jobs.read_state(job_id)
    if state is None or state.get("owner", {}).get("org") != org.id or state["owner"].get("user") != current_user.id:
        abort(404)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(jobs.progress_of(state))
    return render_template("company/import_status.html", org=org, state=state, job_id=job_id)


