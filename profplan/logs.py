"""Logs without personal data (152-ФЗ): staff e-mails, phones and usernames stay out.

Our own log lines name users by id. What we do not write ourselves — an exception
message from the database such as «Key (email)=(…) already exists», a traceback —
passes through PersonalDataFormatter, which masks e-mail addresses, phone numbers
and the values in PostgreSQL's «Key (column)=(value)» details.
"""

import hashlib
import logging
import re

MASK = "[скрыто]"

PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # +7 (862) 123-45-67, 8 862 123 45 67, 88621234567 …: 10–11 digits with separators.
    re.compile(r"(?<![\w/])(?:\+7|8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)"),
]
KEY_DETAIL = re.compile(r"(Key \([^)]*\)=\()([^)]*)(\))")


def scrub(text: str) -> str:
    for pattern in PATTERNS:
        text = pattern.sub(MASK, text)
    return KEY_DETAIL.sub(lambda m: m.group(1) + MASK + m.group(3), text)


class PersonalDataFormatter(logging.Formatter):
    """Masks personal data in the whole formatted record, traceback included."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """django-axes names the client in its lockout warnings; by default with the
    username. A short digest still lets an administrator match repeated lockouts
    of one account, and the name stays out of the log."""
    digest = hashlib.sha256((username or "").encode()).hexdigest()[:10]
    return f"{{user: {digest}, path: {path_info}}}"
