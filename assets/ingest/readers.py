"""Read one landing file into a frame of raw text cells, keeping each row's number in the file.

Readers never guess types: every cell stays as it was written (Excel dates and numbers excepted,
which arrive as dates and numbers) so that a rejected row can show the user the offending value.
Text columns are Arrow-backed strings (see ``assets/text.py``): millions of Python string objects
would cost gigabytes. A file that cannot be read raises :class:`UnreadableFile` with a message
naming the file and the problem; callers record it and go on with the other files.

The fast readers (pyarrow's CSV reader, python-calamine's rows) handle the ordinary file; any file
they cannot read exactly as pandas would (ragged rows, bad bytes, odd headers...) is read again by
the pandas readers, which also word the problems, so the results never depend on the route.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pandas._libs.parsers import STR_NA_VALUES
from python_calamine import CalamineWorkbook

from assets.text import PY_WHITESPACE, TEXT, map_by_kind, null_where_empty, text_series, to_text
from schemas.config import Limits

from .file_checks import FormatAdvice, check_csv, check_parsed_shape, check_xlsx
from .snapshot import UnreadableFile

ROW_NUMBER = "_row"  # the row's line number in a CSV, or its row number in the Excel sheet

# pandas' read_excel reads these cell texts as missing (keep_default_na); so do we.
_EXCEL_NA = pa.array(sorted(STR_NA_VALUES), type=pa.string())


class _NeedsPandas(Exception):
    """The fast reader cannot promise pandas' reading of this file; use the pandas reader."""


def _normalise_header(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


# --- CSV ------------------------------------------------------------------------------------


def read_csv(
    data: bytes,
    *,
    label: str,
    encoding: str = "utf-8",
    delimiter: str = ",",
    skip_rows: int = 0,
    advice: FormatAdvice | None = None,
) -> pd.DataFrame:
    """Every column as text; empty cells become missing values; a line number per row."""
    try:
        frame = _read_csv_arrow(data, encoding=encoding, delimiter=delimiter, skip_rows=skip_rows)
    except _NeedsPandas:
        frame = _read_csv_pandas(
            data,
            label=label,
            encoding=encoding,
            delimiter=delimiter,
            skip_rows=skip_rows,
            advice=advice,
        )
    frame = _normalise_header(frame)
    # header is line skip_rows + 1, so the first data row is line skip_rows + 2
    frame[ROW_NUMBER] = np.arange(skip_rows + 2, skip_rows + 2 + len(frame), dtype=np.int64)
    return frame


def _csv_header(data: bytes, encoding: str, delimiter: str, skip_rows: int) -> list[str]:
    with io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="") as handle:
        for _ in range(skip_rows):
            handle.readline()
        line = handle.readline()
    return next(csv.reader([line], delimiter=delimiter, strict=True))


def _read_csv_arrow(data: bytes, *, encoding: str, delimiter: str, skip_rows: int) -> pd.DataFrame:
    """Every column as Arrow text, read in C on all cores; raises _NeedsPandas when unsure."""
    try:
        if len(delimiter) != 1:
            raise _NeedsPandas
        header = _csv_header(data, encoding, delimiter, skip_rows)
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(
                skip_rows=skip_rows, encoding=encoding, block_size=8 << 20
            ),
            # quoted line breaks are legal CSV, and pandas reads them as part of the value
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=_may_quote(data, encoding)
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except _NeedsPandas:
        raise
    except Exception:  # bad bytes, ragged rows, empty file...: pandas reads or words it
        raise _NeedsPandas from None
    names = table.column_names
    if (
        names != header
        or len(set(names)) != len(names)
        or any(n.strip() == "" for n in names)
        or any(not pa.types.is_string(t) for t in table.schema.types)
    ):
        raise _NeedsPandas  # headers pandas would rename ("Unnamed: 3", "name.1") or a BOM
    index = pd.RangeIndex(table.num_rows)
    columns = {}
    for name, column in zip(names, table.columns, strict=True):
        # only an empty cell is missing (na_values=[""], keep_default_na=False)
        columns[name] = text_series(null_where_empty(column), index)
    return pd.DataFrame(columns, index=index, copy=False)


def _may_quote(data: bytes, encoding: str) -> bool:
    """The file may hold a quoted value, so a line break may be part of a value.

    Arrow's reader is a third faster (measured at a million employees: 3.9 s of CPU down to
    2.5 s for the roster and the provider CSVs) when it may take every line break as the end of
    a row, which is exact when no value is quoted: without a quote character there is no quoted
    value to hold a line break. Decided on the bytes only for UTF-8 and the one-byte ASCII
    encodings (ISO 8859, Windows code pages), where a ``"`` is always the byte 0x22 and that
    byte is never part of another character; any other encoding keeps the careful reading."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return True
    one_byte = name.startswith(("iso8859-", "cp125"))
    return not (name in {"utf-8", "ascii"} or one_byte) or b'"' in data


def _read_csv_pandas(
    data: bytes,
    *,
    label: str,
    encoding: str,
    delimiter: str,
    skip_rows: int,
    advice: FormatAdvice | None,
) -> pd.DataFrame:
    # pandas' C parser ends a value at a NUL byte ('SAF\0ETY' would become 'SAF'); the Python
    # parser keeps it, so the cell check can reject it instead of a value silently cut short
    engine = "python" if b"\x00" in data else "c"
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            encoding=encoding,
            sep=delimiter,
            skiprows=skip_rows,
            skipinitialspace=False,
            engine=engine,
        )
    except UnicodeError:  # a bad byte, or a UTF-16 file without its byte-order mark
        raise UnreadableFile(
            _decode_problem(data, label, encoding, advice), f"{encoding} text"
        ) from None
    except pd.errors.EmptyDataError:
        raise UnreadableFile(
            f"{label}: the file is empty (no header row)", "a non-empty file"
        ) from None
    except (pd.errors.ParserError, csv.Error) as exc:
        raise UnreadableFile(f"{label}: not a readable CSV file ({exc})", "a CSV file") from None
    except LookupError:
        raise UnreadableFile(
            f"{label}: unknown encoding {encoding!r} in providers.yaml", "a known encoding"
        ) from None
    return pd.DataFrame({c: to_text(frame[c]) for c in frame.columns}, index=frame.index)


def _decode_problem(data: bytes, label: str, encoding: str, advice: FormatAdvice | None) -> str:
    """Locate the first undecodable byte in the whole file (the parser only knows its buffer)."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        where = f"byte 0x{data[exc.start]:02x} on line {line}"
    except UnicodeError as exc:  # no decodable start at all, e.g. UTF-16 without a BOM
        where = str(exc)
    else:
        where = "undecodable bytes"
    fix = advice.encoding if advice is not None else "or set 'encoding' in providers.yaml"
    fixed = f"re-export the file as {encoding} {fix}".rstrip()
    return f"{label}: not valid {encoding} text ({where}); {fixed}"


# --- XLSX -----------------------------------------------------------------------------------


def read_xlsx(data: bytes, *, label: str, sheet: str | int = 0, skip_rows: int = 0) -> pd.DataFrame:
    """Every column as read by calamine (fast, Rust); a sheet row number per row.

    Text columns become Arrow text, all-number columns floats, all-date columns datetimes; a
    column of mixed kinds keeps Python values as pandas' calamine reader gives them.
    """
    try:
        frame = _read_xlsx_calamine(data, sheet=sheet, skip_rows=skip_rows)
    except _NeedsPandas:
        frame = _read_xlsx_pandas(data, label=label, sheet=sheet, skip_rows=skip_rows)
    frame = _normalise_header(frame)
    # blank cells (missing or only spaces) make a row blank; blank rows are not data
    filled = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object:
            # only a text cell can be blank: a date, a number or a boolean never is (writing
            # every date of a mixed column as text just to find that out cost seconds)
            cells = values.to_numpy(dtype=object)
            blank = np.fromiter(
                (isinstance(v, str) and not v.strip() for v in cells), dtype=bool, count=len(cells)
            )
            values = values.where(values.notna().to_numpy(dtype=bool) & ~blank)
            frame[column] = values
        elif values.dtype == TEXT:
            stripped = pc.utf8_trim(pa.array(values.array), characters=PY_WHITESPACE)
            keep = pc.fill_null(pc.not_equal(pc.utf8_length(stripped), 0), False)
            values = values.where(np.asarray(keep), None)
            frame[column] = values
        filled |= values.notna().to_numpy(dtype=bool)
    frame = frame[filled].copy()
    frame[ROW_NUMBER] = frame.index.to_numpy() + skip_rows + 2
    return frame.reset_index(drop=True)


def _read_xlsx_calamine(data: bytes, *, sheet: str | int, skip_rows: int) -> pd.DataFrame:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        worksheet = (
            book.get_sheet_by_name(sheet)
            if isinstance(sheet, str)
            else book.get_sheet_by_index(sheet)
        )
        rows = worksheet.to_python(skip_empty_area=False)
    except Exception:  # missing sheet, corrupt workbook: pandas words the problem
        raise _NeedsPandas from None
    rows = rows[skip_rows:]
    if len(rows) < 2:
        raise _NeedsPandas
    header = rows[0]
    if (
        any(not isinstance(name, str) or name in STR_NA_VALUES for name in header)
        or len({str(name).strip() for name in header}) != len(header)
        or len(set(header)) != len(header)
    ):
        raise _NeedsPandas  # headers pandas would rename ("Unnamed: 3", "name.1")
    index = pd.RangeIndex(len(rows) - 1)
    try:
        columns = {
            name: _xlsx_column(values, index)
            for name, values in zip(header, zip(*rows[1:], strict=True), strict=True)
        }
    except Exception:  # e.g. a date pandas cannot hold: pandas words the problem
        raise _NeedsPandas from None
    return pd.DataFrame(columns, index=index, copy=False)


def _xlsx_column(values: tuple, index: pd.Index) -> pd.Series:
    kinds = set(map(type, values))
    if kinds == {str}:
        array = pa.array(values, type=pa.string())
        missing = pc.is_in(array, value_set=_EXCEL_NA)
        return text_series(pc.if_else(missing, pa.scalar(None, pa.string()), array), index)
    blank = np.fromiter(
        (type(v) is str and v in STR_NA_VALUES for v in values), dtype=bool, count=len(values)
    )
    filled = [v for v, b in zip(values, blank, strict=True) if not b]
    filled_kinds = set(map(type, filled))
    if filled_kinds == {float}:
        numbers = np.full(len(values), np.nan)
        numbers[~blank] = np.array(filled, dtype=float)
        return pd.Series(numbers, index=index)
    if filled_kinds and filled_kinds <= {dt.date, dt.datetime}:
        stamps = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
        stamps[~blank] = pd.to_datetime(pd.Series(filled, dtype=object)).to_numpy()
        return pd.Series(stamps, index=index)
    # mixed kinds: as pandas' calamine reader converts them, missing as NaN
    cells = np.asarray(values, dtype=object)
    cells[blank] = np.nan
    return pd.Series(map_by_kind(cells, _excel_cell), index=index, dtype=object)


def _excel_cell(value: object) -> object:
    """pandas' conversion of one calamine cell (integral floats as int, dates as Timestamp)."""
    if isinstance(value, float):
        return int(value) if int(value) == value else value
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    if isinstance(value, dt.timedelta):
        return pd.Timedelta(value)
    return value


def _read_xlsx_pandas(data: bytes, *, label: str, sheet: str | int, skip_rows: int) -> pd.DataFrame:
    try:
        frame = pd.read_excel(
            io.BytesIO(data), sheet_name=sheet, skiprows=skip_rows, dtype=object, engine="calamine"
        )
    except ValueError as exc:
        message = str(exc)
        if "not found" in message.lower() or "worksheet" in message.lower():
            raise UnreadableFile(
                f"{label}: has no worksheet {sheet!r}", f"a worksheet {sheet!r}"
            ) from None
        raise UnreadableFile(
            f"{label}: not a readable XLSX workbook ({message})", "an XLSX workbook"
        ) from None
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise UnreadableFile(
            f"{label}: not a readable XLSX workbook ({type(exc).__name__}: {exc})",
            "an XLSX workbook",
        ) from None
    frame = _normalise_header(frame)
    return frame.loc[:, [not c.startswith("Unnamed:") or frame[c].notna().any() for c in frame]]


def read_table(
    data: bytes,
    *,
    label: str,
    suffix: str,
    limits: Limits,
    advice: FormatAdvice,
    encoding: str = "utf-8",
    delimiter: str = ",",
    skip_rows: int = 0,
    sheet: str | int = 0,
) -> pd.DataFrame:
    """Read a CSV or XLSX landing file's bytes, after the checks that need no parsing; reject
    empty files (a header but no rows) and files over the limits here too."""
    if suffix == ".csv":
        check_csv(
            data,
            label=label,
            encoding=encoding,
            delimiter=delimiter,
            skip_rows=skip_rows,
            limits=limits,
            advice=advice,
        )
        frame = read_csv(
            data,
            label=label,
            encoding=encoding,
            delimiter=delimiter,
            skip_rows=skip_rows,
            advice=advice,
        )
    elif suffix == ".xlsx":
        check_xlsx(data, label=label, limits=limits)
        frame = read_xlsx(data, label=label, sheet=sheet, skip_rows=skip_rows)
    else:
        raise UnreadableFile(
            f"{label}: unsupported file type {suffix!r}; expected .csv or .xlsx",
            "a .csv or .xlsx file",
        )
    check_parsed_shape(len(frame), len(frame.columns) - 1, label=label, limits=limits)
    if frame.empty:
        raise UnreadableFile(
            f"{label}: the file has a header but no data rows", "at least one data row"
        )
    return frame


def match_columns(frame: pd.DataFrame, wanted: dict[str, str]) -> dict[str, str]:
    """Map wanted source column names onto the file's, ignoring case and surrounding spaces."""
    by_folded = {c.strip().casefold(): c for c in frame.columns}
    return {
        target: by_folded[source.strip().casefold()]
        for target, source in wanted.items()
        if source.strip().casefold() in by_folded
    }
