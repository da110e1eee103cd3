"""The office's registry of organizations, their administrators and the key groups."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain.platform import audit
from portal.domain.workforce.accounts import find_user
from portal.domain.platform.errors import ValidationError
from portal.models import ORGANIZATION_KINDS, KeyGroup, Locality, Organization, RoleGrant, Sector, User

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud over the phone
KIND_LABELS = {"key_unit": _l("Key fire-safety unit"), "public_gathering": _l("Public gathering place"),
               "general": _l("General unit")}


def kind_label(kind: str) -> str:
    """An organization kind's name in the reader's language."""
    return str(KIND_LABELS.get(kind, kind))


@dataclass
class OrganizationData:
    name: str
    credit_code: str
    kind: str
    sector_id: int
    locality_id: int
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    last_drill_on: date | None = None


def new_invite_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(8))
        if session.scalar(select(Organization.id).where(Organization.invite_code == code)) is None:
            return code


def _check(session: Session, data: OrganizationData, org_id: int | None) -> None:
    if data.kind not in ORGANIZATION_KINDS:
        raise ValidationError(_l("Choose the kind of organization."), "kind")
    if session.get(Sector, data.sector_id) is None:
        raise ValidationError(_l("Choose a sector."), "sector_id")
    if session.get(Locality, data.locality_id) is None:
        raise ValidationError(_l("Choose a locality."), "locality_id")
    clash = session.scalar(select(Organization).where(Organization.credit_code == data.credit_code))
    if clash is not None and clash.id != org_id:
        raise ValidationError(_l("%(name)s already has this credit code.", name=clash.name), "credit_code")


def save_organization(session: Session, data: OrganizationData, *, org: Organization | None, actor_id: int,
                      address: str) -> Organization:
    """Create or update an organization (credit code validated by the form); audit-logged."""
    _check(session, data, org.id if org else None)
    created = org is None
    if org is None:
        org = Organization(invite_code=new_invite_code(session))
        session.add(org)
    for field in ("name", "credit_code", "kind", "sector_id", "locality_id", "address", "contact_name",
                  "contact_phone", "last_drill_on"):
        setattr(org, field, getattr(data, field))
    session.flush()
    audit.record(session, actor_id=actor_id, action="organization.create" if created else "organization.update",
                 target_type="organization", target_id=org.id, details={"name": org.name}, address=address)
    return org




def grant_org_admin(session: Session, org: Organization, login: str, *, actor_id: int, address: str) -> User:
    user = find_user(session, login)
    if user is None:
        raise ValidationError(_l("No account has this user name or mobile number. The person registers first."), "login")
    if any(g.role == "org_admin" and g.organization_id == org.id for g in user.grants):
        raise ValidationError(_l("This account already administers the organization."), "login")
    user.grants.append(RoleGrant(role="org_admin", organization_id=org.id))
    session.flush()
    audit.record(session, actor_id=actor_id, action="role.grant", target_type="user", target_id=user.id,
                 details={"role": "org_admin", "organization": org.id}, address=address)
    return user


def revoke_org_admin(session: Session, org: Organization, user_id: int, *, actor_id: int, address: str) -> None:
    grant = session.scalar(select(RoleGrant).where(RoleGrant.user_id == user_id, RoleGrant.role == "org_admin",
                                                   RoleGrant.organization_id == org.id))
    if grant is None:
        raise ValidationError(_l("This account does not administer the organization."))
    session.delete(grant)
    session.flush()
    audit.record(session, actor_id=actor_id, action="role.revoke", target_type="user", target_id=user_id,
                 details={"role": "org_admin", "organization": org.id}, address=address)


def save_key_group(session: Session, *, group: KeyGroup | None, code: str, name_zh: str, name_en: str,
                   active: bool, actor_id: int, address: str) -> KeyGroup:
    """Add a key group or rename one (its code never changes once created); audit-logged."""
    if group is None:
        if session.scalar(select(KeyGroup.id).where(KeyGroup.code == code)) is not None:
            raise ValidationError(_l("A key group with this code exists."), "code")
        order = (session.scalar(select(func.max(KeyGroup.sort_order))) or 0) + 1
        group = KeyGroup(code=code, sort_order=order)
        session.add(group)
    group.name_zh, group.name_en, group.active = name_zh.strip(), name_en.strip(), active
    session.flush()
    audit.record(session, actor_id=actor_id, action="key_group.save", target_type="key_group", target_id=group.id,
                 details={"code": group.code, "name_zh": group.name_zh, "active": active}, address=address)
    return group
