"""The trainee's own pages: training to do, courses, lessons, quizzes and results."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from portal.domain.workforce import claims, commitments, people
from portal.domain.platform import policy
from portal.domain.learning import progress, quiz, study_time
from portal.domain.content.cache import lesson_html
from portal.domain.content import questions as qtypes
from portal.domain.content.media import question_image_url
from portal.domain.content.stored_media import find_media
from portal.domain.platform.errors import NotAllowed, PortalError, ValidationError
from portal.domain.platform.localtime import local_date, local_today
from portal.domain.workforce.rules import current_rules
from portal.extensions import db
from portal.models import Assignment, Lesson, RosterClaim, Trainee, utcnow
from portal.web.forms import EmptyForm
from portal.web.forms import EmptyForm as ClaimForm
from portal.web.course_media import send_course_media
from portal.web.i18n import current_locale
from portal.web.pagination import LAST_PAGE, page_asked, paginate
from portal.web.parameters import record_ids, whole_number
from portal.web import access

bp = Blueprint("trainee", __name__, url_prefix="/me", template_folder="templates")
bp.add_app_template_global(question_image_url, "question_image_url")
bp.add_app_template_global(qtypes, "qtypes")  # the result page asks a case question's parts how they went
QUESTIONS_PER_PAGE = 5


def _trainee():
    return current_user.trainee


# The home page shows the trainee's employer and key groups: one statement for both (the session's user
# came without them), not a lazy load each while the template renders.
_TRAINEE_CARD = (select(Trainee).where(Trainee.id == bindparam("trainee_key"))
                 .options(joinedload(Trainee.organization), joinedload(Trainee.groups))
                 .execution_options(populate_existing=True))
# What every current job of the person asks of them.
_OPEN_ASSIGNMENTS = (select(Assignment).join(Trainee, Trainee.id == Assignment.trainee_id)
                     .where(Trainee.person_id == bindparam("person_key"), Trainee.status == "active",
                            Assignment.status == "open").order_by(Assignment.due_on))


@bp.route("/")
@access.roles("trainee")
def home():
    trainee = db.session.execute(_TRAINEE_CARD, {"trainee_key": current_user.trainee.id}).unique().scalar_one()
    today = local_today()
    assignments = db.session.scalars(_OPEN_ASSIGNMENTS, {"person_key": trainee.person_id}).all()
    courses = progress.lesson_counts(db.session, trainee, policy.trainee_courses(db.session, trainee))
    claims = people.pending_claims(db.session, user_id=current_user.id)
    locked = quiz.locked_courses(db.session, trainee)
    # One read of the completions that count today: the "completed" marks and the commitments card's training.
    counting = progress.completions_counting(db.session, trainee.person_id, today=today)
    to_sign = commitments.due_duties(
        db.session, [trainee], today=today,
        held=commitments.latest_expiries((trainee.person_id, row.code, row.valid_until)
                                         for row in counting if row.completed_on <= today),
        titles={course.code: (course.title_zh, course.title_en) for course, _count in courses})
    return render_template("trainee/home.html", trainee=trainee, assignments=assignments, courses=courses,
                           claims=claims, required={a.course_id for a in assignments}, to_sign=to_sign,
                           role_label=commitments.role_label, completed={row.course_id for row in counting},
                           locked=locked, contact=_contact(trainee) if locked else None)


@bp.route("/claims/<int:claim_id>/<decision>", methods=["POST"])
@access.roles("trainee")
def decide_claim(claim_id: int, decision: str):
    """The person answers an employer that added their mobile number: yes, that is me (joining the records,
    and moving job where the office allows no second jobs), or no."""
    claim = db.session.get(RosterClaim, claim_id)
    if (claim is None or claim.user_id != current_user.id or claim.direction not in ("by_employer", "move")
            or decision not in claims.DECISIONS or not ClaimForm().validate_on_submit()):
        abort(404)
    try:
        claims.decide(db.session, claim, decision, actor=current_user, now=utcnow(), rules=current_rules(db.session),
                      address=request.remote_addr or "",
                      allow_concurrent=current_app.config["ALLOW_CONCURRENT_EMPLOYMENT"])
    except ValidationError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Thank you: your employer's roster now shows your record.") if decision == "confirm"
              else _("Noted: you are not on that roster."), "success")
    return redirect(url_for("trainee.home"))


@bp.route("/courses/<code>")
@access.roles("trainee")
def course(code: str):
    trainee = _trainee()
    course = access.course_for_trainee_or_404(db.session, trainee, code)
    state = progress.course_progress(db.session, trainee, course)
    now = utcnow()
    current = quiz.open_attempt(db.session, trainee, course)
    if current is not None and quiz.finish_if_overdue(db.session, current, now=now):
        db.session.commit()
        current = None
    attempts = quiz.graded_attempts(db.session, trainee, course)
    verdict = quiz.eligibility(db.session, trainee, course, now=now, attempts=attempts, lessons=state.count)
    return render_template(
        "trainee/course.html", course=course, state=state, current=current, attempts=attempts, verdict=verdict,
        contact=_contact(trainee) if verdict.locked else None,
        completion=progress.valid_completion(db.session, trainee, course, today=local_date(now)),
        mistakes=len(quiz.mistaken_questions(db.session, trainee.person_id, course))
        if course.quiz.get("allow_practice") else 0,
        study_seconds=study_time.course_seconds(db.session, trainee.person_id, course.id),
    )


def _contact(trainee: Trainee) -> dict[str, str]:
    """Whom a trainee asks for help (another attempt, a question): their employer's contact, else the office."""
    org = trainee.organization
    if org is not None and (org.contact_name or org.contact_phone):
        return {"who": org.name, "name": org.contact_name, "phone": org.contact_phone}
    office = current_app.config["CERT_OFFICE_NAME_EN" if current_locale() == "en" else "CERT_OFFICE_NAME_ZH"]
    return {"who": office, "name": "", "phone": current_app.config["OFFICE_CONTACT_PHONE"]}


def _lesson_or_404(course, slug: str) -> Lesson:
    lesson = next((item for item in progress.live_lessons(course) if item.slug == slug), None)
    return lesson or abort(404)


@bp.route("/courses/<code>/lessons/<slug>", methods=["GET", "POST"])
@access.roles("trainee")
def lesson(code: str, slug: str):
    trainee = _trainee()
    course = access.course_for_trainee_or_404(db.session, trainee, code)  # the text comes from lesson_html
    lesson = _lesson_or_404(course, slug)
    lessons = progress.live_lessons(course)
    index = lessons.index(lesson)
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    if request.method == "POST":
        progress.mark_read(db.session, trainee, lesson, now=utcnow())
        db.session.commit()
        if request.accept_mimetypes.best == "application/json":
            return jsonify(read=True)
        target = (url_for("trainee.lesson", code=code, slug=following.slug) if following
                  else url_for("trainee.course", code=code))
        return redirect(target)
    read_at = progress.open_lesson(db.session, trainee, lesson, now=utcnow())
    # Rendered before the commit, which would expire (and so reload) everything the page shows.
    page = render_template("trainee/lesson.html", course=course, lesson=lesson, index=index, lessons=lessons,
                           previous=lessons[index - 1] if index else None, following=following,
                           read=read_at is not None,
                           body=lesson_html(db.session, course, lesson, current_locale()))
    db.session.commit()
    return page


@bp.route("/courses/<code>/lessons/<slug>/time", methods=["POST"])
@access.roles("trainee")
def record_study_time(code: str, slug: str):
    """The lesson page's report of seconds spent on it, visible and in use (see portal.domain.learning.study_time)."""
    trainee = _trainee()
    course = access.course_for_trainee_or_404(db.session, trainee, code)
    lesson = _lesson_or_404(course, slug)
    seconds = whole_number(request.form.get("seconds"))
    if seconds is None:
        return jsonify(counted=False), 400
    total = study_time.record_beat(db.session, trainee, lesson, seconds=seconds, now=utcnow())
    db.session.commit()
    return jsonify(counted=True, seconds=total)


@bp.route("/courses/<code>/media/<version>/<name>")
@access.roles("trainee")
def media(code: str, version: str, name: str):
    """A picture, video, audio or captions file of a course the trainee may study; answers range requests."""
    course = access.course_for_trainee_or_404(db.session, _trainee(), code)
    row = find_media(db.session, course, name, version)
    if row is None:
        abort(404)
    return send_course_media(row)


@bp.route("/courses/<code>/quiz", methods=["POST"])
@access.roles("trainee")
def start_quiz(code: str):
    trainee = _trainee()
    course = access.course_for_trainee_or_404(db.session, trainee, code)
    kind = request.form.get("kind", "")
    try:
        attempt = quiz.start_attempt(db.session, trainee, course, now=utcnow(), practice=kind in ("practice", "mistakes"),
                                     mistakes=kind == "mistakes")
    except NotAllowed as error:
        db.session.commit()  # an overdue attempt may have been graded on the way
        flash(str(error.message), "error")
        return redirect(url_for("trainee.course", code=code))
    attempt_id = attempt.id
    db.session.commit()
    return redirect(url_for("trainee.attempt", attempt_id=attempt_id))


def _own_attempt(attempt_id: int, *, lessons: bool = False):
    try:
        return quiz.attempt_for(db.session, _trainee(), attempt_id, lessons=lessons)
    except quiz.Tampered:
        abort(404)


@bp.route("/attempts/<int:attempt_id>")
@access.roles("trainee")
def attempt(attempt_id: int):
    now = utcnow()
    try:
        shown = quiz.attempt_page(db.session, _trainee(), attempt_id, page_asked(),
                                  per_page=QUESTIONS_PER_PAGE, now=now)
    except quiz.Tampered:
        abort(404)
    if shown is None:
        db.session.commit()  # keeps the grade of an attempt whose time ran out
        return redirect(url_for("trainee.result", attempt_id=attempt_id))
    return render_template("trainee/attempt.html", attempt=shown.attempt, items=shown.items, page=shown.page,
                           pages=shown.pages, remaining=quiz.remaining_seconds(shown.attempt, now))


@bp.route("/attempts/<int:attempt_id>/answers", methods=["POST"])
@access.roles("trainee")
def save_answers(attempt_id: int):
    """Saves the answers of one page (no script) or one question (the autosave script posts `item`)."""
    wants_json = request.accept_mimetypes.best == "application/json"
    item_ids = record_ids(request.form.getlist("item"))
    now = utcnow()
    if wants_json and len(item_ids) == 1:
        return _autosave(attempt_id, item_ids[0], now)
    attempt = _own_attempt(attempt_id)
    try:
        for item_id in item_ids:
            values = _answer_values(item_id)
            quiz.save_answer(db.session, attempt, item_id, values, now=now)
    except PortalError as error:
        db.session.commit()  # keeps an overdue attempt's grade; a refused answer changed nothing
        if wants_json:
            return jsonify(saved=False, message=str(error.message)), 409 if isinstance(error, NotAllowed) else 400
        flash(str(error.message), "error")
        return redirect(url_for("trainee.result" if attempt.status != "open" else "trainee.attempt", attempt_id=attempt.id))
    if request.form.get("then") == "submit" and not wants_json:
        return _submit(attempt)  # the page's answers and the grade in one transaction
    remaining = quiz.remaining_seconds(attempt, now)  # before the commit expires the attempt
    db.session.commit()
    if wants_json:
        return jsonify(saved=True, remaining=remaining)
    next_page = whole_number(request.form.get("next_page"), maximum=LAST_PAGE)
    flash(_("Your answers are saved."), "success")
    return redirect(url_for("trainee.attempt", attempt_id=attempt.id, page=next_page or 1))


def _answer_values(item_id: int) -> list[str]:
    """One question's values: `answer-<id>`, and a case question's parts each under `answer-<id>-p<n>` (radio
    buttons of different parts need names of their own). The question type checks what they say."""
    prefix = f"answer-{item_id}-p"
    return request.form.getlist(f"answer-{item_id}") + [value for key in request.form if key.startswith(prefix)
                                                         for value in request.form.getlist(key)]


def _autosave(attempt_id: int, item_id: int, now):
    """One answer from the autosave script: reads and writes only that question's row."""
    values = _answer_values(item_id)
    try:
        remaining = quiz.autosave_answer(db.session, _trainee(), attempt_id, item_id, values, now=now)
    except quiz.ForeignAttempt:
        abort(404)
    except PortalError as error:
        db.session.commit()  # keeps an overdue attempt's grade; a refused answer changed nothing
        return jsonify(saved=False, message=str(error.message)), 409 if isinstance(error, NotAllowed) else 400
    db.session.commit()
    return jsonify(saved=True, remaining=remaining)


def _submit(attempt):
    """Grade the attempt, once the trainee has confirmed leaving questions unanswered (if any)."""
    unanswered = quiz.unanswered(attempt)
    if unanswered and request.form.get("confirm") != "yes" and not quiz.finish_if_overdue(db.session, attempt,
                                                                                           now=utcnow()):
        pages = {position: (position - 1) // QUESTIONS_PER_PAGE + 1 for position in unanswered}
        page = render_template("trainee/confirm_submit.html", attempt=attempt, unanswered=unanswered, pages=pages)
        db.session.commit()  # keeps the answers just saved
        return page
    quiz.submit(db.session, attempt, now=utcnow())
    target = url_for("trainee.result", attempt_id=attempt.id)  # before the commit expires the attempt
    db.session.commit()
    return redirect(target)


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@access.roles("trainee")
def submit(attempt_id: int):
    return _submit(_own_attempt(attempt_id))


@bp.route("/attempts/<int:attempt_id>/result")
@access.roles("trainee")
def result(attempt_id: int):
    attempt = _own_attempt(attempt_id, lessons=True)
    if attempt.status == "open":
        if not quiz.finish_if_overdue(db.session, attempt, now=utcnow()):
            return redirect(url_for("trainee.attempt", attempt_id=attempt.id))
        db.session.commit()  # graded just now, as its time ran out
    trainee = _trainee()
    lessons = _review_lessons(attempt)
    counted_pass = attempt.passed and not attempt.practice
    return render_template(
        "trainee/result.html", attempt=attempt, review=quiz.may_review(db.session, attempt),
        review_links={item_id: _lesson_url(attempt, slug) for item_id, slug in lessons.items()},
        to_review=_lessons_to_review(attempt, lessons),
        timed_out=bool(attempt.deadline_at and attempt.submitted_at and attempt.submitted_at >= attempt.deadline_at),
        held=progress.valid_completion(db.session, trainee, attempt.course, today=local_today())
        if counted_pass else None,
        next_up=_next_assignment(trainee, attempt.course) if counted_pass else None,
        state=progress.course_progress(db.session, trainee, attempt.course))


def _review_lessons(attempt) -> dict[int, str | None]:
    """For each question, the lesson its pool names (course.yaml `lesson:`), if any."""
    lessons = {pool["tag"]: pool.get("lesson") for pool in attempt.settings.get("pools", [])}
    return {item.id: next((lessons[t] for t in item.question_version.data.get("tags", []) if lessons.get(t)), None)
            for item in attempt.items}


def _lesson_url(attempt, slug: str | None) -> str:
    code = attempt.course.code
    return url_for("trainee.lesson", code=code, slug=slug) if slug else url_for("trainee.course", code=code) + "#lessons"


def _lessons_to_review(attempt, lessons: dict[int, str | None]) -> list[Lesson]:
    """The lessons behind the questions answered wrong, in course order (names only: no answer is shown)."""
    wrong = {lessons[item.id] for item in attempt.items if not item.correct}
    return [lesson for lesson in progress.live_lessons(attempt.course) if lesson.slug in wrong]


def _next_assignment(trainee: Trainee, course) -> Assignment | None:
    """What to do next after passing: the most urgent other course still open."""
    return next((a for a in db.session.scalars(_OPEN_ASSIGNMENTS, {"person_key": trainee.person_id})
                 if a.course_id != course.id), None)


@bp.route("/history")
@access.roles("trainee")
def history():
    """Everything the trainee has done: completions and certificates, quiz attempts, study time, mistakes."""
    from portal.domain.learning import record as learning

    from portal.domain.workforce.commitments import person_commitments

    trainee = _trainee()
    record = learning.history(db.session, trainee, today=local_today())
    return render_template("trainee/history.html", record=record, page=paginate(record.attempts_statement,
                                                                               per_page=20),
                           signed_commitments=person_commitments(db.session, trainee.person_id))


def _exported() -> dict:
    """Everything the portal holds about the signed-in person, audit-logged each time it is shown."""
    from portal.domain.platform import audit
    from portal.domain.workforce.personal_data import export_personal_data

    data = export_personal_data(db.session, current_user)
    audit.record(db.session, actor_id=current_user.id, action="personal_data.export", target_type="user",
                 target_id=current_user.id, address=request.remote_addr or "")
    db.session.commit()
    return data


@bp.route("/data.json")
@access.signed_in
def personal_data():
    """The data as a UTF-8 JSON file (Chinese as Chinese, not \\u escapes)."""
    import json

    from flask import Response

    response = Response(json.dumps(_exported(), ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/data")
@access.signed_in
def my_data():
    """The same data as a page to read."""
    response = current_app.make_response(render_template("trainee/my_data.html", data=_exported()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/privacy", methods=["GET", "POST"])
@access.signed_in
def privacy():
    from portal.domain.workforce.personal_data import delete_account, has_legal_records

    error = None
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        try:
            delete_account(db.session, current_user, request.form.get("password", ""), address=request.remote_addr or "")
        except PortalError as problem:
            db.session.rollback()
            error = str(problem.message)
        else:
            db.session.commit()
            logout_user()  # the account and its sessions are gone
            flash(_("Your account has been deleted."), "success")
            return redirect(url_for("public.index"))
    return render_template("trainee/privacy.html", keeps_records=has_legal_records(db.session, current_user), error=error)
