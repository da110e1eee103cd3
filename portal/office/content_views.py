"""The office's content pages: courses and their pools, lessons, questions with their statistics, editing a
question (a new version), retiring one, uploading a GIFT or YAML file through a preview. The rules live in
portal/domain/content/ (office_content.py, upload.py); these views parse, call and render."""
from __future__ import annotations

from pathlib import Path

import yaml
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from portal.domain.content import questions as qtypes
from portal.domain.content import upload as uploads
from portal.domain.platform import yamlines
from portal.domain.content.office_content import (
    FLAG_DISCRIMINATION, FLAG_MIN_ANSWERS, FLAG_SHARE_CORRECT, QuestionFilter, QuestionRefused, all_tags,
    course_summaries, edit_question, is_flagged, pool_tags, question_list, set_retired, versions_of
)
from portal.domain.content.stored_media import find_media
from portal.domain.content.sync import plain
from portal.domain.platform.errors import ValidationError
from portal.extensions import db
from portal.models import Course, Lesson, Question
from portal.office.check_words import in_words
from portal.office.content_forms import RetireForm, UploadForm, YamlQuestionForm
from portal.office.question_form import fits_the_form, has_options, option_rows, posted_question
from portal.office.views import bp
from portal.web.forms import EmptyForm, apply_domain_error, saving
from portal.web.course_media import send_course_media
from portal.web.database import reporting_session
from portal.web.i18n import current_locale
from portal.web.pagination import paginate
from portal.web import access

OFFICE = ("office_admin", "superuser")
TYPE_LABELS = {"single": _l("Single choice"), "multiple": _l("Multiple choice"), "true_false": _l("True or false"),
               "image": _l("Picture question"), "ordering": _l("Put in order"), "scenario": _l("Case with several parts")}


def type_label(qtype: str) -> str:
    """A question type in words (a type another module registers without a label here shows its name)."""
    return str(TYPE_LABELS.get(qtype, qtype))


def _address() -> str:
    return request.remote_addr or ""


def _text(value) -> str:
    return qtypes.text(value, current_locale())


def _question_or_404(code: str) -> Question:
    question = db.session.scalar(select(Question).where(Question.code == code))
    if question is None or question.current_version is None:
        abort(404)
    return question


def _upload_folder() -> Path:
    return Path(current_app.config["STORAGE_PATH"]) / "content-uploads"


@bp.route("/courses")
@access.roles(*OFFICE)
def content_courses():
    return render_template("office/content_courses.html", summaries=course_summaries(db.session))


@bp.route("/courses/<code>")
@access.roles(*OFFICE)
def content_course(code: str):
    course = db.session.scalar(select(Course).where(Course.code == code)) or abort(404)
    lessons = [lesson for lesson in course.lessons if not lesson.retired]
    return render_template("office/content_course.html", course=course, lessons=lessons)


@bp.route("/courses/<code>/lessons/<slug>")
@access.roles(*OFFICE)
def content_lesson(code: str, slug: str):
    lesson = db.session.scalar(select(Lesson).join(Course).where(Course.code == code, Lesson.slug == slug)) or abort(404)
    # the lesson's pictures and players name the trainees' media addresses: the office reads them at its own
    body = lesson.html(current_locale()).replace(f'"/me/courses/{code}/media/', f'"/office/courses/{code}/media/')
    return render_template("office/content_lesson.html", course=lesson.course, lesson=lesson, body=body)


@bp.route("/courses/<code>/media/<version>/<name>")
@access.roles(*OFFICE)
def content_media(code: str, version: str, name: str):
    """A lesson's picture, video, audio or captions file, for the office reading the lesson."""
    course = db.session.scalar(select(Course).where(Course.code == code)) or abort(404)
    row = find_media(db.session, course, name, version)
    if row is None:
        abort(404)
    return send_course_media(row)


def _question_filter(args) -> QuestionFilter:
    course = db.session.scalar(select(Course).where(Course.code == args.get("course", ""))) if args.get("course") else None
    return QuestionFilter(course=course, tag=(args.get("tag") or "").strip(),
                          qtype=args.get("type", "") if args.get("type") in qtypes.REGISTRY else "",
                          status=args.get("status", ""), flagged=args.get("flagged") == "1")


@bp.route("/questions")
@access.roles(*OFFICE)
def question_stats():
    """The question bank with each question's statistics; filtered, paginated, exported."""
    chosen = _question_filter(request.args)
    statement, stats = question_list(db.session, chosen)
    if request.args.get("format") in ("csv", "xlsx"):
        return _export_questions(statement, stats)
    courses = list(db.session.scalars(select(Course).where(Course.retired.is_(False)).order_by(Course.code)))
    return render_template("office/questions.html", page=paginate(statement), stats=stats, chosen=chosen,
                           courses=courses, tags=all_tags(db.session), types=sorted(qtypes.REGISTRY), type_label=type_label,
                           is_flagged=is_flagged, text=_text, flag=_flag_rule())


def _flag_rule() -> dict:
    return {"answers": FLAG_MIN_ANSWERS, "share": round(FLAG_SHARE_CORRECT * 100), "discrimination": FLAG_DISCRIMINATION}


def _export_questions(statement, stats):
    from portal.web.exports import export_response

    rows = []
    for question in reporting_session().scalars(statement):
        stat, version = stats.get(question.code), question.current_version
        rows.append([question.code, _text(version.data.get("stem") or version.data.get("case")), type_label(version.qtype), ", ".join(version.data["tags"]),
                     _("retired") if question.retired else _("in use"), version.number,
                     stat.answered if stat else 0, round(stat.share_correct * 100) if stat else "",
                     stat.discrimination if stat and stat.discrimination is not None else "",
                     _("yes") if is_flagged(stat) else ""])
    headers = [_("Question"), _("Text"), _("Type"), _("Tags"), _("Status"), _("Version"), _("Answered"),
               _("Share correct (%)"), _("Discrimination"), _("Flagged")]
    return export_response(headers, rows, request.args["format"], "questions")


@bp.route("/questions/<code>")
@access.roles(*OFFICE)
def question_detail(code: str):
    question = _question_or_404(code)
    stat = next((s for s in _stats() if s.code == code), None)
    return render_template("office/question.html", question=question, data=question.current_version.data,
                           versions=versions_of(db.session, question), stat=stat, flagged=is_flagged(stat),
                           text=_text, flag=_flag_rule(), type_label=type_label)


def _stats():
    from portal.domain.content.question_stats import question_statistics

    return question_statistics(db.session)


@bp.route("/questions/<code>/edit", methods=["GET", "POST"])
@access.roles(*OFFICE)
def question_edit(code: str):
    """The structured editor: texts, options and the answer; saving makes a new version."""
    question = _question_or_404(code)
    form, data, problems = EmptyForm(), question.current_version.data, []
    if not fits_the_form(data):
        return redirect(url_for("office.question_yaml", code=code))
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        data = posted_question(data, request.form)
        problems = _save(question, data)
        if not problems:
            return redirect(url_for("office.question_detail", code=code))
    return render_template("office/question_edit.html", question=question, data=data, form=form, problems=problems,
                           rows=option_rows(data), has_options=has_options(data), langs=qtypes.LANGS), \
        422 if problems else 200


@bp.route("/questions/<code>/yaml", methods=["GET", "POST"])
@access.roles(*OFFICE)
def question_yaml(code: str):
    """Any question, of any type, as YAML: what the structured form has no field for (a picture, a case's parts)."""
    question = _question_or_404(code)
    form, problems = YamlQuestionForm(), []
    if request.method == "GET":
        form.text.data = yaml.safe_dump(question.current_version.data, allow_unicode=True, sort_keys=False, width=1000)
    elif form.validate_on_submit():
        try:
            data = yamlines.load(form.text.data, aliases=False)
        except yamlines.YamlProblem as problem:
            problems = [_("Line %(line)s: %(problem)s", line=problem.line, problem=in_words(problem.message))]
        else:
            problems = _save(question, plain(data)) if isinstance(data, dict) else [
                _("The text is one question: a mapping with id, type, stem and the rest.")]
        if not problems:
            return redirect(url_for("office.question_detail", code=code))
    return render_template("office/question_yaml.html", question=question, form=form, problems=problems), \
        422 if problems or form.errors else 200


def _save(question: Question, data: dict) -> list[str]:
    """Save the office's version; the check's problems when refused (nothing saved)."""
    try:
        version = edit_question(db.session, question, data, actor_id=current_user.id, address=_address())
    except QuestionRefused as refused:
        db.session.rollback()
        return [in_words(message) for _keys, message in refused.problems]
    db.session.commit()
    if version is None:
        flash(_("Nothing changed: the question already says this."), "info")
    else:
        flash(_("Saved as version %(number)s. Attempts already made keep the version they showed.",
                number=version.number), "success")
    return []


@bp.route("/questions/<code>/retire", methods=["GET", "POST"])
@access.roles(*OFFICE)
def question_retire(code: str):
    """Retire a question (never drawn for a new quiz) or reinstate a retired one, with a reason."""
    question = _question_or_404(code)
    form = RetireForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            set_retired(db.session, question, not question.retired, reason=form.reason.data, actor_id=current_user.id,
                        address=_address())
        if saved:
            flash(_("Retired: new quizzes no longer draw it.") if question.retired
                  else _("Reinstated: new quizzes may draw it again."), "success")
            return redirect(url_for("office.question_detail", code=code))
    return render_template("office/question_retire.html", question=question, form=form, text=_text), \
        422 if form.errors else 200


@bp.route("/questions/upload", methods=["GET", "POST"])
@access.roles(*OFFICE)
def question_upload():
    form = UploadForm()
    form.set_choices(pool_tags(db.session))
    if form.validate_on_submit():
        file = form.file.data
        try:
            upload = uploads.read_upload(file.read(uploads.MAX_UPLOAD_BYTES + 1), file.filename or "",
                                         user_id=current_user.id, tag=form.tag.data or "", lang=form.lang.data,
                                         session=db.session)
        except ValidationError as error:
            apply_domain_error(form, error)
        else:
            token = uploads.store(upload, _upload_folder())
            return redirect(url_for("office.question_upload_preview", token=token))
    return render_template("office/question_upload.html", form=form, max_kb=uploads.MAX_UPLOAD_BYTES // 1024), \
        422 if form.errors or form.form_errors else 200


@bp.route("/questions/upload/<token>", methods=["GET", "POST"])
@access.roles(*OFFICE)
def question_upload_preview(token: str):
    """What the upload would add and change; nothing happens until "Apply", which applies all or nothing."""
    upload = uploads.load(_upload_folder(), token, user_id=current_user.id)
    if upload is None:
        flash(_("That upload is no longer kept: upload the file again."), "error")
        return redirect(url_for("office.question_upload"))
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        counts = uploads.apply_upload(db.session, upload, actor_id=current_user.id, address=_address())
        db.session.commit()
        uploads.forget(_upload_folder(), token)
        flash(_("Applied: %(added)s added, %(changed)s changed, %(unchanged)s unchanged.", **counts), "success")
        return redirect(url_for("office.question_stats"))
    items = uploads.preview(db.session, upload)
    return render_template("office/question_preview.html", upload=upload, items=items, form=form, text=_text, words=in_words,
                           to_apply=sum(1 for item in items if item.status != "unchanged"))
