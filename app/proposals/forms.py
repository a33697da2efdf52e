"""The review queue's forms: filtering, one decision, and a decision on several proposals at once."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.proposals.services import Decision

REASON_MAX = 1000


class QueueFilterForm(FlaskForm):
    """GET parameters of the queue; no CSRF, it changes nothing."""

    class Meta:
        csrf = False

    district = SelectField(_l("District"), coerce=int, default=0)
    min_score = IntegerField(_l("Minimum score (%)"), validators=[Optional(), NumberRange(min=0, max=100)])

    def set_districts(self, choices: list[tuple[int, str]]) -> None:
        options = [SelectChoice(0, _l("All my districts"))]
        self.district.choices = options + [SelectChoice(i, name) for i, name in choices]


class DecisionForm(FlaskForm):
    decision = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice(Decision.APPROVE.value, _l("Approve")),
            SelectChoice(Decision.REJECT.value, _l("Reject")),
        ],
        validators=[InputRequired()],
    )
    reason = TextAreaField(_l("Reason"), validators=[Length(max=REASON_MAX)])

    def validate_reason(self, field: Any) -> None:
        if self.decision.data == Decision.REJECT and not (field.data or "").strip():
            raise ValidationError(_l("Please give a reason for rejecting."))


class BulkDecisionForm(DecisionForm):
    # The queue decides which ids are offered; the service checks scope and state of each one.
    proposal_ids = SelectMultipleField(
        _l("Proposals"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Please select at least one proposal."))],
    )
