"""Read what marketers export into a table of strings, whatever the container.

Handles CSV/TSV/semicolon/pipe and whitespace-aligned text in UTF-8 (with or without
BOM), UTF-16 and cp1252/latin-1; XLSX; Parquet; JSON and JSON Lines; any of these
gzip- or zip-compressed. Every cell of a text file stays a string here: parsing money
and dates is ``parse``'s job, because it needs the whole column to decide
(decimal comma or not, day-first or not).

Reading is two steps so that large exports stay fast: :func:`open_inputs` sniffs each
file and returns a small sample for source detection; :meth:`Input.read` then reads
only the columns the detected source needs.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field

import pandas as pd

from custseg.errors import InputError

SAMPLE_BYTES = 256 * 1024
SAMPLE_RECORDS = 2000
DELIMITERS = (",", ";", "\t", "|")
# Literal spellings of "no value" that exports write into cells (R writes NA).
NULL_TOKENS = ("", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None", "#N/A", "-NaN")


@dataclass
class Input:
    """One table inside one file (a zip may hold several)."""

    path: str  # what the user passed, used in every message
    name: str  # member name inside a zip, else the file name
    format: str  # csv | text | xlsx | parquet | json | jsonl
    columns: list[str]
    sample: pd.DataFrame  # the first records, all strings, for detection
    encoding: str | None = None
    delimiter: str | None = None  # None for whitespace-aligned text
    has_header: bool = True
    sheet: str | int | None = None
    _payload: bytes | None = field(default=None, repr=False)  # decompressed/transcoded bytes
    _frame: pd.DataFrame | None = field(default=None, repr=False)  # formats read whole
    malformed: int = 0  # records skipped because their field count was wrong

    def read(self, usecols: list[str] | None = None) -> pd.DataFrame:
        """All records, restricted to ``usecols`` when given (order kept)."""
        if self._frame is not None:
            frame = self._frame
            return frame[usecols] if usecols is not None else frame
        if self.format == "text":
            frame = _read_whitespace(self)
            return frame[usecols] if usecols is not None else frame
        return _read_delimited(self, usecols)


def open_inputs(path: str, sheet: str | None = None) -> list[Input]:
    """Sniff ``path`` and return its table(s) with a sample each."""
    data, name = _load_bytes(path)
    return _open_payload(path, name, data, sheet)


# -- containers ---------------------------------------------------------------


def _load_bytes(path: str) -> tuple[bytes | None, str]:
    """Return (payload or None for a plain file read lazily, name)."""
    if not os.path.exists(path):
        raise InputError(path, "no such file")
    if os.path.isdir(path):
        raise InputError(path, "is a folder, not a file: pass the export file itself")
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    if size == 0:
        raise InputError(path, "file is empty (0 bytes): export it again")
    if head[:2] == b"\x1f\x8b" or head[:4] == b"PK\x03\x04":
        with open(path, "rb") as fh:
            return fh.read(), os.path.basename(path)
    return None, os.path.basename(path)


def _open_payload(path: str, name: str, data: bytes | None, sheet) -> list[Input]:
    head = data[:8] if data is not None else _head(path, 8)
    if head[:2] == b"\x1f\x8b":
        try:
            inner = gzip.decompress(data)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise InputError(path, f"is not a readable gzip file ({exc})") from None
        if not inner:
            raise InputError(path, "file is empty once decompressed")
        inner_name = name[:-3] if name.lower().endswith(".gz") else name
        return _open_payload(path, inner_name, inner, sheet)
    if head[:4] == b"PK\x03\x04":
        return _open_zip(path, data, sheet)
    if head[:4] == b"PAR1":
        return [_open_parquet(path, name, data)]
    if head[:4] == b"\xd0\xcf\x11\xe0":
        raise InputError(path, "is an old Excel .xls workbook: save it as .xlsx or CSV and try again")
    return [_open_text(path, name, data)]


def _head(path: str, n: int) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def _open_zip(path: str, data: bytes, sheet) -> list[Input]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = zf.namelist()
    except zipfile.BadZipFile as exc:
        raise InputError(path, f"is not a readable zip or xlsx file ({exc})") from None
    if "xl/workbook.xml" in names:
        return [_open_xlsx(path, os.path.basename(path), data, sheet)]
    members = [
        n
        for n in names
        if not n.endswith("/") and not n.startswith("__MACOSX/") and not os.path.basename(n).startswith(".")
    ]
    if not members:
        raise InputError(path, "zip archive holds no files")
    inputs: list[Input] = []
    for member in sorted(members):
        inputs.extend(_open_payload(path, member, zf.read(member), sheet))
    return inputs


# -- binary formats -------------------------------------------------------------


def _open_xlsx(path: str, name: str, data: bytes, sheet) -> Input:
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for broken files
        raise InputError(path, f"is not a readable XLSX workbook ({type(exc).__name__})") from None
    sheets = book.sheet_names
    if sheet is not None and sheet not in sheets:
        raise InputError(path, f"has no sheet {sheet!r}; sheets: {', '.join(sheets)}")
    chosen = sheet if sheet is not None else sheets[0]
    frame = pd.read_excel(book, sheet_name=chosen, dtype=str, keep_default_na=False)
    frame = _strip_frame(frame)
    frame = frame.dropna(how="all")  # Excel keeps formatted but empty rows
    if frame.shape[1] == 0 or len(frame.columns) == 0:
        raise InputError(path, f"sheet {chosen!r} is empty")
    return Input(path, name, "xlsx", list(frame.columns), frame.head(SAMPLE_RECORDS), sheet=chosen, _frame=frame)


def _open_parquet(path: str, name: str, data: bytes | None) -> Input:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data) if data is not None else path)
    except Exception as exc:
        raise InputError(path, f"is not a readable Parquet file ({exc})") from None
    frame = table.to_pandas()
    frame.columns = [str(c).strip() for c in frame.columns]
    return Input(path, name, "parquet", list(frame.columns), _as_strings(frame.head(SAMPLE_RECORDS)), _frame=frame)


# -- text formats -----------------------------------------------------------------


def _open_text(path: str, name: str, data: bytes | None) -> Input:
    if data is None:
        with open(path, "rb") as fh:
            raw_sample = fh.read(SAMPLE_BYTES)
    else:
        raw_sample = data[:SAMPLE_BYTES]
    encoding = _detect_encoding(path, raw_sample)
    whole = data is not None or len(raw_sample) < SAMPLE_BYTES
    text = _decode_sample(raw_sample, encoding, complete=whole)
    if _looks_binary(text):
        raise InputError(path, "is not a text export (binary content); expected CSV, XLSX, Parquet or JSON")
    stripped = text.lstrip()
    if not stripped:
        raise InputError(path, "file holds no data (only blank lines)")
    payload = data
    if encoding not in ("utf-8", "utf-8-sig"):
        # Transcode once so every reader downstream sees UTF-8.
        raw = data if data is not None else open(path, "rb").read()
        payload = _decode_all(path, raw, encoding).encode("utf-8")
        encoding = "utf-8"
    if stripped[0] in "[{":
        return _open_json(path, name, payload if payload is not None else open(path, "rb").read())
    return _open_delimited(path, name, text, encoding, payload)


def _detect_encoding(path: str, raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(raw) >= 4:
        even_nuls = raw[0:200:2].count(0)
        odd_nuls = raw[1:200:2].count(0)
        span = len(raw[0:200:2])
        if odd_nuls > 0.4 * span and even_nuls < 0.1 * span:
            return "utf-16-le"
        if even_nuls > 0.4 * span and odd_nuls < 0.1 * span:
            return "utf-16-be"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3:  # a character cut by the sample's end
            return "utf-8"
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _decode_sample(raw: bytes, encoding: str, complete: bool) -> str:
    text = raw.decode(encoding, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not complete:
        cut = text.rfind("\n")
        text = text[: cut + 1] if cut > 0 else text
    return text


def _decode_all(path: str, raw: bytes, encoding: str) -> str:
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"is not valid {encoding} text (byte {exc.start})") from None
    return text[1:] if text.startswith("\ufeff") else text


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\ufffd")
    return bad > 0.02 * len(sample)


def _open_delimited(path: str, name: str, text: str, encoding: str, payload: bytes | None) -> Input:
    delimiter, records = _sniff_delimiter(text)
    if delimiter is None:
        ws = _whitespace_records(text)
        if ws is None:
            raise InputError(
                path,
                "could not find columns: expected a delimited export (comma, semicolon, tab or pipe) "
                "with the same number of fields on every line",
            )
        records = ws
    has_header = not _looks_like_data(records[0])
    if has_header:
        columns = _unique_names([c.strip() for c in records[0]])
        body = records[1:]
    else:
        columns = [f"column_{i + 1}" for i in range(len(records[0]))]
        body = records
    if has_header and not body and _is_whole(text, payload):
        raise InputError(path, "has a header but no data rows")
    width = len(columns)
    rows = [r + [""] * (width - len(r)) if len(r) < width else r[:width] for r in body[:SAMPLE_RECORDS]]
    sample = _strip_frame(pd.DataFrame(rows, columns=columns, dtype=object))
    return Input(
        path,
        name,
        "csv" if delimiter is not None else "text",
        columns,
        sample,
        encoding=encoding,
        delimiter=delimiter,
        has_header=has_header,
        _payload=payload,
    )


def _is_whole(text: str, payload: bytes | None) -> bool:
    return payload is not None or len(text.encode("utf-8")) < SAMPLE_BYTES - 4


def _sniff_delimiter(text: str) -> tuple[str | None, list[list[str]]]:
    """Pick the delimiter that splits the sample into the most, and consistent, fields."""
    best: tuple[int, str, list[list[str]]] | None = None
    for delim in DELIMITERS:
        try:
            records = [r for r in csv.reader(io.StringIO(text), delimiter=delim) if r and any(c.strip() for c in r)]
        except csv.Error:
            continue
        records = records[: SAMPLE_RECORDS + 1]
        if not records:
            continue
        width = len(records[0])
        if width < 2:
            continue
        body = records[1:-1] or records[1:]
        consistent = sum(1 for r in body if len(r) == width)
        if body and consistent < 0.9 * len(body):
            continue
        if best is None or width > best[0]:
            best = (width, delim, records)
    if best is None:
        return None, []
    return best[1], best[2]


def _whitespace_records(text: str) -> list[list[str]] | None:
    lines = [ln.split() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return None
    width = len(lines[0])
    if width < 2 or sum(1 for ln in lines if len(ln) == width) < 0.9 * len(lines):
        return None
    return lines[: SAMPLE_RECORDS + 1]


_DATA_CELL = re.compile(r"^[\s$€£+\-(]*[\d][\d\s.,:/\-T+Z)]*$")


def _looks_like_data(first_row: list[str]) -> bool:
    """A first row whose every non-empty cell is a number or a date is data, not a header."""
    cells = [c.strip() for c in first_row if c.strip()]
    return bool(cells) and all(_DATA_CELL.match(c) for c in cells)


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, n in enumerate(names):
        n = n or f"column_{i + 1}"
        if n in seen:
            seen[n] += 1
            n = f"{n}.{seen[n]}"
        else:
            seen[n] = 0
        out.append(n)
    return out


def _read_delimited(inp: Input, usecols: list[str] | None, count_malformed: bool = False) -> pd.DataFrame:
    """Read with pyarrow. Rows with the wrong number of fields fail the fast read; the
    retry skips and counts them (the row handler is a Python callback, so it is only
    paid for when a file needs it)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    malformed = 0

    def skip(row) -> str:
        nonlocal malformed
        malformed += 1
        return "skip"

    source = io.BytesIO(inp._payload) if inp._payload is not None else inp.path
    wanted = usecols if usecols is not None else inp.columns
    try:
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(
                column_names=inp.columns,
                skip_rows=1 if inp.has_header else 0,
                block_size=1 << 24,
                encoding="utf8",
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=inp.delimiter, newlines_in_values=True, invalid_row_handler=skip if count_malformed else None
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.large_string() for c in wanted},  # what pandas keeps: no cast
                include_columns=wanted,
                null_values=list(NULL_TOKENS),
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        message = str(exc).splitlines()[0]
        if "UTF8" in message or "utf8" in message or "UTF-8" in message:
            raw = inp._payload if inp._payload is not None else open(inp.path, "rb").read()
            inp._payload = raw.decode("cp1252", errors="replace").encode("utf-8")
            inp.encoding = "cp1252"
            return _read_delimited(inp, usecols, count_malformed)
        if not count_malformed and "Expected" in message and "columns" in message:
            return _read_delimited(inp, usecols, count_malformed=True)
        raise InputError(inp.path, f"could not be read as {_delim_name(inp.delimiter)}-separated text: {message}") from None
    inp.malformed = malformed
    return _arrow_frame(table)


def _arrow_frame(table) -> pd.DataFrame:
    """Trimmed Arrow string columns (blank and NA spellings missing) as a pandas frame, no copies."""
    from custseg.ingest.text import trimmed

    # The reader already nulled the NA spellings; trimming can only leave blanks behind.
    columns = {name.strip(): pd.arrays.ArrowStringArray(trimmed(col)) for name, col in zip(table.column_names, table.columns)}
    return pd.DataFrame(columns)


def _delim_name(d: str | None) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", None: "whitespace"}[d]


def _read_whitespace(inp: Input) -> pd.DataFrame:
    source = io.BytesIO(inp._payload) if inp._payload is not None else inp.path
    frame = pd.read_csv(
        source,
        sep=r"\s+",
        header=0 if inp.has_header else None,
        names=None if inp.has_header else inp.columns,
        dtype=str,
        keep_default_na=False,
        engine="c",
        on_bad_lines="skip",
    )
    frame.columns = inp.columns
    return _strip_frame(frame)


def _open_json(path: str, name: str, payload: bytes) -> Input:
    text = payload.decode("utf-8", errors="replace").lstrip("\ufeff")
    records: list[dict] = []
    fmt = "json"
    malformed = 0
    try:
        doc = json.loads(text)
        if isinstance(doc, dict):
            lists = [v for v in doc.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
            if len(lists) != 1:
                raise InputError(path, "JSON object holds no single list of records; expected a list of objects")
            doc = lists[0]
        if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
            raise InputError(path, "JSON is not a list of records (objects)")
        records = doc
    except json.JSONDecodeError:
        fmt = "jsonl"
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                malformed += 1
                continue
            if isinstance(rec, dict):
                records.append(rec)
            else:
                malformed += 1
        if not records:
            raise InputError(path, "is neither JSON nor JSON Lines with one object per line")
    if not records:
        raise InputError(path, "holds no records")
    frame = pd.json_normalize(records, max_level=1)
    frame.columns = [str(c) for c in frame.columns]
    for col in frame.columns:  # nested values deeper than one level are kept as JSON text
        if frame[col].map(lambda v: isinstance(v, (dict, list))).any():
            frame[col] = frame[col].map(lambda v: json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v)
    inp = Input(path, name, fmt, list(frame.columns), _as_strings(frame.head(SAMPLE_RECORDS)), _frame=frame)
    inp.malformed = malformed
    return inp


# -- helpers ---------------------------------------------------------------------


def _strip_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Trim cells and turn blank / NA spellings into missing values."""
    frame.columns = [str(c).strip() for c in frame.columns]
    out = {}
    for col in frame.columns:
        s = frame[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            s = s.str.strip()
            s = s.where(~s.isin(NULL_TOKENS), None)
        out[col] = s
    return pd.DataFrame(out, index=frame.index)


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None).map(lambda v: None if v is None else str(v))
