"""Sending one e-mail from a page without making the page wait for the SMTP server."""
from __future__ import annotations

import threading
from email.message import EmailMessage

from flask import current_app

from portal.domain.platform.mail import MailError, SmtpMailer


def send_in_background(message: EmailMessage) -> None:
    """Hand the message to the configured SMTP server from a thread. The page answers at once, and as fast
    whether a message went or not, so its timing tells nothing about which accounts have an address. A failure
    is logged; the person can ask again."""
    config = {key: value for key, value in current_app.config.items() if key.startswith("MAIL_")}
    logger = current_app.logger

    def deliver() -> None:
        try:
            with SmtpMailer.from_config(config) as mailer:
                mailer.send(message)
        except MailError as error:
            logger.warning("password reset mail not sent: %s", error)

    threading.Thread(target=deliver, name="reset-mail", daemon=True).start()
