"""Imports every feature's tables, so the metadata is complete for Alembic and the tests."""

from sqlmodel import SQLModel

from app import base  # noqa: F401  (naming convention first)
from app.accounts.models import ApiToken, User
from app.audit.models import DecisionEntry, PersonalDataView
from app.hours.models import HoursEntry
from app.matching_runs.models import MatchRun
from app.needs.models import Need, NeedLanguage, NeedSkill, NeedSlot
from app.offices.models import District, Office
from app.outbox.models import OutboxMessage
from app.pages.models import AccessibilityFeedback
from app.pairings.models import CheckIn, Pairing
from app.partners.models import Organisation
from app.privacy.models import ConsentRecord
from app.proposals.models import Proposal
from app.vocab.models import Language, Skill
from app.volunteers.models import Volunteer, VolunteerLanguage, VolunteerSkill, VolunteerSlot

metadata = SQLModel.metadata

__all__ = [
    "AccessibilityFeedback",
    "ApiToken",
    "CheckIn",
    "ConsentRecord",
    "DecisionEntry",
    "District",
    "HoursEntry",
    "Language",
    "MatchRun",
    "Need",
    "NeedLanguage",
    "NeedSkill",
    "NeedSlot",
    "Office",
    "Organisation",
    "OutboxMessage",
    "Pairing",
    "PersonalDataView",
    "Proposal",
    "Skill",
    "User",
    "Volunteer",
    "VolunteerLanguage",
    "VolunteerSkill",
    "VolunteerSlot",
    "metadata",
]
