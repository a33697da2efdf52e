"""A real SMTP server (aiosmtpd) that keeps what it receives, for reading mails in tests."""

import email
import email.policy
import re
import threading
import time
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self) -> None:
        self._messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self._messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    def wait_for(self, to: str, timeout: float = 10.0, subject_contains: str = "") -> EmailMessage:
        """The newest mail to `to` (optionally with a subject part); fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.messages):
                if to.lower() in str(message["To"]).lower() and subject_contains in str(message["Subject"]):
                    return message
            time.sleep(0.05)
        seen = [(str(m["To"]), str(m["Subject"])) for m in self.messages]
        raise AssertionError(f"no mail to {to!r} with {subject_contains!r} within {timeout}s; got {seen}")

    def body(self, to: str, subject_contains: str = "") -> str:
        message = self.wait_for(to, subject_contains=subject_contains)
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    def link(self, to: str, path_part: str, subject_contains: str = "") -> str:
        """The first URL in the newest mail to `to` that contains `path_part`."""
        body = self.body(to, subject_contains)
        for url in re.findall(r"https?://\S+", body):
            if path_part in url:
                return url
        raise AssertionError(f"no link containing {path_part!r} in mail to {to}:\n{body}")


def start_smtp_server(port: int) -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, mailbox
