"""E-mail for development: one line per message on the console, not raw MIME."""

import re
import sys
import threading

from django.core.mail.backends.base import BaseEmailBackend

LINK = re.compile(r"https?://\S+")


class ConsoleEmailBackend(BaseEmailBackend):
    """Prints «Письмо: кому — тема» and the links of the body (a password reset
    needs its link) on one line per message. `make run`'s worker sends the notices,
    so they appear among its lines; DEBUG's default (profplan/settings/base.py)."""

    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages):
        with self._lock:
            for message in email_messages:
                recipients = ", ".join(message.recipients())
                line = f"Письмо: {recipients} — {message.subject}"
                links = LINK.findall(str(message.body))
                if links:
                    line += " (" + " ".join(links) + ")"
                self.stream.write(line + "\n")
            self.stream.flush()
        return len(email_messages)
