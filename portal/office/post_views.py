"""The office's post catalogue: posts, their other names and required courses; merging two names of a post."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.domain.workforce import posts
from portal.domain.workforce.rules import post_key
from portal.extensions import db
from portal.models import Course, Post, utcnow
from portal.office.setup_forms import MergePostForm, PostForm
from portal.office.setup_views import OFFICE, bp
from portal.web.forms import saving
from portal.web.pagination import paginate
from portal.web import access


def _matching(query: str, status: str):
    """Posts whose name or another name contains `query` (the catalogue is small: compared here, not in SQL,
    since other names are kept as a JSON list)."""
    statement = select(Post).options(selectinload(Post.added_by_organization)).order_by(Post.reviewed, Post.name)
    if status == "to_review":
        statement = statement.where(Post.reviewed.is_(False))
    if query:
        key = post_key(query)
        ids = [post_id for post_id, name, synonyms in db.session.execute(select(Post.id, Post.name, Post.synonyms))
               if any(key in post_key(other) for other in [name, *(synonyms or [])])]
        statement = statement.where(Post.id.in_(ids))
    return statement


def _course_choices(form: PostForm) -> dict[str, Course]:
    courses = {c.code: c for c in db.session.scalars(select(Course).where(Course.retired.is_(False))
                                                     .order_by(Course.code))}
    form.courses.choices = [(code, course.title_zh if _locale() != "en" else course.title_en)
                            for code, course in courses.items()]
    return courses


def _locale() -> str:
    from portal.web.i18n import current_locale

    return current_locale()


def _data(form: PostForm) -> posts.PostData:
    return posts.PostData(name=form.name.data or "", synonyms=posts.parse_synonyms(form.synonyms.data),
                          courses=list(form.courses.data or []), basis=form.basis.data or "")


def _save(form: PostForm, post: Post | None) -> bool:
    """Add or change a post from the form; a refusal lands on the form's fields (nothing kept)."""
    with saving(form) as saved:
        post, rescheduled = posts.save(db.session, post, _data(form), actor_id=current_user.id,
                                       address=request.remote_addr or "", now=utcnow())
    if saved:
        flash(_saved_message(post, rescheduled), "success")
    return bool(saved)


def _merge_choices(form: MergePostForm, post: Post) -> None:
    form.into.choices = [(p.id, p.name) for p in db.session.scalars(select(Post).where(Post.id != post.id)
                                                                    .order_by(Post.name))]


def _saved_message(post: Post, rescheduled: int) -> str:
    if rescheduled:
        return _("%(name)s has been saved; the training of the %(n)s people in this post was worked out again.",
                 name=post.name, n=rescheduled)
    return _("%(name)s has been saved.", name=post.name)


@bp.route("/posts", methods=["GET", "POST"])
@access.roles(*OFFICE)
def post_catalogue():
    query = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") or ""
    statement = _matching(query, status)
    if request.args.get("format") in ("csv", "xlsx"):
        return _export(statement)
    form = PostForm()
    courses = _course_choices(form)
    if form.validate_on_submit() and _save(form, None):
        return redirect(url_for("office_setup.post_catalogue"))
    return render_template("office/posts.html", page=paginate(statement), query=query, status=status, form=form,
                           courses=courses, people=posts.counts(db.session))


@bp.route("/posts/<int:post_id>", methods=["GET", "POST"])
@access.roles(*OFFICE)
def post_detail(post_id: int):
    post = db.session.get(Post, post_id) or abort(404)
    form = PostForm(obj=post if request.method == "GET" else None)
    if request.method == "GET":
        form.synonyms.data = "\n".join(post.synonyms or [])
    courses = _course_choices(form)
    merge_form = MergePostForm()
    _merge_choices(merge_form, post)
    if form.validate_on_submit() and _save(form, post):
        return redirect(url_for("office_setup.post_catalogue"))
    return render_template("office/post.html", post=post, form=form, merge_form=merge_form, courses=courses,
                           people=posts.counts(db.session).get(post.name, 0))


@bp.route("/posts/<int:post_id>/merge", methods=["POST"])
@access.roles(*OFFICE)
def merge_post(post_id: int):
    post = db.session.get(Post, post_id) or abort(404)
    form = MergePostForm()
    _merge_choices(form, post)
    if not form.validate_on_submit():
        flash(_("Choose the post it is the same as."), "error")
        return redirect(url_for("office_setup.post_detail", post_id=post.id))
    into = db.session.get(Post, form.into.data)
    name = post.name
    moved = posts.merge(db.session, post, into, actor_id=current_user.id, address=request.remote_addr or "",
                        now=utcnow())
    db.session.commit()
    flash(_("“%(name)s” is now another name of %(into)s; %(n)s people in it were moved to %(into)s.",
            name=name, into=into.name, n=moved), "success")
    return redirect(url_for("office_setup.post_detail", post_id=into.id))


def _export(statement):
    from portal.web.exports import export_response

    titles = {c.code: (c.title_en if _locale() == "en" else c.title_zh) for c in db.session.scalars(select(Course))}
    people = posts.counts(db.session)
    rows = [[p.name, "、".join(p.synonyms or []), "、".join(titles.get(code, code) for code in p.courses or []),
             p.basis, people.get(p.name, 0), _("yes") if p.reviewed else _("no"),
             p.added_by_organization.name if p.added_by_organization else ""]
            for p in db.session.scalars(statement)]
    headers = [_("Post"), _("Other names"), _("Required courses"), _("Legal basis"), _("People in this post"),
               _("Reviewed"), _("Added by")]
    return export_response(headers, rows, request.args["format"], "posts")
