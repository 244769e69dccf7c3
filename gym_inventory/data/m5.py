"""Adapter for the M5 (Walmart) competition files: wide daily sales -> a panel in the schema.

M5 ships ``sales_train_*.csv`` (one row per item and store: ``id, item_id, dept_id,
cat_id, store_id, state_id, d_1 .. d_N`` units sold per day), ``calendar.csv``
(``date, wm_yr_wk, ..., d, event_name_1, ..., snap_CA, snap_TX, snap_WI``) and
optionally ``sell_prices.csv`` (``store_id, item_id, wm_yr_wk, sell_price``).

The panel: ``sku_id`` = item_id, ``location_id`` = store_id, ``date`` from the
calendar's ``d`` -> ``date``, ``sales`` (M5 has no stock data: no stockout flags,
so demand = sales), and the feature columns ``sell_price`` (the week's price,
carried forward over weeks without one), ``snap`` (the store state's SNAP day
flag) and ``event`` (1 on days with a calendar event), each when its source is
there. A series starts on its first day with a price (the item was on sale), or
without prices on its first day with a sale (the leading zeros of M5 are days
before launch); a series that never sells keeps all its days.
"""
from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

_DAY = re.compile(r"d_(\d+)")


def m5_to_panel(sales, calendar, prices=None, *, stores=None, items=None) -> pd.DataFrame:
    """The M5 files (paths or DataFrames) as a panel DataFrame in the schema.

    Args:
        sales: the wide sales table (``item_id``, ``store_id``, optional ``state_id``, ``d_1 ..``).
        calendar: the calendar (``date``, ``d``; optional ``wm_yr_wk``, ``event_name_1``, ``snap_XX``).
        prices: optional weekly prices (``store_id``, ``item_id``, ``wm_yr_wk``, ``sell_price``).
        stores, items: optional lists keeping only these store_id / item_id values.

    Raises:
        ValueError: a missing column, a day column absent from the calendar,
            non-consecutive days, or a missing, non-numeric or negative sale (with row and column).
    """
    sales_name, sales = _table(sales, "sales")
    calendar_name, calendar = _table(calendar, "calendar")
    _require(sales, sales_name, ("item_id", "store_id"))
    _require(calendar, calendar_name, ("date", "d"))
    sales = sales.reset_index(drop=True)
    file_rows = np.arange(1, len(sales) + 1)
    keep = np.ones(len(sales), dtype=bool)
    if stores is not None:
        keep &= sales["store_id"].isin(list(stores)).to_numpy()
    if items is not None:
        keep &= sales["item_id"].isin(list(items)).to_numpy()
    sales, file_rows = sales[keep].reset_index(drop=True), file_rows[keep]
    day_columns = sorted((c for c in sales.columns if isinstance(c, str) and _DAY.fullmatch(c)), key=lambda c: int(c[2:]))
    if not day_columns:
        raise ValueError(f"{sales_name}: no day columns d_1 .. d_N; columns found: {list(sales.columns)[:10]}")
    numbers = [int(c[2:]) for c in day_columns]
    gaps = [f"d_{k}" for k in range(numbers[0], numbers[-1] + 1) if k not in set(numbers)]
    if gaps:
        raise ValueError(f"{sales_name}: day columns must be consecutive; missing column {gaps[0]!r}")
    dates = _dates(calendar, calendar_name, day_columns, sales_name)
    values = _sales_values(sales, day_columns, file_rows, sales_name)

    n_series, n_days = values.shape
    features = {}
    first = np.full(n_series, -1)
    if prices is not None:
        prices_name, prices = _table(prices, "prices")
        daily_price = _daily_prices(sales, calendar, day_columns, prices, prices_name, calendar_name)
        on_sale = ~np.isnan(daily_price)
        first = np.where(on_sale.any(axis=1), on_sale.argmax(axis=1), -1)
        features["sell_price"] = pd.DataFrame(daily_price).ffill(axis=1).to_numpy()
    selling = values > 0
    no_price = first < 0
    first[no_price] = np.where(selling[no_price].any(axis=1), selling[no_price].argmax(axis=1), 0)
    by_d = calendar.set_index("d")
    if "state_id" in sales:
        snap = np.zeros((n_series, n_days))
        for state in sales["state_id"].dropna().unique():
            column = f"snap_{state}"
            if column in by_d:
                rows = (sales["state_id"] == state).to_numpy()
                snap[rows] = by_d.loc[day_columns, column].to_numpy(dtype=np.float64)[None, :]
        features["snap"] = snap
    if "event_name_1" in by_d:
        event = by_d.loc[day_columns, "event_name_1"].notna().to_numpy(dtype=np.float64)
        features["event"] = np.broadcast_to(event, (n_series, n_days))

    alive = np.arange(n_days)[None, :] >= first[:, None]
    per_series = alive.sum(axis=1)
    frame = {
        "sku_id": np.repeat(sales["item_id"].to_numpy(dtype=object), per_series),
        "location_id": np.repeat(sales["store_id"].to_numpy(dtype=object), per_series),
        "date": np.broadcast_to(dates, (n_series, n_days))[alive],
        "sales": values[alive],
    }
    frame.update({name: array[alive] for name, array in features.items()})
    return pd.DataFrame(frame)


def load_m5(sales, calendar, prices=None, *, stores=None, items=None, **load_kwargs):
    """:func:`m5_to_panel` then :func:`~gym_inventory.data.load_panel` (keywords passed on)."""
    from gym_inventory.data.load import load_panel

    name = os.fspath(sales) if isinstance(sales, (str, os.PathLike)) else "<M5 sales>"
    return load_panel(m5_to_panel(sales, calendar, prices, stores=stores, items=items), source=name, **load_kwargs)


def _table(value, what: str) -> tuple[str, pd.DataFrame]:
    if isinstance(value, pd.DataFrame):
        return f"<M5 {what}>", value
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{what} must be a CSV path or a DataFrame, got {type(value).__name__}")
    if not os.path.isfile(value):
        raise ValueError(f"M5 {what} file {os.fspath(value)!r} does not exist")
    return os.fspath(value), pd.read_csv(value, dtype={"item_id": "str", "store_id": "str", "state_id": "str", "d": "str"})


def _require(frame: pd.DataFrame, name: str, columns) -> None:
    missing = [column for column in columns if column not in frame]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; columns found: {list(frame.columns)[:12]}")


def _dates(calendar, calendar_name, day_columns, sales_name) -> np.ndarray:
    """The date of each day column, checked to be consecutive days."""
    mapping = dict(zip(calendar["d"], calendar["date"]))
    absent = [c for c in day_columns if c not in mapping]
    if absent:
        raise ValueError(f"{calendar_name}: no row with d = {absent[0]!r} (a day column of {sales_name})")
    dates = pd.to_datetime(pd.Series([mapping[c] for c in day_columns]), errors="coerce", format="ISO8601").to_numpy().astype("datetime64[D]")
    if np.isnat(dates).any() or np.any(np.diff(dates).astype(np.int64) != 1):
        raise ValueError(f"{calendar_name}: the dates of {day_columns[0]} .. {day_columns[-1]} must be valid consecutive days")
    return dates


def _sales_values(sales, day_columns, file_rows, sales_name) -> np.ndarray:
    raw = sales[day_columns]
    values = raw.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    bad = np.isnan(values) | (values < 0)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise ValueError(
            f"{sales_name}, row {file_rows[row]}, column {day_columns[column]!r}: {raw.iat[row, column]} is not a "
            f"number >= 0 ({int(bad.sum())} such cells)"
        )
    return values


def _daily_prices(sales, calendar, day_columns, prices, prices_name, calendar_name) -> np.ndarray:
    """``(n_series, n_days)`` the week's price of each series on each day (NaN without one)."""
    _require(prices, prices_name, ("store_id", "item_id", "wm_yr_wk", "sell_price"))
    _require(calendar, calendar_name, ("wm_yr_wk",))
    week_of_day = calendar.set_index("d").loc[day_columns, "wm_yr_wk"].to_numpy()
    weeks, week_position = np.unique(week_of_day, return_inverse=True)
    series = pd.MultiIndex.from_arrays([sales["store_id"].astype(str), sales["item_id"].astype(str)])
    where = series.get_indexer(pd.MultiIndex.from_arrays([prices["store_id"].astype(str), prices["item_id"].astype(str)]))
    column = np.searchsorted(weeks, prices["wm_yr_wk"].to_numpy())
    known = (where >= 0) & (column < len(weeks))
    known[known] &= weeks[column[known]] == prices["wm_yr_wk"].to_numpy()[known]
    table = np.full((len(sales), len(weeks)), np.nan)
    table[where[known], column[known]] = pd.to_numeric(prices["sell_price"], errors="coerce").to_numpy(dtype=np.float64)[known]
    return table[:, week_position]
