"""The on-disk schema of SKU-day panels, the problem reports, and reading files (whole or in SKU chunks).

One row per series and day. A *series* is a SKU at a location: the key is
``sku_id`` (plus ``location_id`` when the column exists).

==================== ========== ===========================================================
column               required   meaning
==================== ========== ===========================================================
``sku_id``           yes        product identifier (any type; CSV reads it as text)
``location_id``      no         warehouse / store; the series key becomes (sku_id, location_id)
``date``             yes        the day (Parquet date/timestamp, or ISO 8601 ``YYYY-MM-DD`` text)
``demand``           one of     units demanded that day (>= 0); taken as true demand
``sales``            the two    units sold that day (>= 0); may understate demand on stockout days
``stockout``         no         1/True when the item ran out that day (sales are censored)
``on_hand``          no         end-of-day stock (>= 0); ``on_hand <= 0`` marks a stockout
                                when ``stockout`` is absent
``lead_time``        no         per-series L, whole days >= 0 (constant within a series)
``review_period``    no         per-series P, whole days >= 1 (constant within a series)
``holding_cost``     no         per-series h >= 0, money per unit-day (constant within a series)
``penalty_cost``     no         per-series p >= 0 (constant within a series)
``forecast_next_7``  no         an external forecast of mean daily demand over days t .. t+6,
``forecast_next_28``            and over t .. t+27, made on the morning of day t (both or none)
anything else        no         numeric feature columns (promotion flags, prices, ...), per day
==================== ========== ===========================================================

Every series must have one row per day from its first to its last day (no gaps,
no duplicates); series may start and end on different days (new and discontinued
SKUs). Rows may come in any order for :func:`~gym_inventory.data.load_panel`;
streaming evaluation needs each series' rows to be contiguous.

Problems are reported with the file, the row (1-based data row: row 1 is the
first row after a CSV's header, i.e. line 2) and the column.
"""
from __future__ import annotations

import os
from typing import Iterator, NamedTuple

import numpy as np
import pandas as pd

SKU = "sku_id"
LOCATION = "location_id"
DATE = "date"
DEMAND = "demand"
SALES = "sales"
STOCKOUT = "stockout"
ON_HAND = "on_hand"
#: Per-series parameters: column -> (kind, minimum). They override the env's value per series.
SKU_PARAMETERS = {"lead_time": ("int", 0), "review_period": ("int", 1), "holding_cost": ("real", 0), "penalty_cost": ("real", 0)}
#: External forecast columns, in the order of feat(x) entries 2 and 3.
FORECAST_COLUMNS = ("forecast_next_7", "forecast_next_28")
#: Columns that are never feature columns.
RESERVED = (SKU, LOCATION, DATE, DEMAND, SALES, STOCKOUT, ON_HAND, *SKU_PARAMETERS, *FORECAST_COLUMNS)

PARQUET_SUFFIXES = (".parquet", ".pq")
CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zip")
ON_ERROR = ("raise", "skip")
#: Problems listed in full in an error message; the rest are counted.
LISTED_PROBLEMS = 10


class PanelProblem(NamedTuple):
    """One problem found in a panel: where it is and what is wrong.

    ``row`` is the 1-based data row (None for a problem of the whole file or column);
    ``series`` the key of the series it belongs to (None when the row has no key).
    """

    source: str
    row: int | None
    column: str | None
    message: str
    series: tuple | None = None

    def __str__(self):
        where = [self.source]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return ", ".join(where) + ": " + self.message


def raise_problems(problems: list, source: str, hint: str = "") -> None:
    """Raise one ``ValueError`` listing ``problems`` (the first few in full), if there are any."""
    if not problems:
        return
    if len(problems) == 1:
        raise ValueError(str(problems[0]) + hint)
    listed = "; ".join(str(problem) for problem in problems[:LISTED_PROBLEMS])
    more = len(problems) - LISTED_PROBLEMS
    tail = f"; and {more} more" if more > 0 else ""
    raise ValueError(f"{len(problems)} problems in {source}: {listed}{tail}{hint}")


def series_label(key: tuple) -> str:
    """``SKU 'A'`` or ``SKU 'A' at location 'W1'`` for messages."""
    text = f"SKU {key[0]!r}"
    return text if len(key) == 1 else f"{text} at location {key[1]!r}"


def panel_format(path) -> str:
    """``"parquet"`` or ``"csv"`` from the file name, else ``ValueError`` naming the path."""
    name = os.fspath(path).lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    raise ValueError(f"panel file {os.fspath(path)!r} must end in one of {list(PARQUET_SUFFIXES + CSV_SUFFIXES)}")


def check_source(path) -> str:
    """The path as a string, checked to be an existing file of a known format."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path or a pandas DataFrame, got {path!r}")
    panel_format(path)
    if not os.path.isfile(path):
        raise ValueError(f"panel file {os.fspath(path)!r} does not exist")
    return os.fspath(path)


def _csv_dtypes() -> dict:
    # Keys stay text: "007" must not become 7.
    return {SKU: "str", LOCATION: "str"}


def file_errors(source: str, reads):
    """``reads`` (an iterator over a panel file's pieces) with unreadable content -- an empty CSV, bytes that are
    not UTF-8, a bad Parquet footer -- raised as ``ValueError`` naming ``source``."""
    import pyarrow as pa

    try:
        yield from reads() if callable(reads) else reads
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError, pa.ArrowException) as error:
        message = " ".join(str(error).split())[:300] or type(error).__name__
        raise ValueError(f"panel file {source!r} cannot be read: {message}") from None


def read_panel(path) -> pd.DataFrame:
    """The whole panel file as a DataFrame."""
    source = check_source(path)
    if panel_format(source) == "parquet":
        import pyarrow.parquet as pq

        return next(file_errors(source, lambda: iter([pq.read_table(source).to_pandas(date_as_object=False)])))
    return next(file_errors(source, lambda: iter([pd.read_csv(source, dtype=_csv_dtypes())])))


def iter_series_chunks(path, max_series: int, rows_per_read: int = 1_000_000) -> Iterator[tuple[pd.DataFrame, int]]:
    """Read a panel in pieces of whole series: yields ``(frame, row_offset)``.

    Each frame holds the complete rows of up to ``max_series`` series (a series is
    never split between frames, which needs its rows to be contiguous in the file);
    ``row_offset`` is the number of data rows before the frame. Memory stays bounded
    by about ``max_series`` series plus one read of ``rows_per_read`` rows.
    """
    source = check_source(path)
    if panel_format(source) == "parquet":
        import pyarrow.parquet as pq

        reads = file_errors(source, lambda: (batch.to_pandas(date_as_object=False)
                                             for batch in pq.ParquetFile(source).iter_batches(rows_per_read)))
    else:
        reads = file_errors(source, lambda: pd.read_csv(source, dtype=_csv_dtypes(), chunksize=rows_per_read))
    pieces: list = []  # reads not yet yielded, concatenated only when a frame is cut from them
    n_series = 0  # series starting in them
    offset = 0
    for piece in reads:
        if SKU not in piece:
            raise ValueError(f"{source}: missing column {SKU!r}; columns found: {list(piece.columns)}")
        if not len(piece):
            continue
        starts = len(_series_starts(piece))
        if pieces and _key(pieces[-1], -1) == _key(piece, 0):
            starts -= 1  # the first series continues from the previous read
        pieces.append(piece)
        n_series += starts
        # The last series may continue in the next read: cut only before a later start.
        while n_series > max_series:
            pending = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0]
            cut = _series_starts(pending)[max_series]
            yield pending.iloc[:cut].reset_index(drop=True), offset
            offset += cut
            rest = pending.iloc[cut:].reset_index(drop=True)
            pieces, n_series = [rest], len(_series_starts(rest))
    if pieces:
        yield (pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0]), offset


def _key(frame: pd.DataFrame, row: int) -> tuple:
    return tuple(frame[column].iloc[row] for column in (SKU, LOCATION) if column in frame)


def _series_starts(frame: pd.DataFrame) -> np.ndarray:
    """Row positions where a new run of equal keys starts (0 included)."""
    change = np.zeros(len(frame), dtype=bool)
    if len(frame):
        change[0] = True
    for column in (SKU, LOCATION):
        if column in frame:
            values = frame[column]
            # Vectorized on the column's own storage (no Python objects); a missing key differs from all.
            change |= values.ne(values.shift()).to_numpy(dtype=bool, na_value=True)
    return np.flatnonzero(change)
