"""Outgoing e-mail: building MIME messages from the mail templates and sending them over SMTP.

A mailer is anything with `send(message)`; SmtpMailer is the real one (one connection per run),
the jobs take it as an argument so tests and dry runs can pass their own.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, Mapping, Protocol

from flask import current_app
from flask_babel import force_locale

# 7-bit on the wire: bodies with Chinese text go out base64 or quoted-printable, so relays without
# 8BITMIME deliver them intact.
MESSAGE_POLICY = policy.SMTP.clone(cte_type="7bit")
DEFAULT_TIMEOUT = 30  # seconds, per SMTP command


class MailError(Exception):
    """Sending failed."""


class MailUnavailable(MailError):
    """The SMTP server cannot be reached or refuses us: nothing more can be sent this run."""


class MessageRefused(MailError):
    """The server refused this one message (a bad address); others may still go through."""


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class Recipient:
    """Who a mail goes to and in which language."""

    address: str
    name: str = ""
    locale: str = "zh_CN"


def mail_locale(preferred: str | None) -> str:
    """The user's language if the portal offers it, else the default (zh_CN)."""
    languages = current_app.config.get("LANGUAGES", ("zh_CN", "en"))
    return preferred if preferred in languages else current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")


def valid_address(address: str | None) -> bool:
    """A usable addr-spec (user@domain), as far as the e-mail package can tell."""
    if not address or "@" not in address:
        return False
    try:
        parsed = Address(addr_spec=address.strip())
    except (ValueError, IndexError, HeaderParseError):
        return False
    return bool(parsed.username and parsed.domain)


def render_mail(template: str, recipient: Recipient, **context: Any) -> tuple[str, str]:
    """(subject, body) of templates/mail/<template>.txt in the recipient's language.

    The template defines the blocks `subject` and `body`; they are rendered with the bare Jinja
    environment (no request, so no context processors) under flask_babel.force_locale.
    """
    environment = current_app.jinja_env
    loaded = environment.get_template(f"mail/{template}.txt")
    values = {**context, "locale": recipient.locale, "recipient": recipient}
    with force_locale(recipient.locale):
        block_context = loaded.new_context(values)
        subject = "".join(loaded.blocks["subject"](block_context))
        body = "".join(loaded.blocks["body"](block_context))
    return " ".join(subject.split()), body.strip() + "\n"


def build_message(*, sender: str, recipient: Recipient, subject: str, body: str, now: datetime) -> EmailMessage:
    """A UTF-8 text/plain message with From, To, Subject, Date, Message-ID and Content-Language."""
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["From"] = sender
    # Roster names come from imports: no line breaks may reach a header.
    message["To"] = Address(display_name=" ".join(recipient.name.split()), addr_spec=recipient.address.strip())
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("<> ") or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message.set_content(body, charset="utf-8")
    message["Content-Language"] = "en" if recipient.locale == "en" else "zh-CN"  # set_content drops Content-*
    return message


def compose(template: str, recipient: Recipient, *, now: datetime, **context: Any) -> EmailMessage:
    """Render a mail template for one recipient and wrap it in a message from MAIL_SENDER."""
    subject, body = render_mail(template, recipient, **context)
    return build_message(sender=current_app.config["MAIL_SENDER"], recipient=recipient, subject=subject,
                         body=body, now=now)


class SmtpMailer:
    """Sends over one SMTP connection (STARTTLS and login when configured); use it as a context manager."""

    def __init__(self, host: str, port: int, *, username: str | None = None, password: str | None = None,
                 use_tls: bool = False, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.use_tls, self.timeout = use_tls, timeout
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "SmtpMailer":
        return cls(config["MAIL_SERVER"], int(config["MAIL_PORT"]), username=config.get("MAIL_USERNAME"),
                   password=config.get("MAIL_PASSWORD"), use_tls=bool(config.get("MAIL_USE_TLS")),
                   timeout=config.get("MAIL_TIMEOUT", DEFAULT_TIMEOUT))

    def __enter__(self) -> "SmtpMailer":
        self.connect()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def connect(self) -> None:
        """Open the connection now, so an unreachable server fails before anything is decided."""
        self.close()
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as error:
            raise MailUnavailable(f"cannot connect to the SMTP server {self.host}:{self.port}: {error}") from error
        try:
            smtp.ehlo()
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
        except (OSError, smtplib.SMTPException, UnicodeError) as error:  # smtplib logs in with ASCII only
            smtp.close()
            raise MailUnavailable(f"the SMTP server {self.host}:{self.port} refused the session: {error}") from error
        self._smtp = smtp

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (OSError, smtplib.SMTPException):
            self._smtp.close()
        self._smtp = None

    def send(self, message: EmailMessage) -> None:
        """Send one message; MessageRefused for this message only, MailUnavailable when the server is gone."""
        if self._smtp is None:
            self.connect()
        try:
            self._send(message)
        except smtplib.SMTPServerDisconnected:
            # Servers close long sessions (idle timeouts, messages-per-connection limits) between
            # messages: reconnect once and retry this message.
            self.connect()
            try:
                self._send(message)
            except smtplib.SMTPServerDisconnected as error:
                raise MailUnavailable(f"the SMTP server {self.host}:{self.port} closed the connection") from error

    def _send(self, message: EmailMessage) -> None:
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPServerDisconnected:
            raise
        except smtplib.SMTPRecipientsRefused as error:
            raise MessageRefused(f"recipient refused: {', '.join(error.recipients)}") from error
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600 and not isinstance(error, smtplib.SMTPSenderRefused):
                raise MessageRefused(f"message refused: {error.smtp_code} {error.smtp_error!r}") from error
            raise MailUnavailable(f"the SMTP server failed: {error.smtp_code} {error.smtp_error!r}") from error
        except (OSError, smtplib.SMTPException) as error:
            raise MailUnavailable(f"the SMTP server failed: {error}") from error
        if refused:
            # Only some of several recipients were refused; ours have one, so this is rare.
            raise MessageRefused(f"recipient refused: {', '.join(refused)}")


class CollectingMailer:
    """Keeps messages instead of sending them (dry runs and tests)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.messages.append(message)
