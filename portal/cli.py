"""The `flask ...` commands, each a thin wrapper over portal.domain."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from portal.extensions import db

demo_cli = AppGroup("demo", help="The demo district.")


@click.command("setup")
def setup_command() -> None:
    """Create reference data (key groups, sectors) missing from the database."""
    from portal.domain.reference import ensure_reference_data

    added = ensure_reference_data(db.session)
    db.session.commit()
    click.echo(f"reference data: {added['key_groups']} key groups and {added['sectors']} sectors added")


@demo_cli.command("seed")
@click.option("--people", default=300, show_default=True, help="Roster size across the demo organizations.")
def demo_seed(people: int) -> None:
    """Create the demo district (idempotent)."""
    from datetime import date

    from portal.domain.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo

    counts = seed_demo(db.session, today=date.today(), people=people)
    db.session.commit()
    click.echo("demo: " + ", ".join(f"{n} {what} added" for what, n in counts.items()))
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.login:<8} / {DEMO_PASSWORD}  ({account.role}: {account.note})")


def register(app: Flask) -> None:
    app.cli.add_command(setup_command)
    app.cli.add_command(demo_cli)
    from portal.content_cli import content_cli

    app.cli.add_command(content_cli)
