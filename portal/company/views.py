"""The company administrator's pages (own organizations only)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from portal.domain import policy
from portal.extensions import db
from portal.models import Organization, Trainee
from portal.web.pagination import paginate

bp = Blueprint("company", __name__, url_prefix="/company", template_folder="templates")


@bp.route("/")
@policy.roles("org_admin")
def home():
    managed = policy.managed_organization_ids(current_user)
    organizations = db.session.scalars(
        select(Organization).where(Organization.id.in_(managed)).order_by(Organization.name)
    ).all()
    if len(organizations) == 1:
        return redirect(url_for("company.organization", org_id=organizations[0].id))
    return render_template("company/home.html", organizations=organizations)


@bp.route("/<int:org_id>/")
@policy.roles("org_admin", "office_admin", "superuser")
def organization(org_id: int):
    org = policy.organization_or_404(db.session, current_user, org_id, manage=True)
    query = (request.args.get("q") or "").strip()
    statement = select(Trainee).where(Trainee.organization_id == org.id)
    if query:
        like = f"%{query}%"
        statement = statement.where(or_(Trainee.real_name.like(like), Trainee.mobile.like(like), Trainee.post.like(like)))
    page = paginate(statement.order_by(Trainee.status, Trainee.real_name, Trainee.id))
    counts = dict(db.session.execute(
        select(Trainee.status, func.count()).where(Trainee.organization_id == org.id).group_by(Trainee.status)
    ).all())
    return render_template("company/organization.html", org=org, page=page, query=query, counts=counts)
