"""The decision log's filters (GET parameters; no CSRF, they change nothing)."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from app.fields import DateField
from app.labels import DECISION_ACTION

PAGE_MAX = 100_000


class DecisionLogFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField(
        _l("Decision"),
        default="",
        choices=[SelectChoice("", _l("all decisions"))]
        + [SelectChoice(action.value, label) for action, label in DECISION_ACTION.items()],
    )
    since = DateField(_l("From (date)"), validators=[Optional()])
    until = DateField(_l("Until (date, inclusive)"), validators=[Optional()])
    page = IntegerField(_l("Page"), widget=HiddenInput(), validators=[Optional(), NumberRange(1, PAGE_MAX)])

    def validate_until(self, field: Any) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date must not be before the start date."))
