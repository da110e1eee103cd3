"""`flask reminders send`: e-mail trainees about due and overdue training, escalate to companies."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db

reminders_cli = AppGroup("reminders", help="E-mail reminders and escalations.")


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="Only count what would be sent; no e-mail, nothing recorded.")
def send_command(dry_run: bool) -> None:
    """Send due-soon and overdue reminders, escalations (1, 7, 30 days) and weekly digests (idempotent)."""
    from portal.domain.platform.mail import MailUnavailable, SmtpMailer
    from portal.domain.workforce.reminders import send_reminders
    from portal.models import utcnow

    if dry_run:
        summary = send_reminders(db.session, now=utcnow(), mailer=None, dry_run=True)
        db.session.rollback()
        click.echo(describe(summary))
        return
    try:
        # Connecting first: an unreachable server fails the run before anything is decided or recorded.
        with SmtpMailer.from_config(current_app.config) as mailer:
            summary = send_reminders(db.session, now=utcnow(), mailer=mailer)
    except MailUnavailable as error:
        db.session.rollback()
        partial = getattr(error, "summary", None)
        if partial is not None and partial.messages:
            raise click.ClickException(f"{error}. Stopped; what was sent before is recorded ({describe(partial)}). "
                                       "Run again when the server is back.")
        raise click.ClickException(f"{error}. Nothing was sent or recorded; run again when the server is reachable.")
    db.session.commit()
    click.echo(describe(summary))


def describe(summary) -> str:
    """One line of counts for the terminal and cron mail."""
    steps = ", ".join(f"{number} {step}" for step, number in summary.sent.items())
    verb = "would send" if summary.dry_run else "sent"
    return (f"reminders {verb}: {summary.messages} e-mails ({steps}); skipped: {summary.no_address} trainees "
            f"without an e-mail address, {summary.no_admin} organizations without an administrator e-mail; "
            f"{summary.refused} refused by the server")
