"""The volunteer's answer to an offer, and a step in a pairing's lifecycle."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from app.pairings.services import ANSWERS, LIFECYCLE_ACTIONS

REASON_MAX = 1000


class ResponseForm(FlaskForm):
    # Filled by the button pressed (name="answer"), so the form needs no extra choice.
    answer = SelectField(choices=list(ANSWERS), validators=[InputRequired()])
    reason = TextAreaField(
        _l("If you decline: may we ask why? (optional)"), validators=[Length(max=REASON_MAX)]
    )


class PairingUpdateForm(FlaskForm):
    action = SelectField(choices=list(LIFECYCLE_ACTIONS), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason for ending early"), validators=[Length(max=REASON_MAX)])
    next = HiddenField()

    def validate_reason(self, field: Any) -> None:
        if self.action.data == "end_early" and not (field.data or "").strip():
            raise ValidationError(_l("Please give a reason for ending the pairing early."))
