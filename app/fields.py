"""Form fields that several features share."""

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField as PlainDateField

# Every date the programme deals with (births, certificates, needs, meetings, hours, the log) lies
# within these; beyond them, date arithmetic (a day later, a time zone, a validity period) overflows.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)


class DateField(PlainDateField):
    """A date field that refuses years outside EARLIEST..LATEST with a message, as a typing error."""

    data: Any  # a date or None, as WTForms' own field (which has no type hints)

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not EARLIEST <= self.data <= LATEST:
            self.data = None
            raise ValueError(
                _l(
                    "Please enter a date between %(earliest)s and %(latest)s.",
                    earliest=EARLIEST.year,
                    latest=LATEST.year,
                )
            )
