"""A person's own data: download it, delete it."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import PasswordField
from wtforms.validators import InputRequired

from app.accounts.services import password_matches
from app.extensions import db
from app.privacy import services

bp = Blueprint("privacy", __name__, url_prefix="/meine-daten")


class EraseForm(FlaskForm):
    password = PasswordField(
        _l("Your password"), validators=[InputRequired(_l("Please enter your password."))]
    )


@bp.get("/export")
@login_required
def export() -> Response:
    data = services.export_user_data(session=db.session, user=current_user)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="integration-aktiv-meine-daten.json"'},
    )


@bp.route("/loeschen", methods=["GET", "POST"])
@login_required
def erase() -> BaseResponse | tuple[str, int]:
    form = EraseForm()
    if not form.validate_on_submit():
        return render_template("privacy/erase.html", form=form), 400 if form.is_submitted() else 200
    if not password_matches(current_user, form.password.data or ""):
        form.password.errors = [_("The password is not correct.")]
        return render_template("privacy/erase.html", form=form), 400
    services.erase_user(session=db.session, user=current_user._get_current_object())
    logout_user()
    flash(_("Your profile and all your data are deleted."), "success")
    return redirect(url_for("pages.home"))
