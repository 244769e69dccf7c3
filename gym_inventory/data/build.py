"""Validate a panel frame and build its series: one block of consecutive days per series.

Every check is vectorized over rows; each problem is reported with the file, the
row and the column (see :class:`~gym_inventory.data.schema.PanelProblem`). Nothing
is dropped silently: with ``on_error="raise"`` any problem raises, with ``"skip"``
the series with problems are left out and their problems returned.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from gym_inventory.data.censored import CENSORED_METHODS, infer_censored_demand
from gym_inventory.data.schema import (
    DATE, DEMAND, FORECAST_COLUMNS, LOCATION, ON_ERROR, ON_HAND, RESERVED, SALES, SKU, SKU_PARAMETERS, STOCKOUT,
    PanelProblem, raise_problems, series_label,
)
from gym_inventory.params import check_choice, check_int

SKIP_HINT = "; pass on_error='skip' to leave out the series with problems and report them"


@dataclass(frozen=True, eq=False)
class Panel:
    """Validated series, stored flat: series ``i`` owns rows ``offsets[i]:offsets[i + 1]``, one per day.

    Per-row arrays have ``rows`` entries in series order then day order; per-series
    arrays have ``n_series`` entries. Days are integers: days since 1970-01-01.
    """

    source: str
    sku_id: np.ndarray  # (n_series,) object
    location_id: np.ndarray | None  # (n_series,) object, or None without a location column
    first_day: np.ndarray  # (n_series,) int64
    offsets: np.ndarray  # (n_series + 1,) int64
    first_row: np.ndarray  # (n_series,) int64, the file's data row of each series' first day
    demand: np.ndarray  # (rows,) float64, inferred on censored days
    sales: np.ndarray  # (rows,) float64, as in the file (= demand without a sales column)
    censored: np.ndarray  # (rows,) bool, stockout days
    inferred: np.ndarray  # (rows,) bool, days whose demand was inferred
    dynamic: np.ndarray  # (rows, n_features) float64 feature columns
    dynamic_names: tuple
    forecasts: np.ndarray | None  # (rows, 2) forecast_next_7, forecast_next_28, or None
    parameters: dict  # per-series column name -> (n_series,) array
    integer: bool  # every demand value is a whole number

    @property
    def n_series(self) -> int:
        return len(self.first_day)

    @cached_property
    def length(self) -> np.ndarray:
        """Days of each series, ``(n_series,)``."""
        return np.diff(self.offsets)

    @cached_property
    def cumulative(self) -> np.ndarray:
        """``(rows + 1,)`` running sum of demand, for window sums in O(1)."""
        return np.concatenate([[0.0], np.cumsum(self.demand)])

    def key(self, index: int) -> tuple:
        """The key of series ``index``: ``(sku_id,)`` or ``(sku_id, location_id)``."""
        if self.location_id is None:
            return (self.sku_id[index],)
        return (self.sku_id[index], self.location_id[index])


class _Checks:
    """Collects problems: at most one per series and check, with a count of the rows like it."""

    def __init__(self, source, codes, rows, key_of, n_series):
        self.source, self.codes, self.rows, self.key_of = source, codes, rows, key_of
        self.bad = np.zeros(n_series, dtype=bool)
        self.problems: list[PanelProblem] = []

    def flag(self, mask: np.ndarray, column: str, describe) -> None:
        where = np.flatnonzero(mask)
        if where.size == 0:
            return
        codes, first, counts = np.unique(self.codes[where], return_index=True, return_counts=True)
        for code, position, count in zip(codes.tolist(), first.tolist(), counts.tolist()):
            index = where[position]
            more = f" (and {count - 1} more rows like it)" if count > 1 else ""
            series = None if code < 0 else self.key_of(code)
            prefix = "" if series is None else series_label(series) + ": "
            if series is not None:
                self.bad[code] = True
            self.problems.append(PanelProblem(self.source, int(self.rows[index]), column, prefix + describe(index) + more, series))


def build_panel(
    frame: pd.DataFrame,
    *,
    source: str = "<DataFrame>",
    row_offset: int = 0,
    min_days: int = 1,
    feature_columns=None,
    censored_demand: str = "weekday_mean",
    censored_weeks: int = 4,
    on_error: str = "raise",
) -> tuple[Panel, list[PanelProblem]]:
    """Validate ``frame`` (columns of :mod:`~gym_inventory.data.schema`) and build its series.

    Args:
        frame: the rows, in any order.
        source: the file name used in messages.
        row_offset: data rows of the file before ``frame`` (for row numbers in messages).
        min_days: fewest days a series may have.
        feature_columns: the feature columns; None: every column outside the schema
            (each must be numeric).
        censored_demand, censored_weeks: see :mod:`~gym_inventory.data.censored`.
        on_error: ``"raise"`` or ``"skip"`` (leave out series with problems).

    Returns:
        ``(panel, problems)``; ``problems`` lists what was left out (only with ``"skip"``).

    Raises:
        ValueError: a missing or non-numeric column (always), or any problem with ``"raise"``.
    """
    check_choice("on_error", on_error, ON_ERROR)
    check_choice("censored_demand", censored_demand, CENSORED_METHODS)
    min_days = check_int("min_days", min_days, 1)
    censored_weeks = check_int("censored_weeks", censored_weeks, 1)
    features = _check_columns(frame, source, feature_columns, censored_demand)
    n_rows = len(frame)
    rows = np.arange(row_offset + 1, row_offset + n_rows + 1, dtype=np.int64)
    codes, sku_ids, location_ids = _series_codes(frame)

    def key_of(code):
        return (sku_ids[code],) if location_ids is None else (sku_ids[code], location_ids[code])

    checks = _Checks(source, codes, rows, key_of, len(sku_ids))
    checks.flag(codes < 0, SKU if location_ids is None else f"{SKU}/{LOCATION}", lambda i: "missing series key")
    day, day_ok = _parse_days(frame[DATE], checks)
    numbers = {}
    for name in (DEMAND, SALES, ON_HAND, *FORECAST_COLUMNS, *SKU_PARAMETERS, *features):
        if name in frame:
            numbers[name] = _parse_numbers(frame[name], name, checks, minimum=_minimum(name))
    for name, (kind, _) in SKU_PARAMETERS.items():
        if name in numbers and kind == "int" and not _whole_typed(frame[name]):
            values = numbers[name]
            checks.flag(np.isfinite(values) & (values != np.round(values)), name,
                        lambda i, v=values: f"{_shown(v[i])} is not a whole number of days")
    stockout = _parse_flags(frame[STOCKOUT], checks) if STOCKOUT in frame else None

    order, identity = _sorted_rows(codes, day, day_ok)
    length = _check_sorted(order, identity, codes, day, rows, numbers, checks)
    short = np.zeros(n_rows, dtype=bool)
    short_series = np.flatnonzero((length < min_days) & ~checks.bad)
    if short_series.size:
        first_rows = order[np.searchsorted(codes[order], short_series)]
        short[first_rows] = True
    checks.flag(short, DATE, lambda i: f"only {length[codes[i]]} days of data, fewer than min_days={min_days}")

    checks.problems.sort(key=lambda problem: -1 if problem.row is None else problem.row)
    if on_error == "raise":
        raise_problems(checks.problems, source, SKIP_HINT)
    kept = order[~checks.bad[codes[order]]]
    kept_codes = codes[kept]
    starts = np.flatnonzero(np.concatenate([[True], kept_codes[1:] != kept_codes[:-1]])) if kept.size else np.zeros(0, np.int64)
    offsets = np.concatenate([starts, [kept.size]]).astype(np.int64)
    series_codes = kept_codes[starts]
    quantity = numbers[DEMAND] if DEMAND in numbers else numbers[SALES]
    sales = (numbers[SALES] if SALES in numbers else quantity)[kept]
    if stockout is not None:
        censored = stockout[kept]
    elif ON_HAND in numbers:
        censored = numbers[ON_HAND][kept] <= 0
    else:
        censored = np.zeros(kept.size, dtype=bool)
    forecasts = np.stack([numbers[name][kept] for name in FORECAST_COLUMNS], axis=1) if FORECAST_COLUMNS[0] in numbers else None
    integer = _whole_typed(frame[SALES if SALES in frame else DEMAND]) or bool(np.all(sales == np.round(sales)))
    if DEMAND in numbers:
        demand, inferred = quantity[kept], np.zeros(kept.size, dtype=bool)
        integer = _whole_typed(frame[DEMAND]) or bool(np.all(demand == np.round(demand)))
    else:
        demand, inferred = infer_censored_demand(
            sales, censored, offsets, method=censored_demand, weeks=censored_weeks,
            forecast=None if forecasts is None else forecasts[:, 0], integer=integer,
        )
    panel = Panel(
        source=source,
        sku_id=sku_ids[series_codes],
        location_id=None if location_ids is None else location_ids[series_codes],
        first_day=day[kept][starts],
        offsets=offsets,
        first_row=rows[kept][starts],
        demand=demand,
        sales=sales,
        censored=censored,
        inferred=inferred,
        dynamic=np.stack([numbers[name][kept] for name in features], axis=1) if features else np.zeros((kept.size, 0)),
        dynamic_names=tuple(features),
        forecasts=forecasts,
        parameters={name: numbers[name][kept][starts] for name in SKU_PARAMETERS if name in numbers},
        integer=integer,
    )
    return panel, checks.problems


def _check_columns(frame, source, feature_columns, censored_demand) -> list:
    """File-level checks (always raised); returns the feature column names."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    found = [str(column) for column in frame.columns]
    missing = [name for name in (SKU, DATE) if name not in frame]
    if DEMAND not in frame and SALES not in frame:
        missing.append(f"{DEMAND} (or {SALES})")
    if missing:
        raise ValueError(f"{source}: missing column(s) {missing}; columns found: {found}")
    given = [name for name in FORECAST_COLUMNS if name in frame]
    if len(given) == 1:
        raise ValueError(f"{source}: column {given[0]!r} needs its partner; give both {list(FORECAST_COLUMNS)} or neither")
    if censored_demand == "forecast" and not given:
        raise ValueError(f"{source}: censored_demand='forecast' needs the columns {list(FORECAST_COLUMNS)}")
    if feature_columns is None:
        features = [column for column in frame.columns if column not in RESERVED]
    else:
        if isinstance(feature_columns, str) or not all(isinstance(name, str) for name in feature_columns):
            raise TypeError(f"feature_columns must be a list of column names, got {feature_columns!r}")
        features = list(feature_columns)
        for name in features:
            if name not in frame or name in RESERVED:
                what = "a schema column" if name in RESERVED else "not in the file"
                raise ValueError(f"{source}: feature column {name!r} is {what}; columns found: {found}")
    for name in features:
        column = frame[name]
        if not isinstance(name, str):
            raise ValueError(f"{source}: column name {name!r} must be text")
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)):
            if column.notna().any() and pd.to_numeric(column, errors="coerce").isna().all():
                raise ValueError(
                    f"{source}, column {name!r}: not numeric (e.g. {column.dropna().iloc[0]!r}); feature columns must be "
                    "numbers: choose them with feature_columns=[...]"
                )
    return features


def _whole_typed(column: pd.Series) -> bool:
    """The column's type holds whole numbers only (no per-value check needed)."""
    return pd.api.types.is_integer_dtype(column) or pd.api.types.is_bool_dtype(column)


def _minimum(name: str) -> float | None:
    if name in SKU_PARAMETERS:
        return SKU_PARAMETERS[name][1]
    return None if name not in (DEMAND, SALES, ON_HAND, *FORECAST_COLUMNS) else 0.0


def _series_codes(frame):
    """Per-row series codes (-1 without a key) and the keys' sku and location of each code.

    Keys are compared row to row first (vectorized on the columns' own storage), and
    only the first row of each run of equal keys is factorized: on a file sorted by
    key that is one row per series instead of every row.
    """
    change = np.zeros(len(frame), dtype=bool)
    change[:1] = True
    for column in (SKU, LOCATION):
        if column in frame:
            values = frame[column]
            change |= values.ne(values.shift()).to_numpy(dtype=bool, na_value=True)
    heads = np.flatnonzero(change)
    run = np.cumsum(change) - 1
    sku_codes, sku_values = pd.factorize(frame[SKU].iloc[heads])
    sku_values = np.asarray(sku_values, dtype=object)
    if LOCATION not in frame:
        return np.asarray(sku_codes, dtype=np.int64)[run], sku_values, None
    location_codes, location_values = pd.factorize(frame[LOCATION].iloc[heads])
    location_values = np.asarray(location_values, dtype=object)
    width = max(len(location_values), 1)
    has_key = (sku_codes >= 0) & (location_codes >= 0)
    pairs = sku_codes.astype(np.int64) * width + location_codes
    head_codes = np.full(len(heads), -1, dtype=np.int64)
    head_codes[has_key], unique_pairs = pd.factorize(pairs[has_key])
    unique_pairs = np.asarray(unique_pairs, dtype=np.int64)
    return head_codes[run], sku_values[unique_pairs // width], location_values[unique_pairs % width]


def _parse_days(column: pd.Series, checks: _Checks):
    """Days since 1970-01-01 per row, and which rows hold a valid date."""
    missing = column.isna().to_numpy(dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(column):
        stamps = column.dt.tz_localize(None) if getattr(column.dt, "tz", None) is not None else column
    else:
        stamps = pd.to_datetime(column, errors="coerce", format="ISO8601")
    stamps = stamps.to_numpy()
    valid = ~np.isnat(stamps)
    # On the integer ticks: one floor division gives the day, its remainder a time of day.
    per_day = np.timedelta64(1, "D") // np.timedelta64(1, np.datetime_data(stamps.dtype)[0])
    day, remainder = np.divmod(stamps.view(np.int64), per_day)
    day[~valid] = 0
    with_time = valid & (remainder != 0)
    checks.flag(missing, DATE, lambda i: "missing date")
    checks.flag(~valid & ~missing, DATE, lambda i: f"{_shown(column.iloc[i])} is not a date (write YYYY-MM-DD)")
    checks.flag(with_time, DATE, lambda i: f"{_shown(column.iloc[i])} has a time of day; rows must be whole days")
    return day, valid & ~with_time


def _parse_numbers(column: pd.Series, name: str, checks: _Checks, minimum: float | None) -> np.ndarray:
    """float64 values (NaN where unusable); flags missing, non-numeric, infinite and too small values."""
    missing = column.isna().to_numpy(dtype=bool)
    if pd.api.types.is_integer_dtype(column) or pd.api.types.is_bool_dtype(column):
        if isinstance(column.dtype, np.dtype):  # plain numpy storage: no missing values possible
            values = column.to_numpy().astype(np.float64)
        else:
            values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        checks.flag(missing, name, lambda i: "missing value")
        if minimum is not None and values.size and values.min(initial=np.inf) < minimum:
            _flag_below(values, minimum, name, checks)
        return values
    if pd.api.types.is_numeric_dtype(column):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    checks.flag(missing, name, lambda i: "missing value")
    checks.flag(np.isnan(values) & ~missing, name, lambda i: f"{_shown(column.iloc[i])} is not a number")
    checks.flag(np.isinf(values), name, lambda i: f"{_shown(values[i])} is not finite")
    if minimum is not None:
        _flag_below(values, minimum, name, checks)
    return values


def _flag_below(values, minimum, name, checks) -> None:
    checks.flag(values < minimum, name,
                lambda i: f"{values[i]:g} is negative" if minimum == 0 else f"{values[i]:g} is below {minimum:g}")


_FLAG_WORDS = {"true": 1.0, "false": 0.0, "yes": 1.0, "no": 0.0, "1": 1.0, "0": 0.0, "1.0": 1.0, "0.0": 0.0}


def _parse_flags(column: pd.Series, checks: _Checks) -> np.ndarray:
    """Stockout flags: booleans, 0/1, or the words true/false/yes/no."""
    missing = column.isna().to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        values = column.astype(str).str.strip().str.lower().map(_FLAG_WORDS).to_numpy(dtype=np.float64, na_value=np.nan)
    checks.flag(missing, STOCKOUT, lambda i: "missing value")
    checks.flag(~missing & ~np.isin(values, (0.0, 1.0)), STOCKOUT, lambda i: f"{_shown(column.iloc[i])} is not a flag (0/1, true/false)")
    return values == 1.0


def _sorted_rows(codes, day, day_ok) -> tuple[np.ndarray, bool]:
    """Positions of the rows with a key and a date, by series then day, and whether that is every
    row in file order (a clean sorted file: then nothing is copied)."""
    usable = (codes >= 0) & day_ok
    if usable.all():
        usable, c, d = None, codes, day  # no copies: the common case of a clean file
    else:
        usable = np.flatnonzero(usable)
        c, d = codes[usable], day[usable]
    in_order = c.size < 2 or bool(np.all((c[1:] > c[:-1]) | ((c[1:] == c[:-1]) & (d[1:] >= d[:-1]))))
    if usable is None:
        return (np.arange(len(codes)), True) if in_order else (np.lexsort((d, c)), False)
    return (usable if in_order else usable[np.lexsort((d, c))]), False


def _check_sorted(order, identity, codes, day, rows, numbers, checks) -> np.ndarray:
    """Duplicates, gaps and per-series constants along each series; returns days per series."""

    def along(values):  # values in sorted order (a view when the file is sorted)
        return values if identity else values[order]

    c, d = along(codes), along(day)
    same = c[1:] == c[:-1]
    step = d[1:] - d[:-1]
    partner = {}  # frame position -> the position of the row before it in its series

    def at(mask):
        flags = np.zeros(len(codes), dtype=bool)
        hits = np.flatnonzero(mask)
        if hits.size:
            flags[order[hits + 1]] = True
            partner.update(zip(order[hits + 1].tolist(), order[hits].tolist()))
        return flags

    checks.flag(at(same & (step == 0)), DATE, lambda i: f"duplicate date {_date(day[i])} (also on row {rows[partner[i]]})")
    checks.flag(
        at(same & (step > 1)), DATE,
        lambda i: f"date gap: no rows for the {day[i] - day[partner[i]] - 1} days between {_date(day[partner[i]])} "
        f"(row {rows[partner[i]]}) and {_date(day[i])}",
    )
    for name in SKU_PARAMETERS:
        if name in numbers:
            values = numbers[name]
            v = along(values)
            changes = same & (v[1:] != v[:-1]) & np.isfinite(v[1:]) & np.isfinite(v[:-1])
            checks.flag(
                at(changes), name,
                lambda i, v=values: f"{name} changes within the series ({v[partner[i]]:g} on row {rows[partner[i]]}, "
                f"{v[i]:g} here); per-series columns must be constant",
            )
    return np.bincount(c, minlength=len(checks.bad)) if c.size else np.zeros(len(checks.bad), dtype=np.int64)


def _shown(value) -> str:
    """A cell for a message: text quoted, numbers plain (``1.5``, not ``np.float64(1.5)``)."""
    return repr(value) if isinstance(value, str) else str(value)


def _date(day: int) -> str:
    return str(np.datetime64(int(day), "D"))
