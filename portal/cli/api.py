"""`flask api ...`: housekeeping of the HR system API."""
from __future__ import annotations


import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db


api_cli = AppGroup("api", help="The HR system API.")


@api_cli.command("purge-idempotency")
@click.option("--days", type=int, default=None, help="Keep this many days (default: IDEMPOTENCY_KEEP_DAYS).")
def purge_idempotency(days: int | None) -> None:
    """Delete stored API answers older than the retention period (run daily)."""
    from datetime import timedelta


    from portal.domain.platform.idempotency import purge
    from portal.models import utcnow

    keep = days if days is not None else current_app.config["IDEMPOTENCY_KEEP_DAYS"]
    removed = purge(db.session, older_than=utcnow() - timedelta(days=keep))
    db.session.commit()
    click.echo(f"{removed} idempotency record(s) older than {keep} days removed")
