"""A person's rights over their data: consent (give, withdraw), download, and erasure."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from pydantic_core import to_jsonable_python
from sqlalchemy import CursorResult, Update, func, update
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.base import utcnow
from app.outbox.services import request_volunteer_matching
from app.pages.models import AccessibilityFeedback
from app.privacy.consent import CONSENT_VERSION, DATA_PROCESSING
from app.privacy.export import personal_data
from app.privacy.models import ConsentRecord
from app.proposals.models import Proposal, ProposalStatus
from app.vocab.services import language_labels_by_code, skill_labels_by_key
from app.volunteers.models import Volunteer


@dataclass
class ConsentState:
    """A person's consent to being matched: the record in force (if any) and every record, newest first."""

    in_force: ConsentRecord | None
    records: Sequence[ConsentRecord]

    @property
    def latest(self) -> ConsentRecord | None:
        return self.records[0] if self.records else None


def consent_state(*, session: Session, user_id: int) -> ConsentState:
    records = session.exec(
        select(ConsentRecord)
        .where(ConsentRecord.user_id == user_id, ConsentRecord.purpose == DATA_PROCESSING)
        .order_by(col(ConsentRecord.given_at).desc(), col(ConsentRecord.id).desc())
    ).all()
    in_force = next((r for r in records if r.withdrawn_at is None), None)
    return ConsentState(in_force=in_force, records=records)


def withdraw_consent(*, session: Session, user_id: int) -> int | None:
    """Withdraws the consent to being matched and, at once, the person's pending proposals; returns how
    many proposals were withdrawn, or None when there was no consent in force (nothing changes).

    From the commit on, the matcher no longer loads the volunteer (workers.convert).
    """
    _lock_account(session, user_id)
    now = utcnow()
    withdrawn = _updated_rows(
        session,
        update(ConsentRecord)
        .where(
            col(ConsentRecord.user_id) == user_id,
            col(ConsentRecord.purpose) == DATA_PROCESSING,
            col(ConsentRecord.withdrawn_at).is_(None),
        )
        .values(withdrawn_at=now),
    )
    if not withdrawn:
        session.rollback()
        return None
    volunteer = session.exec(select(Volunteer).where(Volunteer.user_id == user_id)).first()
    proposals = 0
    if volunteer is not None and volunteer.id is not None:
        # Only pending ones: those a coordinator has decided on are their record of the decision. The
        # statement's row locks order this after a decision taken at the same moment, or before it
        # (which then finds the proposal withdrawn).
        proposals = _updated_rows(
            session,
            update(Proposal)
            .where(col(Proposal.volunteer_id) == volunteer.id, col(Proposal.status) == ProposalStatus.PENDING)
            .values(status=ProposalStatus.WITHDRAWN, computed_at=now),
        )
        _changed_for_matching(session, volunteer)
    session.commit()
    return proposals


def give_consent(*, session: Session, user_id: int) -> bool:
    """Records consent to the current text, unless consent is in force already; True if it was recorded.

    The volunteer is matched again at once (their withdrawn proposals may come back as pending).
    """
    _lock_account(session, user_id)
    if consent_state(session=session, user_id=user_id).in_force is not None:
        session.rollback()
        return False
    session.add(ConsentRecord(user_id=user_id, purpose=DATA_PROCESSING, text_version=CONSENT_VERSION))
    volunteer = session.exec(select(Volunteer).where(Volunteer.user_id == user_id)).first()
    if volunteer is not None:
        _changed_for_matching(session, volunteer)
    session.commit()
    return True


def _updated_rows(session: Session, statement: Update) -> int:
    result = session.execute(statement)
    return int(cast(CursorResult[Any], result).rowcount)


def _lock_account(session: Session, user_id: int) -> None:
    """Serialises consent changes of one person (PostgreSQL): two clicks make one record, not two."""
    session.exec(select(User.id).where(User.id == user_id).with_for_update())


def _changed_for_matching(session: Session, volunteer: Volunteer) -> None:
    # A new updated_at makes every worker's warm matcher reload (or drop) the volunteer; the matching
    # request also undoes whatever a run that started before this commit stores after it.
    volunteer.updated_at = utcnow()
    session.add(volunteer)
    request_volunteer_matching(session=session, volunteer_id=volunteer.id or 0)


def export_user_data(*, session: Session, user: User) -> dict[str, Any]:
    """Everything stored about this user, as JSON-ready data."""
    data: dict[str, Any] = to_jsonable_python(personal_data(session=session, user=user))
    return data


@dataclass
class Readable:
    """The export as the readable page shows it: the data, and vocabulary labels in the reader's language."""

    data: dict[str, Any]
    skill_names: dict[str, str] = field(default_factory=dict)
    language_names: dict[str, str] = field(default_factory=dict)


def readable_data(*, session: Session, user: User, locale: str) -> Readable:
    return Readable(
        data=personal_data(session=session, user=user),
        skill_names=skill_labels_by_key(session=session, locale=locale),
        language_names=language_labels_by_code(session=session, locale=locale),
    )


def erase_user(*, session: Session, user: User) -> None:
    """Deletes the account; foreign keys cascade to profile, consents, proposals, pairings and the rest."""
    # Barrier reports are the office's work, not the person's: they stay, without the address.
    session.execute(
        update(AccessibilityFeedback)
        .where(func.lower(AccessibilityFeedback.email) == user.email.lower())
        .values(email="")
    )
    # Only the user row: the database's ON DELETE CASCADE removes the rest in the same statement.
    session.delete(user)
    session.commit()
