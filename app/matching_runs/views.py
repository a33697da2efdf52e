"""The coordinators' view of the background matching: recent runs, failures, what is still waiting."""

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from app.accounts.access import role_required
from app.accounts.models import Role
from app.extensions import db
from app.matching_runs import services
from app.matching_runs.models import RunKind, RunStatus

bp = Blueprint("matching_runs", __name__, url_prefix="/abgleich-laeufe")

STATUS_LABELS = {
    RunStatus.QUEUED: _l("waiting"),
    RunStatus.RUNNING: _l("running"),
    RunStatus.DONE: _l("done"),
    RunStatus.FAILED: _l("failed"),
}
KIND_LABELS = {
    RunKind.VOLUNTEER: _l("Volunteer #%(id)s"),
    RunKind.NEED: _l("Need #%(id)s"),
    RunKind.ALL: _l("Everyone against every open need"),
}


@bp.get("/")
@role_required(Role.COORDINATOR)
def overview() -> tuple[str, int]:
    chosen = request.args.get("status", "")
    valid = chosen in {s.value for s in RunStatus}
    state = services.overview(session=db.session, status=chosen if valid else None)
    return render_template(
        "matching_runs/overview.html",
        state=state,
        chosen_status=chosen if valid else "",
        status_labels={status.value: str(label) for status, label in STATUS_LABELS.items()},
        subject_label=lambda kind, subject_id: str(KIND_LABELS.get(kind, kind)) % {"id": subject_id},
    ), (200 if valid or not chosen else 400)
