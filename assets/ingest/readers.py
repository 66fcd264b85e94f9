"""Read one landing file into a frame of raw text cells, keeping each row's number in the file.

Readers never guess types: every cell stays as it was written (Excel dates and numbers excepted,
which arrive as Python values) so that a rejected row can show the user the offending value.
A file that cannot be read raises :class:`UnreadableFile` with a message naming the file and the
problem; callers record it and go on with the other files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROW_NUMBER = "_row"  # the row's line number in a CSV, or its row number in the Excel sheet


class UnreadableFile(Exception):
    """The whole file is rejected; ``str(exc)`` is the user-facing message."""


def _normalise_header(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def read_csv(
    path: Path, *, label: str, encoding: str = "utf-8", delimiter: str = ",", skip_rows: int = 0
) -> pd.DataFrame:
    """Every column as text; empty cells become missing values; a line number per row."""
    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            encoding=encoding,
            sep=delimiter,
            skiprows=skip_rows,
            skipinitialspace=False,
            engine="c",
        )
    except UnicodeDecodeError:
        raise UnreadableFile(_decode_problem(path, label, encoding)) from None
    except pd.errors.EmptyDataError:
        raise UnreadableFile(f"{label}: the file is empty (no header row)") from None
    except pd.errors.ParserError as exc:
        raise UnreadableFile(f"{label}: not a readable CSV file ({exc})") from None
    except LookupError:
        raise UnreadableFile(f"{label}: unknown encoding {encoding!r} in providers.yaml") from None
    frame = _normalise_header(frame)
    # header is line skip_rows + 1, so the first data row is line skip_rows + 2
    frame[ROW_NUMBER] = range(skip_rows + 2, skip_rows + 2 + len(frame))
    return frame


def _decode_problem(path: Path, label: str, encoding: str) -> str:
    """Locate the first undecodable byte in the whole file (the parser only knows its buffer)."""
    data = path.read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        where = f"byte 0x{data[exc.start]:02x} on line {line}"
    else:
        where = "undecodable bytes"
    return (
        f"{label}: not valid {encoding} text ({where}); re-export the file as {encoding} or set "
        "'encoding' in providers.yaml"
    )


def read_xlsx(path: Path, *, label: str, sheet: str | int = 0, skip_rows: int = 0) -> pd.DataFrame:
    """Every column as read by calamine (fast, Rust); a sheet row number per row."""
    try:
        frame = pd.read_excel(
            path, sheet_name=sheet, skiprows=skip_rows, dtype=object, engine="calamine"
        )
    except ValueError as exc:
        message = str(exc)
        if "not found" in message.lower() or "worksheet" in message.lower():
            raise UnreadableFile(f"{label}: has no worksheet {sheet!r}") from None
        raise UnreadableFile(f"{label}: not a readable XLSX workbook ({message})") from None
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise UnreadableFile(
            f"{label}: not a readable XLSX workbook ({type(exc).__name__}: {exc})"
        ) from None
    frame = _normalise_header(frame)
    frame = frame.loc[:, [not c.startswith("Unnamed:") or frame[c].notna().any() for c in frame]]
    # blank cells arrive as NaN or ""; make them missing, and strings of everything else but dates
    for column in frame.columns:
        values = frame[column]
        frame[column] = values.where(values.notna() & (values.astype(str).str.strip() != ""))
    frame = frame.dropna(how="all")
    frame[ROW_NUMBER] = frame.index.to_numpy() + skip_rows + 2
    return frame.reset_index(drop=True)


def read_table(
    path: Path,
    *,
    label: str,
    encoding: str = "utf-8",
    delimiter: str = ",",
    skip_rows: int = 0,
    sheet: str | int = 0,
) -> pd.DataFrame:
    """Read a CSV or XLSX landing file; reject empty files (a header but no rows) here too."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = read_csv(
            path, label=label, encoding=encoding, delimiter=delimiter, skip_rows=skip_rows
        )
    elif suffix == ".xlsx":
        frame = read_xlsx(path, label=label, sheet=sheet, skip_rows=skip_rows)
    else:
        raise UnreadableFile(f"{label}: unsupported file type {suffix!r}; expected .csv or .xlsx")
    if frame.empty:
        raise UnreadableFile(f"{label}: the file has a header but no data rows")
    return frame


def match_columns(frame: pd.DataFrame, wanted: dict[str, str]) -> dict[str, str]:
    """Map wanted source column names onto the file's, ignoring case and surrounding spaces."""
    by_folded = {c.strip().casefold(): c for c in frame.columns}
    return {
        target: by_folded[source.strip().casefold()]
        for target, source in wanted.items()
        if source.strip().casefold() in by_folded
    }
