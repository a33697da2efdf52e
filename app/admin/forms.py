from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, FloatField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.accounts.forms import email_field
from app.vocab.services import UI_LANGUAGES, is_language_code

NO_CHOICE = 0  # "none" in optional id selects; SelectField needs a value of the coerced type

KIND_LABELS = {
    "school": _l("School"),
    "daycare": _l("Day-care centre or kindergarten"),
    "family_centre": _l("Family centre or multi-generation house"),
    "club": _l("Club or sports club"),
    "religious": _l("Parish, church or mosque"),
    "migrant_association": _l("Migrant association"),
    "welfare": _l("Welfare organisation"),
    "public_service": _l("Public service (e.g. job centre)"),
    "education": _l("Education provider (e.g. adult-education centre)"),
    "other": _l("Other"),
}

UI_LANGUAGE_NAMES = {
    "de": _l("German"),
    "en": _l("English"),
    "tr": _l("Turkish"),
    "ar": _l("Arabic"),
    "ru": _l("Russian"),
    "uk": _l("Ukrainian"),
}


class DecimalField(FloatField):
    """A float that also accepts the German decimal comma."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata([str(v).replace(",", ".").strip() for v in valuelist])
        except ValueError as error:
            raise ValueError(str(_l("Please enter a number, e.g. 47.88."))) from error


def _name_field(label: object, max_length: int, message: object) -> StringField:
    return StringField(label, validators=[InputRequired(message), Length(max=max_length)])


class StaffForm(FlaskForm):
    """A partner staff member; the coordinator form adds the office."""

    display_name = _name_field(_l("Name"), 120, _l("Please enter the person's name."))
    email = email_field()


class CoordinatorForm(StaffForm):
    office_id = SelectField(_l("Office"), coerce=int, validators=[InputRequired()])


class OrganisationForm(FlaskForm):
    name = _name_field(_l("Name of the organisation"), 160, _l("Please enter the organisation's name."))
    kind = SelectField(
        _l("Kind of organisation"), choices=[SelectChoice(kind, label) for kind, label in KIND_LABELS.items()]
    )
    district_id = SelectField(_l("District"), coerce=int)
    address = StringField(_l("Address (optional)"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(
        _l("Contact e-mail address (optional)"),
        validators=[
            Optional(),
            Email(_l("Please enter a valid e-mail address."), check_deliverability=False),
            Length(max=254),
        ],
    )
    phone = StringField(
        _l("Phone (optional)"),
        validators=[
            Optional(),
            Regexp(r"^[0-9 +()/-]{5,40}$", message=_l("Please enter a valid phone number.")),
        ],
    )


class DistrictPlaceForm(FlaskForm):
    """What can change on an existing district: its office and its centre point."""

    office_id = SelectField(_l("Office"), coerce=int)
    latitude = DecimalField(
        _l("Latitude of the centre"),
        validators=[
            InputRequired(_l("Please enter a number.")),
            NumberRange(-90, 90, _l("The latitude lies between -90 and 90.")),
        ],
    )
    longitude = DecimalField(
        _l("Longitude of the centre"),
        validators=[
            InputRequired(_l("Please enter a number.")),
            NumberRange(-180, 180, _l("The longitude lies between -180 and 180.")),
        ],
    )


class DistrictForm(DistrictPlaceForm):
    name = _name_field(_l("Name of the district"), 120, _l("Please enter the district's name."))
    slug = StringField(
        _l("Short name for addresses"),
        validators=[
            InputRequired(_l("Please enter a short name.")),
            Length(max=60),
            Regexp(r"^[a-z0-9-]+$", message=_l("Only small letters a–z, digits and hyphens.")),
        ],
    )


def _label_field(code: str) -> StringField:
    label = _l("Name in %(language)s", language=UI_LANGUAGE_NAMES[code])
    # Typed in that language: screen readers and spell checkers follow `lang`, Arabic runs right to left.
    render_kw = {"lang": code, "dir": "rtl"} if code == "ar" else {"lang": code}
    first = InputRequired(_l("The German name is required.")) if code == "de" else Optional()
    return StringField(label, validators=[first, Length(max=120)], render_kw=render_kw)


class SkillForm(FlaskForm):
    """Labels and synonyms; the key can only be chosen when the skill is created (NewSkillForm)."""

    label_de = _label_field("de")
    label_en = _label_field("en")
    label_tr = _label_field("tr")
    label_ar = _label_field("ar")
    label_ru = _label_field("ru")
    label_uk = _label_field("uk")
    synonyms = TextAreaField(
        _l("Synonyms, separated by commas (any language)"), validators=[Optional(), Length(max=2000)]
    )

    def labels(self) -> dict[str, str]:
        return {code: (self[f"label_{code}"].data or "").strip() for code in UI_LANGUAGES}

    def synonym_list(self) -> list[str]:
        return [part.strip() for part in (self.synonyms.data or "").split(",") if part.strip()]


class NewSkillForm(SkillForm):
    key = StringField(
        _l("Key"),
        validators=[
            InputRequired(_l("Please enter a key.")),
            Length(max=60),
            Regexp(r"^[a-z0-9_]+$", message=_l("Only small letters a–z, digits and underscores.")),
        ],
    )


class LanguageForm(FlaskForm):
    code = StringField(
        _l("Language code (ISO 639-1, two letters)"),
        validators=[InputRequired(_l("Please enter a language code.")), Length(max=8)],
        filters=[lambda value: (value or "").strip().lower()],
    )

    def validate_code(self, field: StringField) -> None:
        if not is_language_code(field.data or ""):
            raise ValidationError(_l("This is not a known two-letter language code (e.g. fa, pl, ro)."))
