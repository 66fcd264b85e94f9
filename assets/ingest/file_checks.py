"""Whole-file checks made on a file's bytes before it is parsed: what the file is, and whether
it is within the limits of ``policy.yaml`` (``limits:``).

Each check is cheap and runs before the work it protects: a CSV's header line is counted before
a parser sees a million columns, its line breaks before it is parsed; an XLSX archive's declared
unpacked sizes and each worksheet's declared dimension are read from the archive's directory and
the first kilobytes of the sheet before calamine unpacks anything. A failed check raises
:class:`UnreadableFile` naming the file, what it is or which limit it breaks and that limit's
value.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass

import numpy as np

from schemas.config import Limits

from .snapshot import HEAD_BYTES, UnreadableFile

_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook saved under a .csv name?)"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office file (.xls workbook?)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
)
_UTF16_BOMS = ((codecs.BOM_UTF16_LE, "UTF-16 LE"), (codecs.BOM_UTF16_BE, "UTF-16 BE"))
# control bytes that never appear in a text export (tab, line breaks and form feed excepted)
_CONTROL = np.zeros(256, dtype=bool)
_CONTROL[[*range(0, 9), 11, *range(14, 32), 127]] = True
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
OTHER_DELIMITERS = (";", "\t", "|", ",")
_MIN_ROW_BYTES = len(b"<row></row>")  # the least a counted row takes in the sheet XML


@dataclass(frozen=True)
class FormatAdvice:
    """How to fix a file whose format is not what its folder is configured for."""

    encoding: str  # completes "re-export the file as utf-8 {encoding}"
    delimiter: str  # completes "re-export it with ',' between columns {delimiter}"
    columns: str  # where the expected columns come from


ROSTER_ADVICE = FormatAdvice("", "", "roster extract")
ACTIVITY_ADVICE = FormatAdvice("", "", "continuing-education file")
DECISION_ADVICE = {
    "exemptions": FormatAdvice("", "", "exemptions file"),
    "revocations": FormatAdvice("", "", "revocations file"),
}


def provider_advice(provider: str) -> FormatAdvice:
    return FormatAdvice(
        f"or set 'encoding' for {provider} in providers.yaml",
        f"or set 'delimiter' for {provider} in providers.yaml",
        f"columns mapped for '{provider}' in providers.yaml",
    )


def canonical_advice(provider: str) -> FormatAdvice:
    why = (
        f"folder '{provider}' has no providers.yaml entry: its files are read as canonical "
        "results, UTF-8 with ',' between columns"
    )
    return FormatAdvice(
        f"or add '{provider}' to providers.yaml ({why})",
        f"or add '{provider}' to providers.yaml ({why})",
        f"canonical result columns; {why}",
    )


def _ascii_compatible(encoding: str) -> bool:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return True  # the reader words the unknown encoding
    return not name.startswith(("utf-16", "utf-32"))


def check_csv(
    data: bytes,
    *,
    label: str,
    encoding: str,
    delimiter: str,
    skip_rows: int,
    limits: Limits,
    advice: FormatAdvice,
) -> None:
    """Empty, binary, UTF-16 where UTF-8 is expected, too many columns or lines: rejected."""
    if not data:
        raise UnreadableFile(f"{label}: the file is empty (0 bytes)", "a non-empty file")
    if not data.strip():
        raise UnreadableFile(
            f"{label}: the file is empty (only blank lines, no header row)", "a non-empty file"
        )
    if not _ascii_compatible(encoding):
        text = data.decode(encoding, errors="replace")
        _csv_limits(text, "\n", delimiter, skip_rows, label, limits)
        return
    for bom, name in _UTF16_BOMS:
        if data.startswith(bom):
            raise UnreadableFile(
                f"{label}: the file is {name} text (it starts with a {name} byte-order mark), "
                f"not {encoding}; re-export the file as {encoding} {advice.encoding}".rstrip(),
                f"{encoding} text",
            )
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise UnreadableFile(
                f"{label}: not a text file: it is {what}; expected a CSV export",
                "a text (CSV) file",
            )
    head = np.frombuffer(data[:HEAD_BYTES], dtype=np.uint8)
    control = _CONTROL[head]
    newline = data.find(b"\n")
    first_line = data if newline < 0 else data[:newline]
    # a few control bytes inside cells are judged per cell; many, or any in the header, is binary
    if (control.sum() >= 16 and control.mean() > 0.05) or b"\x00" in first_line:
        offset = int(np.flatnonzero(control)[0])
        raise UnreadableFile(
            f"{label}: not a text file ({int(control.sum()):,} control bytes in the first "
            f"{len(head):,} bytes, the first 0x{head[offset]:02x} at byte {offset:,}); "
            "expected a CSV export",
            "a text (CSV) file",
        )
    _csv_limits(data, b"\n", delimiter.encode(encoding, errors="replace"), skip_rows, label, limits)


def _csv_limits(data, newline, delimiter, skip_rows: int, label: str, limits: Limits) -> None:
    """Columns in the header line and lines after it, counted without parsing (bytes or text)."""
    start = 0
    for _ in range(skip_rows):
        found = data.find(newline, start)
        if found < 0:
            return
        start = found + 1
    end = data.find(newline, start)
    end = len(data) if end < 0 else end
    header = data[start:end]
    if header.count(delimiter) + 1 > limits.max_columns:
        # the cheap count is an upper bound (quoted delimiters); parse just this line to be sure
        line = header.decode("utf-8", errors="replace") if isinstance(header, bytes) else header
        sep = delimiter.decode() if isinstance(delimiter, bytes) else delimiter
        columns = len(next(csv.reader([line.rstrip("\r")], delimiter=sep or ",")))
        if columns > limits.max_columns:
            raise UnreadableFile(
                f"{label}: {columns:,} columns in the header, over the limit policy.yaml "
                f"limits.max_columns = {limits.max_columns:,}; not parsed",
                f"at most {limits.max_columns:,} columns (limits.max_columns)",
            )
    lines = data.count(newline, end + 1)
    if len(data) > end + 1 and not data.endswith(newline):
        lines += 1
    if lines > limits.max_rows:
        raise UnreadableFile(
            f"{label}: {lines:,} data lines, over the limit policy.yaml limits.max_rows = "
            f"{limits.max_rows:,}; not parsed",
            f"at most {limits.max_rows:,} rows (limits.max_rows)",
        )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def check_xlsx(data: bytes, *, label: str, limits: Limits) -> None:
    """Not a workbook, or a workbook that would unpack beyond the limits: rejected unopened."""
    if not data:
        raise UnreadableFile(f"{label}: the file is empty (0 bytes)", "a non-empty file")
    if not data.startswith(b"PK\x03\x04"):
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            what = "it is a legacy .xls workbook; save it as .xlsx"
        elif not _CONTROL[np.frombuffer(data[:HEAD_BYTES], dtype=np.uint8)].any():
            what = "it is a text file (a CSV export named .xlsx?)"
        else:
            what = "it is not a ZIP archive"
        raise UnreadableFile(f"{label}: not an XLSX workbook: {what}", "an XLSX workbook")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(
            f"{label}: not an XLSX workbook (damaged ZIP archive: {exc})", "an XLSX workbook"
        ) from None
    with archive:
        members = archive.infolist()
        unpacked = sum(m.file_size for m in members)
        limit_mb = limits.max_xlsx_uncompressed_mb
        if unpacked > limit_mb * 2**20:
            raise UnreadableFile(
                f"{label}: the workbook unpacks to {unpacked / 2**20:,.0f} MB "
                f"({len(data) / 2**20:,.1f} MB packed), over the limit policy.yaml "
                f"limits.max_xlsx_uncompressed_mb = {limit_mb:g}; not unpacked",
                f"at most {limit_mb:g} MB unpacked (limits.max_xlsx_uncompressed_mb)",
            )
        for member in members:
            name = member.filename
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                _check_dimension(archive, member, label, limits)


def _check_dimension(archive: zipfile.ZipFile, member, label: str, limits: Limits) -> None:
    try:
        with archive.open(member) as sheet:
            head = sheet.read(HEAD_BYTES)  # only the start is unpacked
        found = _DIMENSION.search(head)
        if found is not None:
            _check_declared_dimension(found, member.filename, label, limits)
        if member.file_size > limits.max_rows * _MIN_ROW_BYTES:
            _count_rows(archive, member, label, limits)  # only a sheet this big could hold more
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        raise UnreadableFile(
            f"{label}: not a readable XLSX workbook ({member.filename}: {exc})",
            "an XLSX workbook",
        ) from None


def _row_ends(text: bytes) -> int:
    # "</row>", and "</x:row>" where a writer uses a namespace prefix
    return text.count(b"/row>") + text.count(b":row>")


def _count_rows(archive: zipfile.ZipFile, member, label: str, limits: Limits) -> None:
    """Count the sheet's rows by unpacking it as a stream (constant memory, C speed).

    The declared dimension is only a claim: a crafted workbook declares one cell and holds
    millions of rows, which calamine would load whole. Counting the row end tags costs one
    decompression pass and stops at the first chunk over the limit.
    """
    rows, tail = 0, b""
    with archive.open(member) as sheet:
        while chunk := sheet.read(8 << 20):
            # plus a tag split across the previous chunk's end and this chunk's start
            seam = tail + chunk[:4]
            rows += _row_ends(chunk) + _row_ends(seam) - _row_ends(tail) - _row_ends(chunk[:4])
            tail = chunk[-4:]
            if rows > limits.max_rows:
                raise UnreadableFile(
                    f"{label}: worksheet {member.filename} holds more than "
                    f"{limits.max_rows:,} rows (counted while unpacking), over the limit "
                    f"policy.yaml limits.max_rows = {limits.max_rows:,}; not loaded",
                    f"at most {limits.max_rows:,} rows (limits.max_rows)",
                )


def _check_declared_dimension(found: re.Match, sheet: str, label: str, limits: Limits) -> None:
    first_col, first_row, last_col, last_row = found.groups()
    rows = int(last_row or first_row) - int(first_row) + 1
    columns = _column_number(last_col or first_col) - _column_number(first_col) + 1
    ref = found.group(0).split(b'"')[1].decode()
    if rows > limits.max_rows:
        raise UnreadableFile(
            f"{label}: worksheet {sheet} declares {rows:,} rows ({ref}), over the "
            f"limit policy.yaml limits.max_rows = {limits.max_rows:,}; not unpacked",
            f"at most {limits.max_rows:,} rows (limits.max_rows)",
        )
    if columns > limits.max_columns:
        raise UnreadableFile(
            f"{label}: worksheet {sheet} declares {columns:,} columns ({ref}), over "
            f"the limit policy.yaml limits.max_columns = {limits.max_columns:,}; not unpacked",
            f"at most {limits.max_columns:,} columns (limits.max_columns)",
        )


def check_parsed_shape(rows: int, columns: int, *, label: str, limits: Limits) -> None:
    """After reading (a workbook without a declared dimension): the same limits, counted."""
    if columns > limits.max_columns:
        raise UnreadableFile(
            f"{label}: {columns:,} columns, over the limit policy.yaml limits.max_columns = "
            f"{limits.max_columns:,}",
            f"at most {limits.max_columns:,} columns (limits.max_columns)",
        )
    if rows > limits.max_rows:
        raise UnreadableFile(
            f"{label}: {rows:,} rows, over the limit policy.yaml limits.max_rows = "
            f"{limits.max_rows:,}",
            f"at most {limits.max_rows:,} rows (limits.max_rows)",
        )


def other_delimiter(columns: list[str], delimiter: str) -> str | None:
    """The delimiter a one-column header really uses, when it is not the configured one."""
    if len(columns) != 1:
        return None
    header = columns[0]
    for candidate in OTHER_DELIMITERS:
        if candidate != delimiter and header.count(candidate) >= 1:
            return candidate
    return None
