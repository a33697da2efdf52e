"""The reminder of a certificate of conduct that is about to stop counting, in the volunteer's language."""

from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l

from app.mailer import link, send_mail
from app.volunteers.certificates import Reminder


def send_certificate_reminder(reminder: Reminder) -> bool:
    with force_locale(reminder.user.locale):
        expires_on = format_date(reminder.expires_on, "long")
    return send_mail(
        to=reminder.user.email,
        subject=_l("Your certificate of conduct: please show a new one"),
        template="certificate_reminder",
        locale=reminder.user.locale,
        name=reminder.volunteer.first_name,
        expires_on=expires_on,
        profile_link=link("volunteers.profile"),
    )
