"""A real SMTP server for tests (aiosmtpd on 127.0.0.1, a free port) that keeps what it receives."""
from __future__ import annotations

import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Iterator

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One delivered message: the envelope recipients, the raw bytes and the parsed message."""

    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage

    @property
    def to(self) -> str:
        return self.rcpt_tos[0]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content()


@dataclass
class SmtpSink:
    """The aiosmtpd handler: collects messages, refuses the addresses listed in `refuse`."""

    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        self.received.append(Received(list(envelope.rcpt_tos), raw, message_from_bytes(raw, policy=policy.default)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]

    def clear(self) -> None:
        self.received.clear()


def free_port() -> int:
    """A port nothing listens on right now (also what an unreachable server looks like)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_smtp_server(**smtp_options) -> Iterator[SmtpSink]:
    """Start the server for the duration of the block; smtp_options go to aiosmtpd's SMTP (authenticator...)."""
    sink = SmtpSink(port=free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port, **smtp_options)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
