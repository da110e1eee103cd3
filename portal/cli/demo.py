"""`flask demo seed`: the demo district."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db


demo_cli = AppGroup("demo", help="The demo district.")


@demo_cli.command("seed")
@click.option("--people", default=300, show_default=True, help="Roster size across the demo organizations.")
def demo_seed(people: int) -> None:
    """Create the demo district (idempotent)."""
    from portal.domain.coverage.report_pdf import office_settings
    from portal.domain.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
    from portal.domain.platform.localtime import local_today

    settings = None
    if Path(current_app.config["CERT_FONT_PATH"]).exists():  # last year's final report is a PDF: it needs the font
        settings = [office_settings(current_app.config, code) for code in current_app.config["LANGUAGES"]]
    counts = seed_demo(db.session, today=local_today(), people=people, report_settings=settings)
    db.session.commit()
    click.echo("demo: " + ", ".join(f"{n} {what} added" for what, n in counts.items()))
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.login:<8} / {DEMO_PASSWORD}  ({account.role}: {account.note})")
