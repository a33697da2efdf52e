"""What we hold about a person, from every table that links to them: for the download and the readable
page. Reads only; tests/app/test_privacy_rights.py checks EXPORTED_LINKS against the metadata."""

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from app.accounts.models import ApiToken, User
from app.audit.models import DecisionEntry, PersonalDataView
from app.hours.models import HoursEntry
from app.needs.models import Need
from app.offices.models import District, Office
from app.pages.models import AccessibilityFeedback
from app.pairings.models import CheckIn, Pairing
from app.partners.models import Organisation
from app.privacy.models import ConsentRecord
from app.proposals.models import Proposal
from app.vocab.models import Skill
from app.volunteers.models import Volunteer, VolunteerLanguage, VolunteerSkill, VolunteerSlot

# Every foreign key that ties rows to a person (to their account, or to a row that goes with the
# account), and the part of the export that shows those rows ("a.b": the list b inside a).
EXPORTED_LINKS = {
    "volunteer.user_id": "volunteer",
    "consent_record.user_id": "consents",
    "api_token.user_id": "api_tokens",
    "need.created_by_id": "needs_created",
    "proposal.decided_by_id": "decisions",
    "personal_data_view.viewer_id": "data_views",
    "volunteer_language.volunteer_id": "volunteer.languages",
    "volunteer_skill.volunteer_id": "volunteer.skills",
    "volunteer_slot.volunteer_id": "volunteer.availability",
    "proposal.volunteer_id": "proposals",
    "pairing.volunteer_id": "pairings",
    "pairing.proposal_id": "pairings",
    "personal_data_view.volunteer_id": "access_log",
    "decision_entry.actor_id": "decisions_logged",
    "decision_entry.volunteer_id": "decision_log",
    "decision_entry.proposal_id": "decision_log",
    "decision_entry.pairing_id": "decision_log",
    "check_in.pairing_id": "check_ins",
    "hours_entry.volunteer_id": "hours",
    "hours_entry.pairing_id": "hours",
    "hours_entry.reviewed_by_id": "hours_reviewed",
}

# Never part of an export: secrets that would let someone take over the account, answer an offer or a
# check-in, or read the calendar feed; who of the staff decided (another person's data); the embedding,
# a vector of numbers computed from `about` (exported as written) that says nothing more.
LEFT_OUT = {
    "password_hash",
    "session_token",
    "response_token",
    "token",
    "calendar_token",
    "decided_by_id",
    "reviewed_by_id",
    "embedding",
    "embedding_key",
}


def _plain(row: SQLModel) -> dict[str, Any]:
    return row.model_dump(exclude=LEFT_OUT)


def _name(session: Session, model: type[Office | Organisation | District], key: int | None) -> str:
    found = session.get(model, key) if key is not None else None
    return str(getattr(found, "name", ""))


def personal_data(*, session: Session, user: User) -> dict[str, Any]:
    """Everything stored about this user, as Python values (dates as dates), grouped by subject."""
    uid = user.id
    data: dict[str, Any] = {
        "account": {
            **_plain(user),
            "office": _name(session, Office, user.office_id),
            "organisation": _name(session, Organisation, user.organisation_id),
        },
        "consents": [
            _plain(c)
            for c in session.exec(
                select(ConsentRecord).where(ConsentRecord.user_id == uid).order_by(col(ConsentRecord.id))
            )
        ],
        "api_tokens": [
            {
                "id": t.id,
                "name": t.name,
                "scopes": t.scopes.split(),
                "created_at": t.created_at,
                "expires_at": t.expires_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
            }
            for t in session.exec(select(ApiToken).where(ApiToken.user_id == uid).order_by(col(ApiToken.id)))
        ],
        "needs_created": [
            {
                "id": n.id,
                "title": n.title,
                "organisation": _name(session, Organisation, n.organisation_id),
                "status": n.status,
                "created_at": n.created_at,
            }
            for n in session.exec(select(Need).where(Need.created_by_id == uid).order_by(col(Need.id)))
        ],
        # A coordinator's decisions: when and how, not about whom (the volunteer is another person).
        "decisions": [
            {
                "proposal_id": p.id,
                **_need_summary(session, p.need_id),
                "status": p.status,
                "decided_at": p.decided_at,
            }
            for p in session.exec(
                select(Proposal).where(Proposal.decided_by_id == uid).order_by(col(Proposal.decided_at))
            )
        ],
        # Decisions in the audit log and hours confirmed or rejected: what and when, not about whom.
        "decisions_logged": [
            {"decided_at": d.decided_at, "action": d.action, **_need_summary(session, d.need_id)}
            for d in session.exec(
                select(DecisionEntry).where(DecisionEntry.actor_id == uid).order_by(col(DecisionEntry.id))
            )
        ],
        "hours_reviewed": [
            {"reviewed_at": h.reviewed_at, "status": h.status}
            for h in session.exec(
                select(HoursEntry).where(HoursEntry.reviewed_by_id == uid).order_by(col(HoursEntry.id))
            )
        ],
        "data_views": [
            {"viewed_at": v.viewed_at, "source": v.source}
            for v in session.exec(
                select(PersonalDataView)
                .where(PersonalDataView.viewer_id == uid)
                .order_by(col(PersonalDataView.viewed_at))
            )
        ],
        # Reported through the accessibility statement with this address (no account needed there).
        "barrier_reports": [
            {"created_at": f.created_at, "page": f.page, "message": f.message}
            for f in session.exec(
                select(AccessibilityFeedback)
                .where(func.lower(AccessibilityFeedback.email) == user.email.lower())
                .order_by(col(AccessibilityFeedback.created_at))
            )
        ],
    }
    volunteer = session.exec(select(Volunteer).where(Volunteer.user_id == uid)).first()
    if volunteer is not None:
        data.update(_volunteer_data(session, volunteer))
    return data


def _volunteer_data(session: Session, volunteer: Volunteer) -> dict[str, Any]:
    vid = volunteer.id
    skills = session.exec(
        select(Skill.key)
        .join(VolunteerSkill, col(VolunteerSkill.skill_id) == col(Skill.id))
        .where(VolunteerSkill.volunteer_id == vid)
        .order_by(col(Skill.key))
    ).all()
    languages = session.exec(
        select(VolunteerLanguage)
        .where(VolunteerLanguage.volunteer_id == vid)
        .order_by(col(VolunteerLanguage.language_code))
    )
    slots = session.exec(
        select(VolunteerSlot)
        .where(VolunteerSlot.volunteer_id == vid)
        .order_by(col(VolunteerSlot.weekday), col(VolunteerSlot.start_minute))
    )
    views = session.exec(
        select(PersonalDataView, User)
        .join(User, col(User.id) == col(PersonalDataView.viewer_id), isouter=True)
        .where(PersonalDataView.volunteer_id == vid)
        .order_by(col(PersonalDataView.viewed_at))
    )
    decisions = session.exec(
        select(DecisionEntry, User)
        .join(User, col(User.id) == col(DecisionEntry.actor_id), isouter=True)
        .where(DecisionEntry.volunteer_id == vid)
        .order_by(col(DecisionEntry.id))
    )
    check_ins = session.exec(
        select(CheckIn, Pairing)
        .join(Pairing, col(Pairing.id) == col(CheckIn.pairing_id))
        .where(Pairing.volunteer_id == vid)
        .order_by(col(CheckIn.id))
    )
    return {
        "volunteer": {
            **_plain(volunteer),
            "calendar_feed": volunteer.calendar_token is not None,
            "district": _name(session, District, volunteer.district_id),
            "languages": [_plain(r) for r in languages],
            "skills": list(skills),
            "availability": [_plain(r) for r in slots],
        },
        "proposals": [
            {**_plain(p), **_need_summary(session, p.need_id)}
            for p in session.exec(
                select(Proposal).where(Proposal.volunteer_id == vid).order_by(col(Proposal.id))
            )
        ],
        "pairings": [
            {**_plain(p), **_need_summary(session, p.need_id)}
            for p in session.exec(
                select(Pairing).where(Pairing.volunteer_id == vid).order_by(col(Pairing.id))
            )
        ],
        # Who saw the profile: the office or organisation and the page, not the staff member's name.
        "access_log": [
            {
                "viewed_at": view.viewed_at,
                "source": view.source,
                "viewer_role": viewer.role if viewer else "",
                "viewer_organisation": _viewer_organisation(session, viewer),
            }
            for view, viewer in views
        ],
        # Decisions about me: by whom only as the office or organisation, as in the access log.
        "decision_log": [
            {
                "decided_at": entry.decided_at,
                "action": entry.action,
                "reason": entry.reason,
                "by_me": actor is not None and actor.id == volunteer.user_id,
                "actor_organisation": _viewer_organisation(session, actor),
                **_need_summary(session, entry.need_id),
            }
            for entry, actor in decisions
        ],
        "check_ins": [
            {**_plain(check_in), **_need_summary(session, pairing.need_id)} for check_in, pairing in check_ins
        ],
        "hours": [
            {**_plain(h), **_need_summary(session, _pairing_need(session, h.pairing_id))}
            for h in session.exec(
                select(HoursEntry).where(HoursEntry.volunteer_id == vid).order_by(col(HoursEntry.worked_on))
            )
        ],
    }


def _pairing_need(session: Session, pairing_id: int) -> int | None:
    pairing = session.get(Pairing, pairing_id)
    return pairing.need_id if pairing else None


def _viewer_organisation(session: Session, viewer: User | None) -> str:
    if viewer is None:
        return ""
    return _name(session, Office, viewer.office_id) or _name(session, Organisation, viewer.organisation_id)


def _need_summary(session: Session, need_id: int | None) -> dict[str, Any]:
    """Of a need, only its title and organisation: other people's data stays out."""
    need = session.get(Need, need_id) if need_id is not None else None
    return {
        "need_title": need.title if need else "",
        "organisation": _name(session, Organisation, need.organisation_id) if need else "",
    }
