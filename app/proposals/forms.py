"""The review queue's forms: filtering, one decision, and a decision on several proposals at once."""

from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from app.base import MAX_ID, row_id
from app.proposals.services import Decision

REASON_MAX = 1000
PAGE_MAX = 100_000

# How long ago a proposal was computed: (earliest, latest) as an offset from now; None is open.
AGES: dict[str, tuple[timedelta | None, timedelta | None]] = {
    "new": (timedelta(hours=24), None),
    "week": (None, timedelta(days=7)),
    "month": (None, timedelta(days=30)),
}

COMMON_REASONS = {
    "too_far": _l("Too far away"),
    "languages": _l("Languages do not fit"),
    "times": _l("Times do not fit"),
    "covered": _l("Need already covered"),
    "other": _l("Other (please explain)"),
}


class QueueFilterForm(FlaskForm):
    """GET parameters of the queue; no CSRF, it changes nothing."""

    class Meta:
        csrf = False

    district = SelectField(_l("District"), coerce=int, default=0)
    need_title = StringField(_l("Need title contains"), validators=[Optional(), Length(max=160)])
    language = SelectField(_l("Volunteer speaks"), default="")
    age = SelectField(
        _l("Waiting"),
        default="",
        choices=[
            SelectChoice("", _l("any time")),
            SelectChoice("new", _l("new in the last 24 hours")),
            SelectChoice("week", _l("more than 7 days")),
            SelectChoice("month", _l("more than 30 days")),
        ],
    )
    min_score = IntegerField(_l("Minimum score (%)"), validators=[Optional(), NumberRange(min=0, max=100)])
    # Set by links (a need's or a pairing's "find a new match", the pager, "select all"), not typed in:
    # hidden, so an error summary names them instead of linking to a field that is not on the page.
    need = IntegerField(_l("Need"), widget=HiddenInput(), validators=[Optional(), NumberRange(1, MAX_ID)])
    volunteer = IntegerField(
        _l("Volunteer"), widget=HiddenInput(), validators=[Optional(), NumberRange(1, MAX_ID)]
    )
    page = IntegerField(_l("Page"), widget=HiddenInput(), validators=[Optional(), NumberRange(1, PAGE_MAX)])
    select = StringField(_l("Selection"), widget=HiddenInput(), validators=[Optional(), AnyOf(["all"])])

    def set_choices(self, districts: list[tuple[int, str]], languages: list[tuple[str, str]]) -> None:
        self.district.choices = [SelectChoice(0, _l("All my districts"))] + [
            SelectChoice(i, name) for i, name in districts
        ]
        self.language.choices = [SelectChoice("", _l("any language"))] + [
            SelectChoice(code, name) for code, name in languages
        ]

    def computed_between(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        """(after, before) bounds of Proposal.computed_at for the chosen age."""
        earliest, latest = AGES.get(self.age.data or "", (None, None))
        return (now - earliest if earliest else None, now - latest if latest else None)


class DecisionForm(FlaskForm):
    """One decision, on one proposal or (BulkDecisionForm) on several: a common reason and/or own words."""

    decision = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice(Decision.APPROVE.value, _l("Approve")),
            SelectChoice(Decision.REJECT.value, _l("Reject")),
        ],
        validators=[InputRequired()],
    )
    reason_choice = SelectField(
        _l("Common reason"),
        default="",
        choices=[SelectChoice("", _l("none chosen"))]
        + [SelectChoice(key, label) for key, label in COMMON_REASONS.items()],
    )
    reason = TextAreaField(_l("Reason in your own words"), validators=[Length(max=REASON_MAX)])
    # The proposal after this one on the page, where the queue returns to (its filters are in the URL).
    next_id = IntegerField(
        _l("Next proposal"), widget=HiddenInput(), validators=[Optional(), NumberRange(1, MAX_ID)]
    )

    def validate_reason(self, field: Any) -> None:
        own_words = (field.data or "").strip()
        if self.reason_choice.data == "other" and not own_words:
            raise ValidationError(_l("Please explain the other reason."))
        if self.decision.data == Decision.REJECT and not (self.reason_choice.data or own_words):
            raise ValidationError(_l("Please give a reason for rejecting."))

    def reason_text(self) -> str:
        """The reason as recorded: the common reason's label (in the coordinator's language), then theirs."""
        own_words = (self.reason.data or "").strip()
        choice = self.reason_choice.data
        if not choice or choice == "other":
            return own_words
        label = str(COMMON_REASONS[choice])
        return f"{label}: {own_words}" if own_words else label


class BulkDecisionForm(DecisionForm):
    # The queue decides which ids are offered; the service checks scope and state of each one.
    proposal_ids = SelectMultipleField(
        _l("Proposals"),
        coerce=row_id,  # an id beyond the database's integers is refused here, not by the database
        validate_choice=False,
        validators=[InputRequired(_l("Please select at least one proposal."))],
    )
