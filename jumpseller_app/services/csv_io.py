"""CSV as merchants write it, and CSV that is safe to open in a spreadsheet. Flask-free, no database.

Reading (`read_rows`): UTF-8 with or without a BOM, `,` or `;` as the delimiter (the header line decides), header
names matched case-blind. Numbers (`number`) tolerate how Chilean and Spanish merchants type them: a decimal comma
("12,5"), dots or commas as thousands separators ("$ 12.990", "1.234,50", "1,234.50"), a currency sign, spaces.

Writing (`rows_to_csv`): a generator of encoded lines, one row at a time (constant memory for a streamed
response); a cell that a spreadsheet would take for a formula (starting with = + - @, or a tab / carriage return)
is prefixed with a quote so it stays text.
"""

import csv
import io
import math
import re

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_NUMBER = 10 ** 12
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_GROUPED = re.compile(r"^\d{1,3}([.,]\d{3})+$")


class CsvError(ValueError):
    """A file that cannot be read as CSV at all (not UTF-8, no header)."""


def decode(data):
    """The text of an uploaded file: UTF-8, a leading BOM dropped."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise CsvError("not UTF-8") from None
    return text[1:] if text.startswith(BOM) else text


def delimiter_of(header_line):
    """`;` when the header line has more semicolons than commas, else `,`."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_rows(data):
    """(header names lower-cased and stripped, [(line number, {name: cell})]) of a CSV file's bytes or text."""
    text = decode(data)
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise CsvError("no header")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(first))
    header = [name.strip().lower() for name in next(reader)]
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        rows.append((reader.line_num, {name: (cells[i].strip() if i < len(cells) else "")
                                       for i, name in enumerate(header) if name}))
    return header, rows


def number(text):
    """A number as a merchant typed it, or None: "12,5" → 12.5, "1.234,50" → 1234.5, "$ 12.990" → 12990.

    Both separators: the last one is the decimal separator ("1.234,50", "1,234.50"). One kind only: groups of
    exactly three digits after a first group of 1-3 are thousands ("12.990", "1,234", "1.234.567": Chilean prices
    have no decimals); otherwise it is the decimal separator ("12,5", "12.50", "0,125"). The preview shows every
    reading (old → new) before anything is applied.
    """
    text = _SPACES.sub("", str(text or "")).replace("$", "")
    if not text:
        return None
    unsigned = text.lstrip("+-")
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "").replace(decimal, ".")
    elif _GROUPED.match(unsigned) and not unsigned.startswith("0"):
        text = text.replace(",", "").replace(".", "")
    else:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) < MAX_NUMBER else None


def safe_cell(value):
    """A cell's text that no spreadsheet runs as a formula: None → "", a risky start prefixed with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value) if not value.is_integer() else str(int(value))
        return text
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rows_to_csv(header, rows, *, bom=True):
    """Encoded CSV lines: the header, then each row of `rows` (an iterable of sequences), cells neutralized."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells):
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    yield (BOM.encode("utf-8") if bom else b"") + line([safe_cell(name) for name in header])
    for row in rows:
        yield line([safe_cell(cell) for cell in row])
