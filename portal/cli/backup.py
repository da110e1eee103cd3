"""`flask backup create|restore`: back up and restore the database."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db


backup_cli = AppGroup("backup", help="Back up and restore the database.")


@backup_cli.command("create")
@click.option("--out", type=click.Path(dir_okay=False), help="Backup file (default: instance/backups/<time>.backup).")
def backup_create(out: str | None) -> None:
    """Write a consistent backup while the portal runs (SQLite backup API or pg_dump)."""
    from portal.domain.platform.backup import BackupError, create_backup
    from portal.domain.platform.localtime import to_local
    from portal.models import utcnow

    stamp = f"{to_local(utcnow()):%Y%m%d-%H%M%S}"
    target = Path(out) if out else Path(current_app.instance_path) / "backups" / f"portal-{stamp}.backup"
    try:
        create_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup written to {target}")


@backup_cli.command("restore")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def backup_restore(backup: str, yes: bool) -> None:
    """Replace the database's contents with a backup."""
    from portal.domain.platform.backup import BackupError, restore_backup

    if not yes:
        click.confirm("This replaces everything in the database with the backup. Go on?", abort=True)
    db.session.remove()
    db.engine.dispose()
    try:
        restore_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(backup))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored from {backup}")
