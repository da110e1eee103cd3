"""The `flask ...` commands, each a thin wrapper over portal.domain."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.extensions import db

demo_cli = AppGroup("demo", help="The demo district.")


@click.command("setup")
def setup_command() -> None:
    """Create reference data (key groups, sectors, the post catalogue) missing from the database."""
    from portal.domain.reference import ensure_reference_data

    added = ensure_reference_data(db.session)
    db.session.commit()
    click.echo(f"reference data: {added['key_groups']} key groups, {added['sectors']} sectors and "
               f"{added['posts']} posts added")


@demo_cli.command("seed")
@click.option("--people", default=300, show_default=True, help="Roster size across the demo organizations.")
def demo_seed(people: int) -> None:
    """Create the demo district (idempotent)."""
    from portal.domain.coverage.report_pdf import office_settings
    from portal.domain.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
    from portal.domain.localtime import local_today

    settings = None
    if Path(current_app.config["CERT_FONT_PATH"]).exists():  # last year's final report is a PDF: it needs the font
        settings = [office_settings(current_app.config, code) for code in current_app.config["LANGUAGES"]]
    counts = seed_demo(db.session, today=local_today(), people=people, report_settings=settings)
    db.session.commit()
    click.echo("demo: " + ", ".join(f"{n} {what} added" for what, n in counts.items()))
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.login:<8} / {DEMO_PASSWORD}  ({account.role}: {account.note})")


@click.command("versions")
@click.option("--debian", multiple=True, metavar="PACKAGE",
              help="A Debian package to report (a dpkg pattern is allowed); repeat for several.")
def versions_command(debian: tuple[str, ...]) -> None:
    """Print the versions the portal runs with (Python, SQLite, libpq, packages, database), for bug reports."""
    from portal.domain.versions import debian_versions, package_versions, runtime_versions

    sections = [("Runs with", runtime_versions(db.engine)), ("Python packages", package_versions())]
    if debian:
        sections.append(("Debian packages", debian_versions(debian)))
    width = max(len(name) for _, rows in sections for name, _ in rows)
    for title, rows in sections:
        click.echo(f"{title}:")
        for name, version in rows:
            click.echo(f"  {name:<{width}}  {version}")


schedule_cli = AppGroup("schedule", help="The compliance schedule.")
backup_cli = AppGroup("backup", help="Back up and restore the database.")
api_cli = AppGroup("api", help="The HR system API.")


@api_cli.command("purge-idempotency")
@click.option("--days", type=int, default=None, help="Keep this many days (default: IDEMPOTENCY_KEEP_DAYS).")
def purge_idempotency(days: int | None) -> None:
    """Delete stored API answers older than the retention period (run daily)."""
    from datetime import timedelta

    from flask import current_app

    from portal.domain.idempotency import purge
    from portal.models import utcnow

    keep = days if days is not None else current_app.config["IDEMPOTENCY_KEEP_DAYS"]
    removed = purge(db.session, older_than=utcnow() - timedelta(days=keep))
    db.session.commit()
    click.echo(f"{removed} idempotency record(s) older than {keep} days removed")


@backup_cli.command("create")
@click.option("--out", type=click.Path(dir_okay=False), help="Backup file (default: instance/backups/<time>.backup).")
def backup_create(out: str | None) -> None:
    """Write a consistent backup while the portal runs (SQLite backup API or pg_dump)."""
    from pathlib import Path

    from flask import current_app

    from portal.domain.backup import BackupError, create_backup
    from portal.domain.localtime import to_local
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
    from pathlib import Path

    from flask import current_app

    from portal.domain.backup import BackupError, restore_backup

    if not yes:
        click.confirm("This replaces everything in the database with the backup. Go on?", abort=True)
    db.session.remove()
    db.engine.dispose()
    try:
        restore_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(backup))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored from {backup}")


@schedule_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Only count what would change.")
def schedule_run(dry_run: bool) -> None:
    """Create due assignments, mark overdue ones, close ones that no longer apply (idempotent)."""
    from portal.domain.jobs import run_schedule

    summary = run_schedule(db.session, apply=not dry_run)
    verb = "would change" if dry_run else "changed"
    click.echo(f"schedule {verb}: {summary.people} people checked, {summary.created} assignments created, "
               f"{summary.closed} closed, {summary.overdue} marked overdue")


def register(app: Flask) -> None:
    app.cli.add_command(setup_command)
    app.cli.add_command(versions_command)
    app.cli.add_command(demo_cli)
    from portal.certificates_cli import certificates_cli
    from portal.content_cli import content_cli
    from portal.coverage_cli import coverage_cli, report_cli
    from portal.reminders_cli import reminders_cli

    app.cli.add_command(content_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(schedule_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(api_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(report_cli)
    app.cli.add_command(coverage_cli)
