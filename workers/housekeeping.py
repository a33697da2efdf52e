"""Daily housekeeping tasks: thin, like the matching tasks (load, call the app's service, store, mail)."""

import logging
from datetime import date, datetime

from celery import shared_task

from app.base import utcnow
from app.extensions import db
from app.pairings.check_ins import mark_sent, prepare_check_ins
from app.pairings.mails import send_check_in
from app.privacy.mails import send_retention_warning
from app.privacy.retention import run_retention
from app.volunteers.certificates import due_reminders, mark_reminded
from app.volunteers.mails import send_certificate_reminder

log = logging.getLogger(__name__)


@shared_task(name="privacy.retention", acks_late=True)
def retention(now: str | None = None) -> dict[str, int]:
    """Warns and deletes inactive volunteer accounts. `now` (ISO 8601) runs it for another day: the
    clock of the tests, and of anyone replaying a missed run."""
    today = datetime.fromisoformat(now) if now else utcnow()
    with db.new_session() as session:
        run = run_retention(session=session, now=today)
        # Mailed after the commit: a failed mail leaves the warning date, and the deletion waits for it
        # all the same; the log says whom to contact.
        unsent = [user.email for user in run.warned if not send_retention_warning(user, today)]
    if unsent:
        log.warning("retention warnings not sent to %s", ", ".join(unsent))
    return {"warned": len(run.warned), "erased": run.erased, "unsent": len(unsent)}


@shared_task(name="volunteers.certificate_reminders", acks_late=True)
def certificate_reminders(today: str | None = None) -> dict[str, int]:
    """Reminds volunteers whose certificate of conduct stops counting soon. `today` (ISO date) as above.
    Only the reminders that went out are marked, so a failed mail is tried again the next day."""
    day = date.fromisoformat(today) if today else utcnow().date()
    with db.new_session() as session:
        due = due_reminders(session=session, today=day)
        sent = [reminder for reminder in due if send_certificate_reminder(reminder)]
        mark_reminded(session=session, reminders=sent)
    return {"due": len(due), "sent": len(sent)}


@shared_task(name="pairings.check_ins", acks_late=True)
def check_ins(today: str | None = None) -> dict[str, int]:
    """Asks both sides of active pairings how it goes, 4 and 12 weeks after the start. `today` (ISO date)
    as above. Only the check-ins whose mail went out are marked sent; the others go again the next day."""
    day = date.fromisoformat(today) if today else utcnow().date()
    with db.new_session() as session:
        due = prepare_check_ins(session=session, today=day)
        sent = [check_in for check_in in due if send_check_in(session, check_in)]
        mark_sent(session=session, check_ins=sent)
    return {"due": len(due), "sent": len(sent)}
