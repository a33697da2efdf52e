"""The consent text people agree to; bump the version whenever the text in the template changes."""

from typing import Any

from sqlalchemy import ColumnElement, exists
from sqlmodel import col

from app.privacy.models import ConsentRecord

DATA_PROCESSING = "data_processing"
CONSENT_VERSION = "2026-11-01"


def consent_in_force(user_id: Any) -> ColumnElement[bool]:
    """SQL condition: the account `user_id` (a column) has agreed to being matched and not withdrawn it."""
    return exists().where(
        col(ConsentRecord.user_id) == user_id,
        col(ConsentRecord.purpose) == DATA_PROCESSING,
        col(ConsentRecord.withdrawn_at).is_(None),
    )
