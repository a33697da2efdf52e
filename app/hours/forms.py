"""Logging hours, and confirming or rejecting them."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from app.base import row_id
from app.fields import DateField
from app.hours.services import MAX_MINUTES_PER_DAY, HoursInput, PairingChoice, Rule

NOTE_MAX = 500
REASON_MAX = 1000

RULE_MESSAGES = {
    Rule.NOT_LOGGABLE: _l("Please choose one of your current pairings."),
    Rule.IN_FUTURE: _l("The date cannot be in the future."),
    Rule.BEFORE_PAIRING: _l("The date cannot be before the pairing began."),
    Rule.AFTER_END: _l("The date cannot be after the pairing ended."),
    Rule.DURATION: _l(
        "Please enter more than 0 and at most %(hours)d hours.", hours=MAX_MINUTES_PER_DAY // 60
    ),
    Rule.DAY_LIMIT: _l(
        "At most %(hours)d hours can be logged for one day, all pairings together.",
        hours=MAX_MINUTES_PER_DAY // 60,
    ),
}


class HoursForm(FlaskForm):
    pairing_id = SelectField(
        _l("Pairing"), coerce=int, validators=[InputRequired(_l("Please choose the pairing."))]
    )
    worked_on = DateField(_l("Date"), validators=[InputRequired(_l("Please enter the date."))])
    hours = IntegerField(
        _l("Hours"), default=0, validators=[Optional(), NumberRange(min=0, max=MAX_MINUTES_PER_DAY // 60)]
    )
    minutes = IntegerField(_l("Minutes"), default=0, validators=[Optional(), NumberRange(min=0, max=59)])
    note = TextAreaField(_l("Note (optional)"), validators=[Length(max=NOTE_MAX)])

    def set_pairings(self, choices: list[PairingChoice]) -> None:
        self.pairing_id.choices = [
            SelectChoice(c.pairing.id, f"{c.need_title} – {c.organisation}") for c in choices
        ]

    def total_minutes(self) -> int:
        return (self.hours.data or 0) * 60 + (self.minutes.data or 0)

    def validate_hours(self, field: IntegerField) -> None:
        if not field.errors and not 0 < self.total_minutes() <= MAX_MINUTES_PER_DAY:
            raise ValidationError(RULE_MESSAGES[Rule.DURATION])

    def to_input(self) -> HoursInput:
        return HoursInput(
            pairing_id=self.pairing_id.data,
            worked_on=self.worked_on.data,
            minutes=self.total_minutes(),
            note=self.note.data or "",
        )


class ReviewForm(FlaskForm):
    """One entry (a row's own form) or several (the checkboxes joined to the bulk form)."""

    entry_ids = SelectMultipleField(
        _l("Entries"),
        coerce=row_id,  # an id beyond the database's integers is refused here, not by the database
        validate_choice=False,  # the service checks scope and state of each one
        validators=[InputRequired(_l("Please select at least one entry."))],
    )
    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice("confirm", _l("Confirm")), SelectChoice("reject", _l("Reject"))],
        validators=[InputRequired()],
    )
    reason = TextAreaField(_l("Reason"), validators=[Length(max=REASON_MAX)])
    # Set by a row's form: its error is shown at that row.
    row = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def validate_reason(self, field: Any) -> None:
        if self.decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError(_l("Please give a reason for rejecting."))
