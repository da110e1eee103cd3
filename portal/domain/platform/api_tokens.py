"""HR API tokens: made and revoked by an organization's administrators, kept only as a hash.

A token is `fstp_` followed by 43 random URL-safe characters. The portal stores its SHA-256 and
its first 8 characters (to tell tokens apart on the page); the token itself is shown once.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.platform import audit
from portal.domain.platform.errors import ValidationError
from portal.models import ApiToken, Organization

TOKEN_START = "fstp_"
PREFIX_LENGTH = 8
NAME_MAX = 100
MAX_TOKEN_LENGTH = 200  # anything longer is not ours; don't hash megabytes of header
# last_used_at is written at most once a minute per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(session: Session, org: Organization, *, name: str, actor_id: int | None, address: str,
           now: datetime) -> tuple[ApiToken, str]:
    """Make a token for the organization; returns the row and the token itself, to show once."""
    name = (name or "").strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise ValidationError(_l("A token name has 1 to %(n)s characters.", n=NAME_MAX), "name")
    plain = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken(organization_id=org.id, name=name, prefix=plain[:PREFIX_LENGTH], token_hash=digest(plain),
                     created_by_id=actor_id, created_at=now)
    session.add(token)
    session.flush()
    audit.record(session, actor_id=actor_id, action="api_token.create", target_type="api_token", target_id=token.id,
                 details={"organization": org.id, "name": name, "prefix": token.prefix}, address=address)
    return token, plain


def revoke(session: Session, token: ApiToken, *, actor_id: int | None, address: str, now: datetime) -> None:
    """Stop a token from working, for good."""
    if token.revoked_at is not None:
        raise ValidationError(_l("This token has already been revoked."))
    token.revoked_at = now
    session.flush()
    audit.record(session, actor_id=actor_id, action="api_token.revoke", target_type="api_token", target_id=token.id,
                 details={"organization": token.organization_id, "name": token.name, "prefix": token.prefix},
                 address=address)


def of_organization(session: Session, org: Organization) -> list[ApiToken]:
    """The organization's tokens, newest first (revoked ones too: they are history)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.organization_id == org.id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def token_of_organization(session: Session, org: Organization, token_id: int) -> ApiToken | None:
    """One of the organization's tokens, or None (also for another organization's token)."""
    return session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.organization_id == org.id))


def lookup(session: Session, presented: str) -> ApiToken | None:
    """The token row matching a presented token (revoked or not), or None."""
    if not presented.startswith(TOKEN_START) or len(presented) > MAX_TOKEN_LENGTH:
        return None
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(presented)))


def touch(token: ApiToken, now: datetime) -> bool:
    """Record that the token was used; True when last_used_at changed (and needs a commit)."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return False
    token.last_used_at = now
    return True
