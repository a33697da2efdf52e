"""E-mail in the recipient's language, rendered from templates/mail/<name>.txt."""

import smtplib
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMessage


def link(endpoint: str, **values: Any) -> str:
    """An absolute link for a mail, also where there is no request (a worker's task): BASE_URL + path."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return str(current_app.config["BASE_URL"]) + path


def send_mail(*, to: str, subject: Any, template: str, locale: str = "de", **context: Any) -> bool:
    """Sends one plain-text mail; `subject` is a lazy msgid, rendered in `locale`.

    Returns False (and logs) when the mail server cannot be reached: what was saved stays saved.
    """
    with force_locale(locale):
        body = render_template(f"mail/{template}.txt", base_url=current_app.config["BASE_URL"], **context)
        message = EmailMessage(subject=str(subject), body=body, to=[to])
    try:
        message.send()
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("could not send mail %r to %s", template, to)
        return False
    return True
