"""The post catalogue (岗位目录): one name per post, the other names companies use for it, and the courses a
post requires before someone works in it.

Every way a post reaches a roster goes through `resolve`: the person form, the roster import (after the
administrator has mapped or added each post the catalogue does not know, in the preview) and the HR API. The
schedule reads a post's courses through `Rules.post_rule`, which `rules.current_rules` fills from here, so a
roster row that still says "保安" gets the courses of "保安员".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.domain.platform import audit
from portal.domain.platform.errors import ValidationError
from portal.domain.workforce.rules import Rules, post_key
from portal.models import Course, Organization, Post, Trainee

MAX_LENGTH = 100


class UnknownPost(ValidationError):
    """A post the catalogue does not know, where the caller did not ask to add it."""

    code = "unknown_post"


@dataclass
class Catalogue:
    """Every name of every post -> the post's own name, read in one query."""

    names: dict[str, str] = field(default_factory=dict)

    def resolve(self, text: str | None) -> str | None:
        return self.names.get(post_key(text)) if (text or "").strip() else None

    def choices(self) -> list[str]:
        return sorted(set(self.names.values()))


def catalogue(session: Session) -> Catalogue:
    result = Catalogue()
    for name, synonyms in session.execute(select(Post.name, Post.synonyms).order_by(Post.name)):
        for other in [name, *(synonyms or [])]:
            result.names.setdefault(post_key(other), name)
    return result


def resolve(session: Session, text: str | None, *, add_for: Organization | None = None,
            actor_id: int | None = None, address: str = "") -> str:
    """The catalogue's name for a post typed or sent as `text` ("" stays ""). An unknown post raises
    UnknownPost, unless `add_for` names the organization adding it (then it joins the catalogue, to review)."""
    text = (text or "").strip()
    if not text:
        return ""
    if len(text) > MAX_LENGTH:
        raise ValidationError(_l("A post has at most 100 characters."), "post")
    found = catalogue(session).resolve(text)
    if found is not None:
        return found
    if add_for is None:
        raise UnknownPost(_l("“%(post)s” is not in the post catalogue: pick a post from the list, or add it as a "
                             "new post.", post=text), "post")
    return add_named(session, text, organization=add_for, actor_id=actor_id, address=address).name


def add_named(session: Session, name: str, *, organization: Organization | None, actor_id: int | None,
              address: str = "") -> Post:
    """A post a company names: it joins the catalogue with no courses of its own, for the office to review."""
    post = Post(name=name.strip(), synonyms=[], courses=[], basis="", reviewed=False,
                added_by_organization_id=organization.id if organization else None)
    session.add(post)
    session.flush()
    audit.record(session, actor_id=actor_id, action="post.add", target_type="post", target_id=post.id,
                 details={"name": post.name, "organization": post.added_by_organization_id}, address=address)
    return post


@dataclass
class PostData:
    name: str
    synonyms: list[str]
    courses: list[str]
    basis: str = ""


def parse_synonyms(text: str | None) -> list[str]:
    """Other names as the office types them: one per line, or separated by commas."""
    return [part.strip() for part in re.split(r"[\n,，、;；]", text or "") if part.strip()]


def _checked(session: Session, post: Post | None, data: PostData) -> PostData:
    name = (data.name or "").strip()
    if not 1 <= len(name) <= MAX_LENGTH:
        raise ValidationError(_l("A post has 1 to 100 characters."), "name")
    synonyms = []
    for other in data.synonyms:
        if len(other) > MAX_LENGTH:
            raise ValidationError(_l("Another name has at most 100 characters: %(name)s", name=other[:20]),
                                  "synonyms")
        if post_key(other) != post_key(name) and post_key(other) not in map(post_key, synonyms):
            synonyms.append(other)
    taken = catalogue(session).names
    for other in [name, *synonyms]:
        holder = taken.get(post_key(other))
        if holder is not None and (post is None or holder != post.name):
            raise ValidationError(_l("“%(name)s” is already a name of the post “%(post)s”.", name=other, post=holder),
                                  "synonyms" if other != name else "name")
    known = set(session.scalars(select(Course.code).where(Course.retired.is_(False))))
    courses = list(dict.fromkeys(data.courses))
    unknown = [code for code in courses if code not in known]
    if unknown:
        raise ValidationError(_l("Unknown course: %(codes)s", codes=", ".join(unknown)), "courses")
    basis = (data.basis or "").strip()
    if courses and not basis:
        raise ValidationError(_l("Give the legal basis of the courses this post requires."), "basis")
    return PostData(name=name, synonyms=synonyms, courses=courses, basis=basis[:300])


def save(session: Session, post: Post | None, data: PostData, *, actor_id: int, address: str,
         now: datetime) -> tuple[Post, int]:
    """Add or change a post (the office). Renaming a post renames it on every roster; the people in it are
    scheduled again when its courses change. Returns the post and how many people were scheduled again."""
    data = _checked(session, post, data)
    if post is None:
        post = Post(name=data.name)
        session.add(post)
    old_name, old_courses = post.name, list(post.courses or [])
    post.name, post.synonyms, post.courses, post.basis = data.name, data.synonyms, data.courses, data.basis
    post.reviewed = True
    session.flush()
    if old_name != post.name:
        _rename_on_rosters(session, old_name, post.name)
    audit.record(session, actor_id=actor_id, action="post.save", target_type="post", target_id=post.id,
                 details={"name": post.name, "synonyms": post.synonyms, "courses": post.courses}, address=address)
    rescheduled = _reschedule(session, post.name, now=now) if set(old_courses) != set(post.courses) else 0
    return post, rescheduled


def merge(session: Session, post: Post, into: Post, *, actor_id: int, address: str, now: datetime) -> int:
    """The same post under two names: `post` becomes another name of `into`, every roster row moves to `into`
    (a new name, not a transfer: nobody changed job) and its people are scheduled again. Returns how many."""
    if post.id == into.id:
        raise ValidationError(_l("Choose another post to merge into."), "into")
    into.synonyms = [*into.synonyms, *(other for other in [post.name, *post.synonyms]
                                      if post_key(other) not in {post_key(s) for s in [into.name, *into.synonyms]})]
    _rename_on_rosters(session, post.name, into.name)
    audit.record(session, actor_id=actor_id, action="post.merge", target_type="post", target_id=into.id,
                 details={"merged": post.name, "into": into.name}, address=address)
    session.delete(post)
    session.flush()
    return _reschedule(session, into.name, now=now)


def _rename_on_rosters(session: Session, old: str, new: str) -> None:
    session.execute(update(Trainee).where(Trainee.post == old).values(post=new)
                    .execution_options(synchronize_session="fetch"))


def _reschedule(session: Session, name: str, *, now: datetime) -> int:
    from portal.domain.workforce import schedule
    from portal.domain.workforce.rules import current_rules

    rules: Rules = current_rules(session)
    ids = list(session.scalars(select(Trainee.id).where(Trainee.post == name, Trainee.status == "active")
                               .order_by(Trainee.id)))
    schedule.reconcile_many(session, ids, rules, now=now)
    return len(ids)


def counts(session: Session) -> dict[str, int]:
    """People at work in each post (by the catalogue's name)."""
    return dict(session.execute(select(Trainee.post, func.count()).where(Trainee.status == "active")
                                .group_by(Trainee.post)).all())
