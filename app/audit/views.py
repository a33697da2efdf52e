"""The decision log page: who decided what about whom, and why, for the coordinators."""

from datetime import UTC, date, datetime, time, timedelta
from math import ceil
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import get_timezone
from flask_login import current_user

from app.accounts.access import district_scope, role_required
from app.accounts.models import Role
from app.audit.decisions import Actor, DecisionFilter, decision_count, decision_log
from app.audit.forms import DecisionLogFilterForm
from app.audit.services import record_views
from app.extensions import db
from app.pages.views import filter_args

bp = Blueprint("audit", __name__, url_prefix="/entscheidungen")

PAGE_SIZE = 50
FILTER_ARGS = ("action", "since", "until")


@bp.get("/")
@role_required(Role.COORDINATOR)
def decisions() -> tuple[str, int]:
    filters = DecisionLogFilterForm(formdata=request.args)
    status = 400 if request.args and not filters.validate() else 200
    chosen = DecisionFilter(
        district_ids=district_scope(current_user),
        action=_valid(filters.action) or "",
        since=_city_midnight(_valid(filters.since)),
        before=_city_midnight(_valid(filters.until), days_later=1),
    )
    total = decision_count(session=db.session, filters=chosen)
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(_valid(filters.page) or 1, pages)
    entries = decision_log(session=db.session, filters=chosen, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    record_views(
        session=db.session,
        viewer_id=current_user.id,
        volunteer_ids=[entry.volunteer_id for entry in entries],
        source="audit.decisions",
    )
    args = filter_args(FILTER_ARGS)
    return render_template(
        "audit/decisions.html",
        entries=entries,
        filters=filters,
        args=args,
        total=total,
        page=page,
        pages=pages,
        Actor=Actor,
    ), status


def _valid(field: Any) -> Any:
    """A filter's value, or None if it was refused (the other filters still apply)."""
    return None if field.errors else field.data


def _city_midnight(day: date | None, days_later: int = 0) -> datetime | None:
    """The start of that day in the city's time zone, in UTC (the log's time)."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=days_later), time(), get_timezone()).astimezone(UTC)
