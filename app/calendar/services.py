"""The secret address of a volunteer's calendar feed: switched on, renewed, switched off."""

import secrets

from sqlmodel import Session, select

from app.volunteers.models import Volunteer


def set_feed(*, session: Session, volunteer: Volunteer, enabled: bool) -> Volunteer:
    """A new secret token (the old address stops working at once), or none: the feed is off."""
    volunteer.calendar_token = secrets.token_urlsafe(32) if enabled else None
    session.add(volunteer)
    session.commit()
    return volunteer


def volunteer_by_token(*, session: Session, token: str) -> Volunteer | None:
    if not token:
        return None
    return session.exec(select(Volunteer).where(Volunteer.calendar_token == token)).first()
