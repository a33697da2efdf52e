"""The statistics as CSV (German Excel: UTF-8 with BOM, ";") and as XLSX, one section or sheet per
breakdown, with the same cells as the page: suppressed counts are "<5" here too."""

import csv
import io
import re

import xlsxwriter

from app.reports.tables import COLUMNS, Cell, Report

# A spreadsheet runs a cell that starts with one of these as a formula; names come from users.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(text: str) -> str:
    """Text that no spreadsheet runs as a formula: a leading apostrophe makes it plain text."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _sections(report: Report, total_label: str) -> list[tuple[str, list[str], list[tuple[str, list[Cell]]]]]:
    """(title, header, rows of (label, cells)) for the totals and every breakdown."""
    columns = [str(label) for label in COLUMNS.values()]
    sections = [(total_label, ["", *columns], [(total_label, [report.totals[c] for c in COLUMNS])])]
    for table in report.tables:
        rows = [(row.label, [row.cells[c] for c in COLUMNS]) for row in table.rows]
        sections.append((table.title, [table.header, *columns], rows))
    return sections


def to_csv(report: Report, *, heading: list[str], total_label: str) -> bytes:
    """`heading`: lines above the tables (what, which period, which districts)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for line in heading:
        writer.writerow([neutral(line)])
    for title, header, rows in _sections(report, total_label):
        writer.writerow([])
        writer.writerow([neutral(title)])
        writer.writerow([neutral(text) for text in header])
        for label, cells in rows:
            writer.writerow([neutral(label), *(cell.text for cell in cells)])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(report: Report, *, heading: list[str], total_label: str) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "in_memory": True})
    bold = workbook.add_format({"bold": True})
    used: set[str] = set()
    for title, header, rows in _sections(report, total_label):
        sheet = workbook.add_worksheet(_sheet_name(title, used))
        for line_number, line in enumerate(heading):
            sheet.write_string(line_number, 0, neutral(line))
        top = len(heading) + 1
        for column, text in enumerate(header):
            sheet.write_string(top, column, neutral(text), bold)
        for offset, (label, cells) in enumerate(rows, start=1):
            sheet.write_string(top + offset, 0, neutral(label))
            for column, cell in enumerate(cells, start=1):
                if cell.value is None:
                    sheet.write_string(top + offset, column, cell.text)
                else:
                    sheet.write_number(top + offset, column, cell.value)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, len(header), 16)
    workbook.close()
    return buffer.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    # Excel allows 31 characters and none of []:*?/\ in a sheet's name, and each name once.
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Sheet"
    candidate, number = name, 2
    while candidate.lower() in used:
        candidate = f"{name[:28]} {number}"
        number += 1
    used.add(candidate.lower())
    return candidate
