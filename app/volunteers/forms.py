from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import FieldList, FormField
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from app.accounts.forms import email_field, new_password_fields
from app.fields import DateField
from app.volunteers.models import LanguageLevel
from app.volunteers.profile import DAY_PARTS, RADIUS_CHOICES, ProfileData, Registration, cells_to_slots

LANGUAGE_ROWS = 5
MIN_AGE = 16
NO_CHOICE = SelectChoice("", "–")

LEVEL_LABELS = {
    LanguageLevel.A1: _l("A1 – beginner"),
    LanguageLevel.A2: _l("A2 – basic"),
    LanguageLevel.B1: _l("B1 – conversational"),
    LanguageLevel.B2: _l("B2 – good"),
    LanguageLevel.C1: _l("C1 – very good"),
    LanguageLevel.C2: _l("C2 – excellent"),
    LanguageLevel.NATIVE: _l("Mother tongue"),
}


def _choices(pairs: Sequence[tuple[Any, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _needed_with_certificate(form: Form, field: DateField) -> None:
    # Before Optional(), which would end the chain on an empty date.
    if form.has_certificate.data and not (field.raw_data and field.raw_data[0].strip()):
        raise StopValidation(_l("Please enter the date of issue of your certificate."))


class LanguageRow(Form):
    language = SelectField(_l("Language"), validators=[Optional()])
    level = SelectField(
        _l("Level"),
        choices=[NO_CHOICE, *(SelectChoice(level.value, label) for level, label in LEVEL_LABELS.items())],
        validators=[Optional()],
    )


class ProfileForm(FlaskForm):
    """The profile fields; sign-up adds account and consent fields on top."""

    first_name = StringField(
        _l("First name"), validators=[InputRequired(_l("Please enter your first name.")), Length(max=80)]
    )
    last_name = StringField(
        _l("Last name"), validators=[InputRequired(_l("Please enter your last name.")), Length(max=80)]
    )
    phone = StringField(
        _l("Phone (optional)"),
        validators=[
            Optional(),
            Regexp(r"^[0-9 +()/-]{5,40}$", message=_l("Please enter a valid phone number.")),
        ],
    )
    birth_date = DateField(_l("Date of birth (optional)"), validators=[Optional()])
    postcode = StringField(
        _l("Postcode (optional)"),
        validators=[Optional(), Regexp(r"^\d{5}$", message=_l("A postcode has five digits."))],
    )
    district_id = SelectField(
        _l("Home district"),
        coerce=int,
        validators=[InputRequired(_l("Please choose the district you live in."))],
    )
    travel_radius_km = SelectField(
        _l("How far will you travel?"),
        coerce=int,
        choices=[SelectChoice(km, _l("up to %(km)d km", km=km)) for km in RADIUS_CHOICES],
        default=5,
    )
    languages = FieldList(
        FormField(LanguageRow), _l("Languages"), min_entries=LANGUAGE_ROWS, max_entries=LANGUAGE_ROWS
    )
    skill_ids = SelectMultipleField(_l("Skills and interests"), coerce=int)
    about = TextAreaField(
        _l("What would you like to do? (in any language)"), validators=[Optional(), Length(max=2000)]
    )
    availability = SelectMultipleField(
        _l("When do you have time?"),
        choices=[SelectChoice(f"{d}-{p}") for d in range(7) for p in DAY_PARTS],
        validate_choice=True,
    )
    max_active_pairings = IntegerField(
        _l("How many engagements at the same time?"),
        default=2,
        validators=[
            InputRequired(_l("Please enter a number.")),
            NumberRange(1, 5, _l("Please choose between 1 and 5.")),
        ],
    )
    has_certificate = BooleanField(
        _l("I have an extended certificate of conduct (erweitertes Führungszeugnis)")
    )
    certificate_date = DateField(
        _l("Date of issue of the certificate"), validators=[_needed_with_certificate, Optional()]
    )

    def validate_birth_date(self, field: DateField) -> None:
        if field.data is None:
            return
        today = date.today()
        age = today.year - field.data.year - ((today.month, today.day) < (field.data.month, field.data.day))
        if field.data >= today:
            raise ValidationError(_l("The date of birth must be in the past."))
        if age < MIN_AGE:
            raise ValidationError(_l("You need to be at least %(age)d years old to volunteer.", age=MIN_AGE))

    def validate_certificate_date(self, field: DateField) -> None:
        if field.data is not None and field.data > date.today():
            raise ValidationError(_l("The date of issue cannot be in the future."))

    def validate_languages(self, field: FieldList) -> None:
        chosen = [row.form.language.data for row in field if row.form.language.data]
        if not chosen:
            raise ValidationError(_l("Please name at least one language you speak."))
        if len(chosen) != len(set(chosen)):
            raise ValidationError(_l("Each language only once, please."))
        for row in field:
            if row.form.language.data and not row.form.level.data:
                raise ValidationError(_l("Please choose a level for every language."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # A row's own errors come as dicts; shown above the rows, they must be plain messages.
        messages: list[str] = []
        for error in self.languages.errors:
            nested = error.values() if isinstance(error, dict) else [[error]]
            messages += [str(m) for group in nested for m in group if str(m) not in messages]
        self.languages.errors = messages
        return valid

    def set_choices(
        self,
        districts: list[tuple[int, str]],
        languages: list[tuple[str, str]],
        skills: list[tuple[int, str]],
    ) -> None:
        self.district_id.choices = _choices(districts)
        self.skill_ids.choices = _choices(skills)
        for row in self.languages:
            row.form.language.choices = [NO_CHOICE, *_choices(languages)]

    def to_data(self) -> ProfileData:
        return ProfileData(
            first_name=(self.first_name.data or "").strip(),
            last_name=(self.last_name.data or "").strip(),
            phone=(self.phone.data or "").strip(),
            birth_date=self.birth_date.data,
            postcode=(self.postcode.data or "").strip(),
            district_id=self.district_id.data,
            travel_radius_km=self.travel_radius_km.data,
            languages={
                r.form.language.data: r.form.level.data for r in self.languages if r.form.language.data
            },
            skill_ids=list(self.skill_ids.data or []),
            slots=cells_to_slots(list(self.availability.data or [])),
            about=(self.about.data or "").strip(),
            max_active_pairings=self.max_active_pairings.data or 2,
            certificate_inspected_on=self.certificate_date.data if self.has_certificate.data else None,
        )


class RegistrationForm(ProfileForm):
    email = email_field()
    password, password_repeat = new_password_fields()
    consent = BooleanField(
        _l("I agree that my data is processed as described above."),
        validators=[InputRequired(_l("We can only register you with your consent."))],
    )

    def to_registration(self, locale: str) -> Registration:
        return Registration(
            email=(self.email.data or "").strip(),
            password=self.password.data or "",
            locale=locale,
            profile=self.to_data(),
        )
