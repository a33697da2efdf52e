"""What we hold about a person (for download) and erasing it."""

from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.needs.models import Need
from app.pairings.models import Pairing
from app.partners.models import Organisation
from app.privacy.models import ConsentRecord
from app.proposals.models import Proposal
from app.vocab.models import Skill
from app.volunteers.models import Volunteer, VolunteerLanguage, VolunteerSkill, VolunteerSlot

# Never part of an export: secrets that would let someone take over the account, and who of the
# staff decided (another person's data).
LEFT_OUT = {"password_hash", "session_token", "response_token", "decided_by_id"}


def _plain(row: Any) -> dict[str, Any]:
    return {k: v for k, v in row.model_dump(mode="json").items() if k not in LEFT_OUT}


def export_user_data(*, session: Session, user: User) -> dict[str, Any]:
    """Everything stored about this user, as JSON-ready data."""
    data: dict[str, Any] = {
        "account": _plain(user),
        "consents": [
            _plain(c) for c in session.exec(select(ConsentRecord).where(ConsentRecord.user_id == user.id))
        ],
    }
    volunteer = session.exec(select(Volunteer).where(Volunteer.user_id == user.id)).first()
    if volunteer is not None:
        vid = volunteer.id
        skills = session.exec(
            select(Skill.key)
            .join(VolunteerSkill, col(VolunteerSkill.skill_id) == col(Skill.id))
            .where(VolunteerSkill.volunteer_id == vid)
        ).all()

        # Other people's data stays out: of a need, only its title and organisation.
        def need_summary(need_id: int) -> dict[str, Any]:
            need = session.get(Need, need_id)
            organisation = session.get(Organisation, need.organisation_id) if need else None
            return {
                "need_title": need.title if need else "",
                "organisation": organisation.name if organisation else "",
            }

        data["volunteer"] = {
            **_plain(volunteer),
            "languages": [
                _plain(r)
                for r in session.exec(select(VolunteerLanguage).where(VolunteerLanguage.volunteer_id == vid))
            ],
            "skills": list(skills),
            "availability": [
                _plain(r)
                for r in session.exec(select(VolunteerSlot).where(VolunteerSlot.volunteer_id == vid))
            ],
        }
        data["proposals"] = [
            {**_plain(p), **need_summary(p.need_id)}
            for p in session.exec(select(Proposal).where(Proposal.volunteer_id == vid))
        ]
        data["pairings"] = [
            {**_plain(p), **need_summary(p.need_id)}
            for p in session.exec(select(Pairing).where(Pairing.volunteer_id == vid))
        ]
    return data


def erase_user(*, session: Session, user: User) -> None:
    """Deletes the account; foreign keys cascade to profile, consents, proposals and pairings."""
    # Only the user row: the database's ON DELETE CASCADE removes the rest in the same statement.
    session.delete(user)
    session.commit()
