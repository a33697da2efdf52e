"""The statistics' filters (GET parameters): a period of whole months and a district."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Optional, Regexp

from app.reports.services import Period

MONTH_PATTERN = r"^(19|20)\d\d-(0[1-9]|1[0-2])$"
MAX_MONTHS = 60  # five years: a funding period, with room to compare


def parse_month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


class ReportFilterForm(FlaskForm):
    """No CSRF: it changes nothing."""

    class Meta:
        csrf = False

    month_message = _l("Please give a month as YYYY-MM, e.g. 2026-01.")
    from_month = StringField(
        _l("From month"),
        validators=[Optional(), Regexp(MONTH_PATTERN, message=month_message)],
        render_kw={"type": "month"},
    )
    to_month = StringField(
        _l("To month"),
        validators=[Optional(), Regexp(MONTH_PATTERN, message=month_message)],
        render_kw={"type": "month"},
    )
    district = SelectField(_l("District"), coerce=int, default=0)

    def set_districts(self, districts: list[tuple[int, str]]) -> None:
        self.district.choices = [SelectChoice(0, _l("All my districts"))] + [
            SelectChoice(i, name) for i, name in districts
        ]

    def period(self, default: Period) -> Period | None:
        """The chosen period after validate(), missing ends taken from the default; None (with the
        message on the field) when the months are wrong or in the wrong order."""
        if self.from_month.errors or self.to_month.errors:
            return None
        first = parse_month(self.from_month.data) if self.from_month.data else default.first
        last = parse_month(self.to_month.data) if self.to_month.data else default.last
        problem = None
        if last < first:
            problem = _l("The last month must not come before the first.")
        elif (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
            problem = _l("Please choose at most %(count)s months.", count=MAX_MONTHS)
        if problem is not None:
            self.to_month.errors = [*self.to_month.errors, problem]
            return None
        return Period(first, last)
