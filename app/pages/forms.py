from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional


class FeedbackForm(FlaskForm):
    message = TextAreaField(
        _l("What did not work for you?"),
        # Stripped first, so a report of blanks counts as empty.
        filters=[lambda text: text.strip() if isinstance(text, str) else text],
        validators=[DataRequired(_l("Please describe the barrier.")), Length(max=4000)],
    )
    page = StringField(_l("On which page? (optional)"), validators=[Optional(), Length(max=500)])
    email = EmailField(
        _l("Your e-mail address, if you would like an answer (optional)"),
        validators=[
            Optional(),
            Email(_l("Please enter a valid e-mail address."), check_deliverability=False),
            Length(max=254),
        ],
    )
