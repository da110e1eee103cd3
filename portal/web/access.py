"""The access policy at the door of every view: the decorators each view declares its audience with, and the
look-ups that answer 404 for a record outside the user's scope (so that changing an id in a URL reveals nothing).
The decisions themselves are the domain's (`portal.domain.platform.policy`, `portal.domain.certificates.access`);
a test enumerates the URL map and fails for any view without a declaration."""
from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from portal.domain.certificates import access as certificate_access
from portal.domain.platform import policy
from portal.models import Certificate, Organization, Trainee, User

T = TypeVar("T")


def public(view: Callable) -> Callable:
    """Mark a view as open to everybody, logged in or not."""
    view.access = ("public",)
    return view


def _to_login():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def signed_in(view: Callable) -> Callable:
    """Allow a view to any logged-in user."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _to_login()
        return view(*args, **kwargs)

    wrapper.access = ("signed_in",)
    return wrapper


def roles(*names: str) -> Callable[[Callable], Callable]:
    """Allow a view to users holding any of these roles; others get 403, anonymous users a login."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _to_login()
            if not current_user.has_role(*names):
                abort(403)
            return view(*args, **kwargs)

        wrapper.access = tuple(names)
        return wrapper

    return decorate


def found_or_404(record: T | None) -> T:
    """The record, or a 404 when the domain found none the user may see."""
    if record is None:
        abort(404)
    return record


def organization_or_404(session: Session, user: User, org_id: int, *, manage: bool = False) -> Organization:
    return found_or_404(policy.organization_for(session, user, org_id, manage=manage))


def trainee_or_404(session: Session, user: User, trainee_id: int, *, manage: bool = False) -> Trainee:
    return found_or_404(policy.trainee_for(session, user, trainee_id, manage=manage))


def course_for_trainee_or_404(session: Session, trainee: Trainee, code: str, *, lesson_bodies: bool = False):
    return found_or_404(policy.course_for_trainee(session, trainee, code, lesson_bodies=lesson_bodies))


def certificate_or_404(session: Session, user: User, serial: str) -> Certificate:
    return found_or_404(certificate_access.certificate_for(session, user, serial))


def own_certificate_or_404(session: Session, user: User, serial: str) -> Certificate:
    return found_or_404(certificate_access.own_certificate(session, user, serial))
