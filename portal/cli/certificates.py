"""`flask certificates ...`: list, render, revoke."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from portal.extensions import db

certificates_cli = AppGroup("certificates", help="Certificates: list, render, revoke, sign credentials.")


def _settings():
    from portal.domain.certificates.documents import CertificateSettings

    return CertificateSettings.from_config(current_app.config)


def _certificate(serial: str):
    from portal.domain.certificates.queries import by_serial
    from portal.domain.certificates.serials import normalize_serial

    cert = by_serial(db.session, normalize_serial(serial) or serial)
    if cert is None:
        raise click.ClickException(f"no certificate {serial!r} (check the serial and its check character)")
    return cert


@certificates_cli.command("list")
@click.option("--org", "org_code", help="Only this organization (unified social credit code or exact name).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100000))
def list_command(org_code: str | None, limit: int) -> None:
    """Print the newest certificates: serial, state, holder, course, verification URL."""
    from portal.domain.certificates.queries import listing
    from portal.domain.certificates.status import state_of
    from portal.domain.platform.localtime import local_today
    from portal.models import Course

    settings, today = _settings(), local_today()
    certs = listing(db.session, org_code=org_code, limit=limit)
    codes = dict(db.session.execute(select(Course.id, Course.code).where(Course.id.in_({c.course_id for c in certs}))).all())
    for cert in certs:
        click.echo("\t".join((cert.serial, state_of(cert, today), cert.holder_name, codes.get(cert.course_id, "?"),
                              settings.verify_url(cert.token))))
    if not certs:
        click.echo("no certificates", err=True)


@certificates_cli.command("render")
@click.argument("serial")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Where to write the PDF.")
def render_command(serial: str, out: Path) -> None:
    """Write one certificate's PDF (a reprint), whatever its state."""
    from portal.domain.certificates import PortalError
    from portal.domain.certificates.documents import load_document
    from portal.domain.certificates.pdf import render_certificate

    cert = _certificate(serial)
    try:
        data = render_certificate(load_document(db.session, cert), _settings())
    except PortalError as error:
        raise click.ClickException(str(error.message)) from None
    out.write_bytes(data)
    click.echo(f"{cert.serial}: {len(data)} bytes written to {out}")


@certificates_cli.command("revoke")
@click.argument("serial")
@click.option("--reason", required=True, help="Why (kept in the audit log).")
def revoke_command(serial: str, reason: str) -> None:
    """Revoke a certificate (audit-logged); verification shows it at once."""
    from portal.domain.certificates import CertificateError
    from portal.domain.certificates.issue import revoke
    from portal.models import utcnow

    cert = _certificate(serial)
    try:
        revoke(db.session, cert, reason=reason, actor_id=None, now=utcnow(), address="cli")
    except CertificateError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"{cert.serial} revoked")


@certificates_cli.command("credentials")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 10000),
              help="Certificates signed per transaction.")
def credentials_command(batch: int) -> None:
    """Sign and store the credentials (public and holder's copy) of certificates that have none yet, such as
    those issued before credentials were stored, then sign the status lists that changed."""
    from sqlalchemy import exists

    from portal.domain.certificates import credentials, status_lists
    from portal.models import Certificate, SignedCredential, StatusList, utcnow

    settings, signed = _settings(), 0
    missing = (select(Certificate).where(~exists().where(SignedCredential.certificate_id == Certificate.id,
                                                         SignedCredential.variant == credentials.HOLDER))
               .order_by(Certificate.id).limit(batch))
    while certs := list(db.session.scalars(missing)):
        for cert in certs:
            for variant in credentials.VARIANTS:
                credentials.stored_credential(db.session, cert, settings, variant=variant, now=utcnow())
        db.session.commit()
        signed += len(certs)
    for list_id in db.session.scalars(select(StatusList.id).order_by(StatusList.id)):
        status_lists.signed_list(db.session, list_id, settings)
        db.session.commit()
    click.echo(f"{signed} certificates signed")
