"""Feedback on barriers: stored first, so nothing is lost if the mail to the office cannot go out."""

from sqlmodel import Session, col, select

from app.offices.models import Office
from app.pages.models import AccessibilityFeedback


def record_feedback(
    *, session: Session, page: str, message: str, email: str, locale: str
) -> AccessibilityFeedback:
    feedback = AccessibilityFeedback(
        page=page.strip(), message=message.strip(), email=email.strip(), locale=locale
    )
    session.add(feedback)
    session.commit()
    return feedback


def feedback_address(*, session: Session) -> str | None:
    """Where reports go: the Integrationsbüro (the central office), which answers for the website."""
    office = session.exec(select(Office).where(col(Office.is_central)).order_by(col(Office.id))).first()
    return office.email if office is not None and office.email else None


def recent_feedback(*, session: Session, limit: int = 100) -> list[AccessibilityFeedback]:
    query = select(AccessibilityFeedback).order_by(col(AccessibilityFeedback.created_at).desc()).limit(limit)
    return list(session.exec(query))
