"""Horizontal bar charts as inline SVG, drawn on the server: no script, nothing from another host, no
style attributes (the CSP forbids them; colours come from classes in site.css). Rows run top to bottom
and bars grow from the reading start, so a right-to-left page gets the mirror image."""

from collections.abc import Sequence

from markupsafe import Markup, escape

from app.reports.tables import Cell

WIDTH = 480  # scaled to the page's width; small enough that text stays readable on a phone
ROW = 28
LABEL_WIDTH = 150
VALUE_WIDTH = 50
BAR_WIDTH = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20
PADDING = 8


def bar_chart(
    *, chart_id: str, title: str, description: str, rows: Sequence[tuple[str, Cell]], rtl: bool = False
) -> Markup:
    """One bar per (label, cell); a hidden cell ("<5") gets its text and no bar, so nothing is measured
    from it. The figures are also in the table beside the chart, which is what screen readers read."""
    largest = max((c.value or 0 for _label, c in rows), default=0) or 1
    height = PADDING * 2 + ROW * max(len(rows), 1)

    def x(position: float, width: float = 0) -> float:
        """A position counted from the reading start, as an SVG x coordinate."""
        return round(WIDTH - position - width if rtl else position, 1)

    # text-anchor follows the text's direction, set on the svg: labels end before the bars. Figures are
    # left to right everywhere ("<5" would turn into "5>"), so after a bar that grows leftwards they end.
    direction = "rtl" if rtl else "ltr"
    value_anchor = "end" if rtl else "start"
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"'
        f' viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet"'
        f' direction="{direction}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (label, figure) in enumerate(rows):
        top = PADDING + index * ROW
        middle = top + ROW / 2 + 5
        parts.append(
            f'<text class="chart-label" x="{x(LABEL_WIDTH - 8)}" y="{middle}"'
            f' text-anchor="end">{escape(label)}</text>'
        )
        length = 0.0
        if figure.value:
            length = max(BAR_WIDTH * figure.value / largest, 2)
            parts.append(
                f'<rect class="chart-bar" data-value="{figure.value}" x="{x(LABEL_WIDTH, length)}"'
                f' y="{top + 4}" width="{round(length, 1)}" height="{ROW - 8}"/>'
            )
        parts.append(
            f'<text class="chart-value" x="{x(LABEL_WIDTH + length + 6)}" y="{middle}" direction="ltr"'
            f' text-anchor="{value_anchor}">{escape(figure.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
