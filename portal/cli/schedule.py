"""`flask schedule run`: the compliance schedule, for every roster at once."""
from __future__ import annotations


import click
from flask.cli import AppGroup

from portal.extensions import db


schedule_cli = AppGroup("schedule", help="The compliance schedule.")


@schedule_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Only count what would change.")
def schedule_run(dry_run: bool) -> None:
    """Create due assignments, mark overdue ones, close ones that no longer apply (idempotent)."""
    from portal.domain.workforce.jobs import run_schedule

    summary = run_schedule(db.session, apply=not dry_run)
    verb = "would change" if dry_run else "changed"
    click.echo(f"schedule {verb}: {summary.people} people checked, {summary.created} assignments created, "
               f"{summary.closed} closed, {summary.overdue} marked overdue")
