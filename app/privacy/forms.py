from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, InputRequired


class EraseForm(FlaskForm):
    password = PasswordField(
        _l("Your password"), validators=[InputRequired(_l("Please enter your password."))]
    )


class WithdrawConsentForm(FlaskForm):
    """Only the CSRF token: the button says what it does, and giving consent again is one click too."""


class GiveConsentForm(FlaskForm):
    # DataRequired, not InputRequired: a posted "false" is input, but no tick.
    consent = BooleanField(
        _l("I agree that my data is processed as described above."),
        validators=[DataRequired(_l("Please tick the box to give your consent."))],
    )
