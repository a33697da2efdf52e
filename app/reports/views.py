"""Statistics for the funder's reports: figures, charts and tables on a page, the same as CSV and XLSX."""

import io
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Blueprint, render_template, request, send_file
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from app.accounts.access import district_scope, role_required
from app.accounts.models import Role
from app.errors import render_error
from app.extensions import db
from app.i18n import text_direction
from app.labels import TARGET_GROUP
from app.offices.services import district_choices
from app.pages.views import filter_args
from app.reports import exports
from app.reports.charts import bar_chart
from app.reports.forms import ReportFilterForm
from app.reports.services import Period, last_months, month_key, statistics
from app.reports.tables import COLUMNS, Report, Table, build_report
from app.vocab.services import language_labels_by_code

bp = Blueprint("reports", __name__, url_prefix="/statistik")
FILTER_ARGS = ("from_month", "to_month", "district")

Chosen = tuple[ReportFilterForm, Period | None, list[tuple[int, str]], list[int] | None]


def _filters() -> Chosen:
    """The validated filters: the form, the period (None if invalid), the districts shown, and the district
    ids to count (None: all, so that no row escapes the Integrationsbüro's figures)."""
    scope = district_scope(current_user)
    districts = [(i, name) for i, name in district_choices(session=db.session) if scope is None or i in scope]
    form = ReportFilterForm(formdata=request.args)
    form.set_districts(districts)
    period = form.period(last_months(date.today())) if form.validate() else None
    if period is not None and form.district.data:
        districts = [(i, name) for i, name in districts if i == form.district.data]
        scope = [form.district.data]
    return form, period, districts, scope


def _report(period: Period, districts: list[tuple[int, str]], district_ids: list[int] | None) -> Report:
    figures = statistics(session=db.session, period=period, district_ids=district_ids)
    locale = str(get_locale() or "de")
    labels: dict[str, Mapping[Any, str]] = {
        "district": dict(districts),
        "month": {month_key(month): format_date(month, "MMM yyyy") for month in period.months()},
        "target_group": {group.value: str(label) for group, label in TARGET_GROUP.items()},
        "language": language_labels_by_code(session=db.session, locale=locale),
    }
    return build_report(figures, labels)


def _table(report: Report, dimension: str) -> Table:
    return next(table for table in report.tables if table.dimension == dimension)


def _charts(report: Report) -> dict[str, list[tuple[str, Markup]]]:
    """(title, svg) of the charts shown above each dimension's table."""
    rtl = text_direction() == "rtl"
    specs = [
        ("chart-pairings-month", "month", "pairings", _("Pairings per month")),
        ("chart-hours-month", "month", "hours", _("Confirmed hours per month")),
        ("chart-pairings-district", "district", "pairings", _("Pairings per district")),
        ("chart-volunteers-language", "language", "active_volunteers", _("Active volunteers per language")),
    ]
    description = _("A bar per row of the table below; “<5” marks fewer than five, drawn without a bar.")
    charts: dict[str, list[tuple[str, Markup]]] = {}
    for chart_id, dimension, column, title in specs:
        rows = [(row.label, row.cells[column]) for row in _table(report, dimension).rows]
        svg = bar_chart(chart_id=chart_id, title=title, description=description, rows=rows, rtl=rtl)
        charts.setdefault(dimension, []).append((title, svg))
    return charts


def _period_text(period: Period) -> str:
    return _("%(first)s to %(last)s", first=month_key(period.first), last=month_key(period.last))


@bp.get("/")
@role_required(Role.COORDINATOR)
def overview() -> tuple[str, int]:
    form, period, districts, district_ids = _filters()
    if period is None:
        return render_template("reports/overview.html", form=form, report=None), 400
    report = _report(period, districts, district_ids)
    return render_template(
        "reports/overview.html",
        form=form,
        report=report,
        period_text=_period_text(period),
        columns=COLUMNS,
        charts=_charts(report),
        query=filter_args(FILTER_ARGS),
    ), 200


def _download(kind: str) -> Response | tuple[str, int]:
    form, period, districts, district_ids = _filters()
    if period is None:
        messages = [error for errors in form.errors.values() for error in errors]
        return render_error(400, " ".join(str(m) for m in messages))
    report = _report(period, districts, district_ids)
    heading = [
        _("Integration aktiv: statistics"),
        _("Period: %(period)s", period=_period_text(period)),
        _("Districts: %(names)s", names=", ".join(name for _i, name in districts)),
        _("“<5”: fewer than five, not shown to protect the people counted."),
    ]
    total = _("Total")
    # send_file names the download for any language: a non-ASCII name goes UTF-8-encoded in filename*.
    name = f"{_('statistics')}_{month_key(period.first)}_{month_key(period.last)}.{kind}"
    if kind == "csv":
        body, mimetype = exports.to_csv(report, heading=heading, total_label=total), "text/csv"
    else:
        body = exports.to_xlsx(report, heading=heading, total_label=total)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.get("/statistik.csv")
@role_required(Role.COORDINATOR)
def export_csv() -> Response | tuple[str, int]:
    return _download("csv")


@bp.get("/statistik.xlsx")
@role_required(Role.COORDINATOR)
def export_xlsx() -> Response | tuple[str, int]:
    return _download("xlsx")
