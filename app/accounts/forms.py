from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.services import MIN_PASSWORD_LENGTH


def email_field() -> EmailField:
    return EmailField(
        _l("E-mail address"),
        validators=[
            InputRequired(_l("Please enter your e-mail address.")),
            Email(_l("Please enter a valid e-mail address."), check_deliverability=False),
            Length(max=254),
        ],
    )


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Please choose a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("The password needs at least %(min)d characters.", min=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    repeat = PasswordField(
        _l("Repeat password"),
        validators=[
            InputRequired(_l("Please repeat the password.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )
    return password, repeat


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Please enter your password."))])
    # Where to go after login; checked with safe_next before use.
    next = HiddenField()


class EmailForm(FlaskForm):
    email = email_field()


class NewPasswordForm(FlaskForm):
    password, password_repeat = new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(_l("Please enter your current password."))]
    )
    password, password_repeat = new_password_fields()


VALIDITY_CHOICES = [
    SelectChoice("90", _l("90 days")),
    SelectChoice("365", _l("one year")),
    SelectChoice("0", _l("until revoked")),
]


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Name of the key"),
        validators=[
            InputRequired(_l("Please name the key, e.g. after the program that uses it.")),
            Length(max=80),
        ],
    )
    scopes = SelectMultipleField(
        _l("What may the key do?"),
        validators=[InputRequired(_l("Please choose at least one permission."))],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    valid_days = SelectField(_l("Valid for"), choices=VALIDITY_CHOICES, default="90")
