"""The volunteer's answer to an offer, the steps of a pairing's lifecycle, and the answer to a check-in."""

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, ValidationError

from app.base import CITY_TIME_ZONE, utcnow
from app.fields import DateField
from app.labels import CHECK_IN_RATING
from app.pairings.check_ins import COMMENT_MAX
from app.pairings.models import CheckInRating, Pairing
from app.pairings.services import ANSWERS, LIFECYCLE_ACTIONS

REASON_MAX = 1000
PLACE_MAX = 200

# The usual reasons for ending early, offered as a choice so that reports can count them; "other" and
# every choice can be explained in the text field.
END_REASONS = {
    "moved": _l("Moved away"),
    "no_time": _l("No time any more"),
    "not_a_fit": _l("It did not fit"),
    "need_gone": _l("The need no longer exists"),
    "health": _l("Illness or family reasons"),
    "no_contact": _l("No contact came about"),
    "other": _l("Other reason"),
}


class ResponseForm(FlaskForm):
    # Filled by the button pressed (name="answer"), so the form needs no extra choice.
    answer = SelectField(choices=list(ANSWERS), validators=[InputRequired()])
    reason = TextAreaField(
        _l("If you decline: may we ask why? (optional)"), validators=[Length(max=REASON_MAX)]
    )


class PairingUpdateForm(FlaskForm):
    action = SelectField(choices=list(LIFECYCLE_ACTIONS), validators=[InputRequired()])
    reason_kind = SelectField(
        _l("Why does it end early?"),
        choices=[SelectChoice("", "–"), *(SelectChoice(k, label) for k, label in END_REASONS.items())],
        default="",
    )
    reason = TextAreaField(_l("Reason for ending early"), validators=[Length(max=REASON_MAX)])
    next = HiddenField()

    def validate_reason(self, field: Any) -> None:
        if self.action.data != "end_early" or (field.data or "").strip():
            return
        if self.reason_kind.data in ("", "other"):
            raise ValidationError(_l("Please give a reason for ending the pairing early."))

    def full_reason(self) -> str:
        """The chosen reason's name (in the user's language) and the text, as the log keeps it."""
        text = (self.reason.data or "").strip()
        kind = self.reason_kind.data or ""
        label = str(END_REASONS[kind]) if kind in END_REASONS and kind != "other" else ""
        return f"{label}: {text}" if label and text else label or text


class MeetingForm(FlaskForm):
    """The first meeting, entered in the city's local time."""

    day = DateField(_l("Date"), validators=[InputRequired()])
    time = TimeField(_l("Time"), validators=[InputRequired()])
    place = StringField(_l("Place"), validators=[InputRequired(), Length(max=PLACE_MAX)])

    @classmethod
    def for_pairing(cls, pairing: Pairing) -> "MeetingForm":
        """Empty, or holding the meeting already arranged (to move it), in local time."""
        if pairing.first_meeting_at is None:
            return cls(prefix="meeting", formdata=None)
        local = pairing.first_meeting_at.astimezone(CITY_TIME_ZONE)
        return cls(
            prefix="meeting",
            formdata=None,
            day=local.date(),
            time=local.time().replace(tzinfo=None),
            place=pairing.first_meeting_place,
        )

    def meeting_at(self) -> datetime:
        return datetime.combine(self.day.data, self.time.data, tzinfo=CITY_TIME_ZONE)

    def validate_time(self, field: Any) -> None:
        if self.day.data is not None and field.data is not None and self.meeting_at() <= utcnow():
            raise ValidationError(_l("Please choose a time in the future."))

    def validate_place(self, field: Any) -> None:
        if not (field.data or "").strip():
            raise ValidationError(_l("Please say where they meet."))


class CheckInForm(FlaskForm):
    rating = RadioField(
        _l("How is it going?"),
        choices=[SelectChoice(rating.value, label) for rating, label in CHECK_IN_RATING.items()],
        validators=[InputRequired(_l("Please choose an answer."))],
    )
    comment = TextAreaField(
        _l("Anything you would like to tell us? (optional)"), validators=[Length(max=COMMENT_MAX)]
    )

    def chosen_rating(self) -> CheckInRating:
        return CheckInRating(self.rating.data)
