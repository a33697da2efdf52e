"""One form for posting and editing a need."""

from collections.abc import Sequence
from datetime import date, time
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import Session
from wtforms import (
    BooleanField,
    Form,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import FieldList, FormField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.fields import DateField
from app.i18n import weekday_name
from app.labels import TARGET_GROUP
from app.needs.models import Schedule, TargetGroup
from app.needs.services import SCALARS, NeedData
from app.offices.services import district_choices
from app.vocab.services import language_choices, skill_choices

SLOT_ROWS = 4
LANGUAGE_ROWS = 4
REQUIRED, WELCOME = "required", "welcome"
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]  # browsers send seconds when a step below a minute is set


class SlotRow(Form):
    weekday = SelectField(_l("Weekday"), validators=[Optional()])
    start = TimeField(_l("From"), format=TIME_FORMATS, validators=[Optional()])
    end = TimeField(_l("To"), format=TIME_FORMATS, validators=[Optional()])


class NeedLanguageRow(Form):
    language = SelectField(_l("Language"), validators=[Optional()])
    importance = SelectField(
        _l("How important?"),
        default=WELCOME,
        choices=[SelectChoice(WELCOME, _l("welcome")), SelectChoice(REQUIRED, _l("required"))],
    )


class NeedForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[InputRequired(_l("Please give the need a title.")), Length(max=160)],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    skill_ids = SelectMultipleField(_l("Wanted skills"), coerce=int)
    languages = FieldList(
        FormField(NeedLanguageRow), _l("Languages"), min_entries=LANGUAGE_ROWS, max_entries=LANGUAGE_ROWS
    )
    district_id = SelectField(_l("District"), coerce=int, validators=[InputRequired()])
    address = StringField(_l("Address (optional)"), validators=[Optional(), Length(max=200)])
    schedule = RadioField(
        _l("When is help needed?"),
        choices=[
            SelectChoice(Schedule.WEEKLY.value, _l("Every week")),
            SelectChoice(Schedule.ONE_OFF.value, _l("Once, on one date")),
        ],
        default=Schedule.WEEKLY.value,
    )
    slots = FieldList(FormField(SlotRow), _l("When"), min_entries=SLOT_ROWS, max_entries=SLOT_ROWS)
    one_off_date = DateField(_l("Date"), validators=[Optional()])
    one_off_start = TimeField(_l("From"), format=TIME_FORMATS, validators=[Optional()])
    one_off_end = TimeField(_l("To"), format=TIME_FORMATS, validators=[Optional()])
    start_date = DateField(_l("Starting on (optional)"), validators=[Optional()])
    end_date = DateField(_l("Ending on (optional)"), validators=[Optional()])
    places = IntegerField(
        _l("How many volunteers are wanted?"),
        default=1,
        validators=[
            InputRequired(_l("Please enter a number.")),
            NumberRange(1, 50, _l("Please choose between 1 and 50.")),
        ],
    )
    target_group = SelectField(
        _l("Target group"),
        choices=[SelectChoice(group.value, label) for group, label in TARGET_GROUP.items()],
        default=TargetGroup.EVERYONE.value,
    )
    requires_certificate = BooleanField(_l("Requires an extended certificate of conduct (Führungszeugnis)"))
    min_age = IntegerField(
        _l("Minimum age (optional)"),
        validators=[Optional(), NumberRange(16, 99, _l("Please choose between 16 and 99."))],
    )

    def set_choices(
        self,
        districts: list[tuple[int, str]],
        languages: list[tuple[str, str]],
        skills: list[tuple[int, str]],
        weekdays: list[tuple[str, str]],
    ) -> None:
        self.district_id.choices = _choices(districts)
        self.skill_ids.choices = _choices(skills)
        for row in self.languages:
            row.form.language.choices = _choices([("", "–"), *languages])
        for slot in self.slots:
            slot.form.weekday.choices = _choices([("", "–"), *weekdays])

    def _one_off(self) -> bool:
        return bool(self.schedule.data == Schedule.ONE_OFF)

    def validate_slots(self, field: FieldList) -> None:
        if self._one_off():
            return  # the weekly rows are ignored for a one-off need
        for number, row in enumerate(field, start=1):
            weekday, start, end = row.form.weekday.data, row.form.start.data, row.form.end.data
            if (weekday or start or end) and not (weekday and start and end):
                raise ValidationError(
                    _l("Time %(n)d: please give the weekday and both times, or leave it empty.", n=number)
                )
            if start and end and end <= start:
                raise ValidationError(_l("Time %(n)d: the end must be after the start.", n=number))

    def validate_languages(self, field: FieldList) -> None:
        chosen = [row.form.language.data for row in field if row.form.language.data]
        if len(chosen) != len(set(chosen)):
            raise ValidationError(_l("Please name each language only once."))

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end cannot be before the start."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Row errors come as one dict per row; flat messages read well in the summary and the fieldset.
        for rows in (self.languages, self.slots):
            rows.errors = _flat_messages(rows.errors)
        return self._check_one_off() and valid

    def _check_one_off(self) -> bool:
        # Here rather than as inline validators: Optional() would stop those on an empty field.
        if not self._one_off():
            return True
        day, start, end = self.one_off_date.data, self.one_off_start.data, self.one_off_end.data
        if day is None and not self.one_off_date.errors:
            self.one_off_date.errors.append(_l("Please enter the date."))
        elif day is not None and day < date.today():
            self.one_off_date.errors.append(_l("The date cannot be in the past."))
        if (start is None or end is None) and not self.one_off_end.errors:
            self.one_off_end.errors.append(_l("Please enter when it starts and ends."))
        elif start is not None and end is not None and end <= start:
            self.one_off_end.errors.append(_l("The end must be after the start."))
        return not (self.one_off_date.errors or self.one_off_end.errors)

    def to_data(self) -> NeedData:
        one_off = self._one_off()
        if one_off:
            day = self.one_off_date.data
            assert day is not None
            slots = [(day.weekday(), _minutes(self.one_off_start.data), _minutes(self.one_off_end.data))]
        else:
            slots = [
                (int(r.form.weekday.data), _minutes(r.form.start.data), _minutes(r.form.end.data))
                for r in self.slots
                if r.form.weekday.data and r.form.start.data and r.form.end.data
            ]
        return NeedData(
            title=(self.title.data or "").strip(),
            description=(self.description.data or "").strip(),
            skill_ids=list(self.skill_ids.data or []),
            languages={
                r.form.language.data: r.form.importance.data == REQUIRED
                for r in self.languages
                if r.form.language.data
            },
            district_id=self.district_id.data,
            address=(self.address.data or "").strip(),
            schedule=Schedule(self.schedule.data),
            one_off_date=self.one_off_date.data if one_off else None,
            slots=sorted(set(slots)),
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            places=self.places.data or 1,
            target_group=self.target_group.data,
            requires_certificate=bool(self.requires_certificate.data),
            min_age=self.min_age.data,
        )


def with_choices(form: NeedForm, *, session: Session, locale: str) -> NeedForm:
    """The form with its districts, languages, skills and weekdays to choose from (pages and API)."""
    form.set_choices(
        district_choices(session=session),
        language_choices(session=session, locale=locale),
        skill_choices(session=session, locale=locale),
        [(str(day), weekday_name(day)) for day in range(7)],
    )
    return form


def form_data(data: NeedData) -> dict[str, Any]:
    """NeedData as the form's `data`, for pre-filling the edit form."""
    one_off = data.schedule == Schedule.ONE_OFF and bool(data.slots)
    weekly = (
        [] if one_off else [{"weekday": str(d), "start": _time(s), "end": _time(e)} for d, s, e in data.slots]
    )
    languages = [
        {"language": code, "importance": REQUIRED if req else WELCOME} for code, req in data.languages.items()
    ]
    return {
        **{name: getattr(data, name) for name in SCALARS},
        "schedule": str(data.schedule),
        "skill_ids": data.skill_ids,
        "languages": (languages + [{}] * LANGUAGE_ROWS)[:LANGUAGE_ROWS],
        "slots": (weekly + [{}] * SLOT_ROWS)[:SLOT_ROWS],
        "one_off_start": _time(data.slots[0][1]) if one_off else None,
        "one_off_end": _time(data.slots[0][2]) if one_off else None,
    }


def _choices(pairs: Sequence[tuple[Any, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _flat_messages(errors: Any) -> list[str]:
    messages: list[str] = []
    for item in errors:
        nested = item.values() if isinstance(item, dict) else [[item]]
        for group in nested:
            messages.extend(str(message) for message in group if str(message) not in messages)
    return messages


def _minutes(value: time | None) -> int:
    assert value is not None
    return value.hour * 60 + value.minute


def _time(minutes: int) -> time:
    # 24:00 is a valid end of day in a slot but not a time of day
    return time(23, 59) if minutes >= 24 * 60 else time(minutes // 60, minutes % 60)
