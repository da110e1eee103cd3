"""Posts in a roster import: the file's post names read against the post catalogue.

At upload, each post a row gives is put in the catalogue's name ("保安" becomes "保安员"); a post the catalogue
does not know stays as written and is listed in the preview, where the administrator maps it to a post of the
catalogue or adds it as a new post (`choose`). Nothing is imported while a post is unknown.
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.domain.workforce import posts
from portal.domain.platform.errors import ValidationError
from portal.domain.workforce.roster_import import ParsedRoster, Preview
from portal.models import Organization

ADD = "+"  # the choice "add it to the catalogue as a new post"


def name_posts(parsed: ParsedRoster, catalogue: posts.Catalogue) -> tuple[ParsedRoster, dict[str, str | None]]:
    """The rows with their posts in the catalogue's names, and the file's posts that differ from a catalogue
    name -> that name (None: the catalogue does not know it)."""
    names = {row.post: catalogue.resolve(row.post) for row in parsed.rows if row.post}
    differing = {text: name for text, name in names.items() if name != text}
    rows = [dataclasses.replace(row, post=names.get(row.post) or row.post) for row in parsed.rows]
    return dataclasses.replace(parsed, rows=rows), differing


def unknown_posts(preview: Preview) -> list[tuple[str, int]]:
    """The posts to map or add, with how many rows give each, most rows first."""
    unknown = {text for text, name in preview.posts.items() if name is None}
    rows = Counter(row.post for row in [*preview.new, *(match.row for match in preview.changed)]
                   if row.post in unknown)
    return sorted(rows.items(), key=lambda item: (-item[1], item[0]))


def renamed_posts(preview: Preview) -> list[tuple[str, str]]:
    """Another name of a post in the file -> the catalogue's name it was read as."""
    return sorted((text, name) for text, name in preview.posts.items() if name is not None)


def rename_posts(preview: Preview, names: Mapping[str, str | None]) -> Preview:
    """The preview with each row's post renamed by `names` (a post not in it stays)."""
    def row(r):
        return dataclasses.replace(r, post=names.get(r.post) or r.post)

    return dataclasses.replace(
        preview, new=[row(r) for r in preview.new],
        changed=[dataclasses.replace(match, row=row(match.row)) for match in preview.changed])


def missing_choices(preview: Preview, choices: Mapping[str, str], catalogue: posts.Catalogue) -> list[str]:
    """The unknown posts the administrator has not yet mapped to a catalogue post or chosen to add."""
    return [text for text, _count in unknown_posts(preview)
            if (choices.get(text) or "").strip() != ADD and catalogue.resolve(choices.get(text)) is None]


def choose(session: Session, org: Organization, preview: Preview, choices: Mapping[str, str], *,
           actor_id: int | None, address: str = "") -> Preview:
    """Apply the administrator's choice for each unknown post: a catalogue name to map it to, or ADD to add it
    (for the office to review). Raises ValidationError naming the posts without a valid choice."""
    catalogue = posts.catalogue(session)
    missing = missing_choices(preview, choices, catalogue)
    if missing:
        raise ValidationError(_l("Choose what each post not in the catalogue is: %(posts)s.",
                                 posts="、".join(missing)), "post")
    names: dict[str, str] = {}
    for text, _count in unknown_posts(preview):
        choice = choices[text].strip()
        if choice != ADD:
            names[text] = catalogue.resolve(choice)
        else:
            names[text] = catalogue.resolve(text) or posts.add_named(
                session, text, organization=org, actor_id=actor_id, address=address).name
    return rename_posts(preview, names)
