"""The trainee's own pages."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from portal.domain import policy
from portal.extensions import db
from portal.models import Assignment

bp = Blueprint("trainee", __name__, url_prefix="/me", template_folder="templates")


@bp.route("/")
@policy.roles("trainee")
def home():
    trainee = current_user.trainee
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.trainee_id == trainee.id, Assignment.status == "open")
        .order_by(Assignment.due_on)
    ).all()
    return render_template("trainee/home.html", trainee=trainee, assignments=assignments)
