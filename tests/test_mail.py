"""A notice the mail server refuses for good (a 5xx answer) is an error in the log at
once and is not tried again for three days; a temporary failure (4xx, the server
down) is tried again later, as before (profplan/tasks.py)."""

import logging
import smtplib
from unittest import mock

import pytest
from django.core import mail

from profplan.tasks import enqueue_mail
from tests.factories import UserFactory

# `tasks`: .ci/run runs these once more against RQ on a real Redis.
pytestmark = [pytest.mark.django_db, pytest.mark.tasks]

GONE = "gone@example.org"
BUSY = "busy@example.org"
FINE = "fine@example.org"


def server(answers: dict):
    """A mail server that answers each address as told: an exception, or delivery."""
    real = mail.get_connection().__class__.send_messages

    def send_messages(messages):
        (address,) = messages[0].to
        if address in answers:
            raise answers[address]
        return real(mail.get_connection(), messages)

    return mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=send_messages
    )


def send(*recipients, run_worker, answers):
    enqueue_mail("Профплан: план утверждён", "Текст", list(recipients), "plan-approved")
    with server(answers):
        run_worker("mail")


@pytest.mark.parametrize(
    "refusal, code",
    [
        (smtplib.SMTPRecipientsRefused({GONE: (550, b"5.1.1 No such user")}), 550),
        (smtplib.SMTPSenderRefused(553, b"5.7.1 Sender rejected", "profplan@localhost"), 553),
        (smtplib.SMTPDataError(554, b"5.7.1 Message rejected as spam"), 554),
    ],
)
def test_a_mail_refused_for_good_is_an_error_and_is_not_retried(
    run_worker, deferred_tasks, caplog, refusal, code
):
    user = UserFactory(username="gone", email=GONE)
    caplog.set_level(logging.INFO, logger="profplan.tasks")
    send(GONE, FINE, run_worker=run_worker, answers={GONE: refusal})

    assert [m.to for m in mail.outbox] == [[FINE]]  # the others still get theirs
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.getMessage() == (
        f"mail plan-approved: refused for good by the mail server (SMTP {code}) for "
        f"user {user.pk}; not tried again"
    )
    assert GONE not in caplog.text  # the account's id, never the address (152-ФЗ)
    assert "will be tried again" not in caplog.text
    assert deferred_tasks.count() == 0


def test_an_address_of_no_account_is_named_by_a_digest(run_worker, deferred_tasks, caplog):
    refusal = smtplib.SMTPRecipientsRefused({GONE: (550, b"No such user")})
    send(GONE, run_worker=run_worker, answers={GONE: refusal})
    assert "(SMTP 550) for address " in caplog.text and GONE not in caplog.text
    assert deferred_tasks.count() == 0


@pytest.mark.parametrize(
    "failure",
    [
        smtplib.SMTPRecipientsRefused({BUSY: (450, b"4.2.1 Mailbox busy")}),
        smtplib.SMTPDataError(451, b"4.3.0 Try again later"),
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        TimeoutError("timed out"),
        ConnectionRefusedError("smtp down"),
    ],
)
def test_a_temporary_failure_is_tried_again_later(run_worker, deferred_tasks, caplog, failure):
    send(BUSY, FINE, run_worker=run_worker, answers={BUSY: failure})
    assert [m.to for m in mail.outbox] == [[FINE]]
    assert "plan-approved: 1 recipient(s) will be tried again (attempt 1)" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert deferred_tasks.count() == 1

    deferred_tasks.make_due()  # the server has recovered
    run_worker("mail")
    assert [m.to for m in mail.outbox] == [[FINE], [BUSY]]
