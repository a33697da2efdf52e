"""What the page, the charts and both exports show: the columns, the rates, and the suppression of small
counts. `suppressed` is the one rule; everything that shows a figure goes through `cell`."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from app.reports.services import DIMENSIONS, Figures, Key

THRESHOLD = 5
SUPPRESSED = "<5"
NOT_APPLICABLE = "–"

COLUMNS = {
    "volunteers": _l("Registered volunteers"),
    "active_volunteers": _l("Active volunteers"),
    "needs": _l("Needs posted"),
    "proposals": _l("Proposals"),
    "pairings": _l("Pairings"),
    "acceptance_rate": _l("Acceptance rate (%)"),
    "approval_rate": _l("Approval rate (%)"),
    "hours": _l("Hours"),
}
DIMENSION_TITLES = {
    "district": _l("By district"),
    "month": _l("By month"),
    "target_group": _l("By target group"),
    "language": _l("By language"),
}
DIMENSION_HEADERS = {
    "district": _l("District"),
    "month": _l("Month"),
    "target_group": _l("Target group"),
    "language": _l("Language"),
}
# Rates: (numerator, denominator) among the raw figures.
RATES = {
    "acceptance_rate": ("pairings", "offers_answered"),
    "approval_rate": ("proposals_approved", "proposals_decided"),
}
# Figures that a dimension does not apply to: volunteers have no target group, needs no language.
NOT_IN = {"target_group": {"volunteers"}, "language": {"needs"}}
# Columns whose cells add up over the rows, where one hidden cell could be found by subtraction.
ADDITIVE = ("volunteers", "active_volunteers", "needs", "proposals", "pairings", "hours")


def suppressed(count: int) -> bool:
    """Counts from 1 to 4 are not shown: so few people could be recognised. 0 is shown."""
    return 0 < count < THRESHOLD


@dataclass(frozen=True)
class Cell:
    value: int | None  # None: hidden (suppressed) or not applicable
    text: str  # as the page and the exports show it: "12", "<5" or "–"


def _shown(value: int) -> Cell:
    return Cell(value, str(value))


HIDDEN = Cell(None, SUPPRESSED)
NONE = Cell(None, NOT_APPLICABLE)


def cell(column: str, figures: Mapping[str, int]) -> Cell:
    """One figure from the raw counts of one row (figure name -> count)."""
    if column in RATES:
        numerator, denominator = (figures.get(name, 0) for name in RATES[column])
        if denominator == 0:
            return NONE
        # Neither the yes nor the no side may be recognisable from the rate and the other figures.
        if suppressed(numerator) or suppressed(denominator - numerator):
            return HIDDEN
        return _shown(round(100 * numerator / denominator))
    if column == "hours":
        # Hours reveal as much as the people behind them: hidden when fewer than five volunteers logged them.
        if suppressed(figures.get("hours_volunteers", 0)):
            return HIDDEN
        return _shown(round(figures.get("hours_minutes", 0) / 60))
    count = figures.get(column, 0)
    return HIDDEN if suppressed(count) else _shown(count)


@dataclass
class Row:
    key: Key
    label: str
    cells: dict[str, Cell]


@dataclass
class Table:
    dimension: str
    title: str
    header: str
    rows: list[Row]


@dataclass
class Report:
    totals: dict[str, Cell]
    tables: list[Table]


def build_report(figures: Figures, labels: Mapping[str, Mapping[Any, str]]) -> Report:
    """The headline figures and one table per dimension; `labels` gives each dimension's rows in order
    (language: the labels of every language, rows only for those that occur)."""
    totals = {column: cell(column, figures.totals) for column in COLUMNS}
    tables = []
    for dimension in DIMENSIONS:
        by_figure = figures.by[dimension]
        keys = list(labels[dimension])
        if dimension == "language":
            present = {key for counts in by_figure.values() for key in counts}
            keys = [key for key in keys if key in present] + sorted(present - set(keys), key=str)
        rows = []
        for key in keys:
            raw = {figure: counts.get(key, 0) for figure, counts in by_figure.items()}
            cells = {
                column: NONE if column in NOT_IN.get(dimension, ()) else cell(column, raw)
                for column in COLUMNS
            }
            rows.append(Row(key, str(labels[dimension].get(key, key)), cells))
        _suppress_complements(rows)
        tables.append(
            Table(dimension, str(DIMENSION_TITLES[dimension]), str(DIMENSION_HEADERS[dimension]), rows)
        )
    return Report(totals, tables)


def _suppress_complements(rows: list[Row]) -> None:
    """Where a column hides exactly one cell, its total minus the others would give it away: the smallest
    other shown cell above 0 is hidden too."""
    for column in ADDITIVE:
        cells = [row.cells[column] for row in rows]
        if sum(c is HIDDEN for c in cells) != 1:
            continue
        shown = [(c.value, index) for index, c in enumerate(cells) if c.value]
        if shown:
            rows[min(shown)[1]].cells[column] = HIDDEN
