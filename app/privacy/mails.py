"""The retention job's warning, in the volunteer's language, with the day of deletion."""

from datetime import datetime

from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.mailer import link, send_mail
from app.privacy.retention import GRACE


def send_retention_warning(user: User, warned_at: datetime) -> bool:
    with force_locale(user.locale):
        deletion_day = format_date((warned_at + GRACE).date(), "long")
    return send_mail(
        to=user.email,
        subject=_l("Your Integration aktiv account will be deleted"),
        template="retention_warning",
        locale=user.locale,
        user=user,
        deletion_day=deletion_day,
        login_link=link("accounts.login"),
    )
