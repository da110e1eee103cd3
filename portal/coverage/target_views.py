"""Coverage targets: the office edits them one by one or imports a spreadsheet (preview, then all or
nothing). The parsed file waits in the storage folder between preview and confirmation."""
from __future__ import annotations

import json
import secrets
from datetime import date
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from portal.coverage import blueprint
from portal.coverage.blueprint import bp
from portal.coverage.forms import ButtonForm, TargetForm, UploadForm
from portal.domain.coverage import tables
from portal.domain.coverage import target_import as imports
from portal.domain.coverage.targets import TargetData, delete_target, list_targets, save_target
from portal.domain.platform.errors import PortalError, ValidationError
from portal.extensions import db
from portal.models import Target
from portal.web.exports import MIMETYPES, export_response
from portal.web.forms import saving
from portal.web.i18n import current_locale
from portal.web.parameters import is_token, record_id
from portal.web import access


@bp.route("/targets", methods=["GET", "POST"])
@access.roles(*blueprint.OFFICE)
def targets():
    from portal.domain.coverage.places import load_tree, path_names, picker_nodes
    from portal.models import KeyGroup

    locale = current_locale()
    form = TargetForm()
    groups = list(db.session.scalars(select(KeyGroup).order_by(KeyGroup.sort_order, KeyGroup.id)))
    form.group_id.choices = [(g.id, g.name(locale)) for g in groups]
    if request.method == "GET" and not form.deadline.data:
        form.deadline.data = date(blueprint.today().year, 12, 31)
    tree = load_tree(db.session)
    if form.validate_on_submit():
        place = tree.get(record_id(form.locality_id.data))
        with saving(form) as saved:
            if place is None:
                raise ValidationError(_l("There is no such locality; choose one from the list."), "locality_id")
            save_target(db.session, TargetData(form.group_id.data, place.id, form.declared_count.data or 0,
                                               form.deadline.data, form.target_rate.data / 100),
                        actor_id=current_user.id, address=blueprint.address())
        if saved:
            flash(_("The target has been saved."), "success")
            return redirect(url_for("coverage.targets"))
    rows = list_targets(db.session)
    if fmt := blueprint.export_format():
        headers = [_("Key group"), _("Locality"), _("Locality code"), _("Declared"), _("Deadline"), _("Target (%)")]
        data = [[g.name(locale), loc.name(locale), loc.code, t.declared_count, t.deadline,
                 tables.percent(t.target_rate)] for t, g, loc in rows]
        return export_response(headers, data, fmt, "coverage-targets")
    query = (request.args.get("q") or "")[:100]
    chosen = tree.get(record_id(form.locality_id.data))
    return render_template("coverage/targets.html", form=form, rows=rows, delete_form=ButtonForm(), query=query,
                           nodes=picker_nodes(tree, locale, query),
                           chosen_path=path_names(tree, chosen.id, locale) if chosen else [])


@bp.route("/targets/<int:target_id>/delete", methods=["POST"])
@access.roles(*blueprint.OFFICE)
def delete_target_view(target_id: int):
    target = db.session.get(Target, target_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    delete_target(db.session, target, actor_id=current_user.id, address=blueprint.address())
    db.session.commit()
    flash(_("The target has been deleted."), "success")
    return redirect(url_for("coverage.targets"))


@bp.route("/targets/template.<fmt>")
@access.roles(*blueprint.OFFICE)
def target_template(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    response = Response(imports.template(current_locale(), fmt, today=blueprint.today()), mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="targets-template.{fmt}"'
    return response


def _import_folder() -> Path:
    folder = Path(current_app.config["STORAGE_PATH"]) / "coverage-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stored_import(token: str) -> dict:
    if not is_token(token):
        abort(404)
    path = _import_folder() / f"{token}.json"
    if not path.exists():
        abort(404)
    stored = json.loads(path.read_text())
    if stored.get("user") != current_user.id:
        abort(404)
    return stored


@bp.route("/targets/import", methods=["GET", "POST"])
@access.roles(*blueprint.OFFICE)
def import_targets():
    from portal.domain.platform import tabular

    form = UploadForm()
    if form.validate_on_submit():
        try:
            table = tabular.read_table(form.file.data.read(), form.file.data.filename or "upload")
            preview = imports.parse_targets(db.session, table, today=blueprint.today())
        except tabular.TableError as error:
            form.file.errors = [str(getattr(error, "message", error))]
        else:
            token = secrets.token_urlsafe(16)
            stored = {"user": current_user.id, "preview": imports.preview_to_json(preview)}
            (_import_folder() / f"{token}.json").write_text(json.dumps(stored, ensure_ascii=False))
            return redirect(url_for("coverage.import_preview", token=token))
    return render_template("coverage/target_import.html", form=form)


@bp.route("/targets/import/<token>")
@access.roles(*blueprint.OFFICE)
def import_preview(token: str):
    stored = _stored_import(token)
    return render_template("coverage/target_preview.html", token=token, form=ButtonForm(),
                           preview=imports.preview_from_json(stored["preview"]), done=stored.get("done"))


@bp.route("/targets/import/<token>/errors.<fmt>")
@access.roles(*blueprint.OFFICE)
def import_errors(token: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    stored = _stored_import(token)
    response = Response(imports.error_file(imports.preview_from_json(stored["preview"]), fmt), mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="targets-errors.{fmt}"'
    return response


@bp.route("/targets/import/<token>/confirm", methods=["POST"])
@access.roles(*blueprint.OFFICE)
def import_confirm(token: str):
    stored = _stored_import(token)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if stored.get("done"):
        return redirect(url_for("coverage.targets"))
    preview = imports.preview_from_json(stored["preview"])
    try:
        saved = imports.apply_targets(db.session, preview, actor_id=current_user.id, address=blueprint.address())
    except PortalError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("coverage.import_preview", token=token))
    db.session.commit()
    stored["done"] = True
    (_import_folder() / f"{token}.json").write_text(json.dumps(stored, ensure_ascii=False))
    flash(_("%(n)s target(s) imported.", n=saved), "success")
    return redirect(url_for("coverage.targets"))
