"""The company's duty commitments (履职承诺): its role holders, who signed (when, until), who is to sign and who must
finish their training first; the list as CSV or XLSX, and the PDF of each signed commitment."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.company.views import MANAGERS, _org, bp
from portal.domain.workforce import commitments
from portal.domain.platform import policy
from portal.domain.platform.localtime import local_today
from portal.extensions import db
from portal.models import Commitment
from portal.web.commitment_download import commitment_download
from portal.web.exports import export_response
from portal.web.i18n import current_locale
from portal.web import access

EXPORT_HEADERS = (_l("Full name"), _l("Post"), _l("Role"), _l("Commitment"), _l("Signed at"), _l("Holds until"),
                  _l("Training still to complete"))


@bp.route("/<int:org_id>/commitments")
@access.roles(*MANAGERS)
def commitments_list(org_id: int):
    org = _org(org_id)
    today = local_today()
    found = commitments.organization_commitments(db.session, org.id, today=today)
    counts = commitments.count_by_status(found)
    status = request.args.get("status", "")
    shown = [duty for duty in found if duty.status == status] if status in commitments.STATUSES else found
    export = request.args.get("format")
    if export in ("csv", "xlsx"):
        return _export(org, shown, export, today)
    return render_template("company/commitments.html", org=org, duties=shown, counts=counts, status=status,
                           statuses=commitments.STATUSES, status_labels=commitments.STATUS_LABELS,
                           role_label=commitments.role_label)


def _export(org, shown, fmt: str, today):
    locale = current_locale()
    rows = []
    for duty in shown:
        missing = [en if locale == "en" else zh for zh, en in duty.missing_titles] if duty.status == "training_first" \
            else []
        signed = duty.commitment if duty.status == "signed" else None
        rows.append([duty.trainee.real_name, duty.trainee.post, commitments.role_label(duty.role),
                     str(commitments.STATUS_LABELS[duty.status]), signed.signed_at if signed else None,
                     signed.valid_until if signed else None, "、".join(missing)])
    return export_response([str(h) for h in EXPORT_HEADERS], rows, fmt, f"commitments-{org.id}-{today.isoformat()}")


@bp.route("/<int:org_id>/commitments/<int:commitment_id>.pdf")
@access.roles(*MANAGERS)
def commitment_pdf(org_id: int, commitment_id: int):
    """The PDF of a commitment signed for this organization."""
    org = _org(org_id)
    record = db.session.get(Commitment, commitment_id)
    if record is None or record.organization_id != org.id or not policy.can_manage_organization(current_user, org):
        abort(404)
    return commitment_download(record)
