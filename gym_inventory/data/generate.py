"""A synthetic e-commerce panel in the schema, so the real-data path runs end to end.

Per series (a SKU in one of four warehouses), drawn independently:

* volume: mean daily demand log-normal (median 1.5 units/day, log-sd 1.3, capped at
  2000): a heavy tail of best sellers over many slow movers;
* intermittency: slow movers sell nothing on a share ``0.5 exp(-volume)`` of days;
* weekly seasonality ``1 + a cos(2 pi (weekday - peak) / 7)``, ``a ~ U(0, 0.5)``, and
  yearly seasonality ``1 + b cos(2 pi (day of year - peak) / 365.25)``, ``b ~ U(0, 0.5)``,
  peaking around late November; a log-linear trend of N(0, 0.3) per year;
* promotions: episodes of 3 to 7 days starting with probability U(0, 3%) a day,
  multiplying demand by U(1.5, 3) and cutting the price by U(10%, 40%);
* demand negative binomial around the mean (gamma-Poisson, coefficient of
  variation U(0.2, 0.8) of the gamma);
* new SKUs (share ``new_fraction``) launch on a random day, discontinued ones
  (``discontinued_fraction``) stop on a random day; rows exist only while a SKU lives
  (at least 28 days, or the whole panel if shorter);
* lead time in {1, 2, 3, 5, 7, 10} days, review period in {1, 2, 7} days, and one of
  three cost categories (h, p) in {(1, 4), (1, 9), (0.5, 9.5)};
* the historical replenishment that produced the sales: an order-up-to policy with
  target ``(L + P) x volume x U(0.7, 1.8)`` (many SKUs are under-stocked, and
  seasonal peaks and promotions outrun it), simulated with lost sales by the shared
  dynamics. Sales are what stock allowed, ``on_hand`` is end-of-day stock, and
  ``stockout`` marks the days stock ran out: sales there are censored.

Columns: ``sku_id, location_id, date, sales, stockout, on_hand, promotion, price,
lead_time, review_period, holding_cost, penalty_cost`` (+ ``true_demand`` on request,
for tests; never write it into a panel you load, or it becomes a feature).
Series are generated in fixed blocks of 10,000 with their own random streams, so a
seed gives the same panel whatever is written at once.
"""
from __future__ import annotations

import os

import numpy as np
import pandas as pd

from gym_inventory.dynamics import simulate_days
from gym_inventory.files import publish, temporary_path
from gym_inventory.params import check_int, check_real
from gym_inventory.remap import remap

BLOCK = 10_000
LEAD_TIMES = np.array([1, 2, 3, 5, 7, 10])
LEAD_TIME_SHARES = np.array([0.15, 0.25, 0.2, 0.2, 0.12, 0.08])
REVIEW_PERIODS = np.array([1, 2, 7])
REVIEW_PERIOD_SHARES = np.array([0.7, 0.2, 0.1])
COST_CATEGORIES = np.array([[1.0, 4.0], [1.0, 9.0], [0.5, 9.5]])  # (holding_cost, penalty_cost)
WAREHOUSES = 4
MIN_LIFE = 28


def generate_panel(n_skus: int, n_days: int, *, seed: int = 0, start: str = "2023-01-01", new_fraction: float = 0.1,
                   discontinued_fraction: float = 0.1, include_truth: bool = False) -> pd.DataFrame:
    """The panel as a DataFrame (small panels; :func:`write_panel` streams big ones to disk)."""
    import pyarrow as pa

    blocks = _blocks(n_skus, n_days, seed, start, new_fraction, discontinued_fraction, include_truth)
    return pa.concat_tables(list(blocks)).to_pandas(date_as_object=False)


def write_panel(path, n_skus: int, n_days: int, *, seed: int = 0, start: str = "2023-01-01", new_fraction: float = 0.1,
                discontinued_fraction: float = 0.1, progress: bool = False) -> dict:
    """Write the panel to a new ``.parquet`` or ``.csv`` file, block by block (bounded memory).

    Raises:
        ValueError: the file exists (nothing is overwritten), or a bad argument.

    Returns:
        ``{"path", "series", "rows"}``.
    """
    path = os.fspath(path)
    lower = path.lower()
    if not lower.endswith((".parquet", ".pq", ".csv")):
        raise ValueError(f"out file {path!r} must end in .parquet, .pq or .csv")
    if os.path.exists(path):
        raise ValueError(f"out file {path!r} already exists; choose a new path (nothing is overwritten)")
    blocks = _blocks(n_skus, n_days, seed, start, new_fraction, discontinued_fraction, False)
    from tqdm.auto import tqdm

    rows = 0
    parquet = not lower.endswith(".csv")
    temporary = temporary_path(path)  # published under path when complete (gym_inventory.files)
    with open(temporary, "xb" if parquet else "x") as handle:
        try:
            writer = None
            for table in tqdm(blocks, total=-(-n_skus // BLOCK), unit="block", disable=not progress, desc="make-data"):
                if parquet:
                    import pyarrow.parquet as pq

                    writer = writer or pq.ParquetWriter(handle, table.schema)
                    writer.write_table(table)
                else:
                    table.to_pandas(date_as_object=False).to_csv(handle, header=rows == 0, index=False, date_format="%Y-%m-%d")
                rows += table.num_rows
            if writer is not None:
                writer.close()
        except BaseException:
            handle.close()
            os.remove(temporary)
            raise
    publish(temporary, path)
    return {"path": path, "series": n_skus, "rows": rows}


def _blocks(n_skus, n_days, seed, start, new_fraction, discontinued_fraction, include_truth):
    n_skus = check_int("n_skus", n_skus, 1)
    n_days = check_int("n_days", n_days, 1)
    seed = check_int("seed", seed, 0)
    for name, value in (("new_fraction", new_fraction), ("discontinued_fraction", discontinued_fraction)):
        if check_real(name, value) > 1:
            raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    try:
        first_day = int(np.datetime64(start, "D").astype(np.int64))
    except ValueError:
        raise ValueError(f"start must be a date YYYY-MM-DD, got {start!r}") from None

    def blocks():  # arguments are checked above, before anything is written
        for block, begin in enumerate(range(0, n_skus, BLOCK)):
            rng = np.random.default_rng([seed, block])
            yield _block(rng, begin, min(BLOCK, n_skus - begin), n_days, first_day, new_fraction, discontinued_fraction, include_truth)

    return blocks()


def _block(rng, begin, n, n_days, first_day, new_fraction, discontinued_fraction, include_truth):
    """One block of ``n`` series as a pyarrow table, rows by series then day."""
    import pyarrow as pa

    day = first_day + np.arange(n_days)
    dates = day.astype("datetime64[D]")
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype(np.int64)

    volume = np.minimum(1.5 * np.exp(1.3 * rng.standard_normal(n)), 2000.0)
    weekly = 1 + rng.uniform(0, 0.5, n)[:, None] * np.cos(2 * np.pi * (weekday[None, :] - rng.integers(0, 7, n)[:, None]) / 7)
    peak = rng.normal(330, 45, n)[:, None]
    yearly = 1 + rng.uniform(0, 0.5, n)[:, None] * np.cos(2 * np.pi * (day_of_year[None, :] - peak) / 365.25)
    trend = np.exp(rng.normal(0, 0.3, n)[:, None] * np.arange(n_days)[None, :] / 365.0)
    promotion = _promotions(rng, n, n_days)
    uplift = np.where(promotion, rng.uniform(1.5, 3.0, n)[:, None], 1.0)
    mean = volume[:, None] * weekly * yearly * trend * uplift
    shape = 1.0 / rng.uniform(0.2, 0.8, n) ** 2
    demand = rng.poisson(rng.gamma(shape[:, None], mean / shape[:, None])).astype(np.float64)
    demand[rng.random((n, n_days)) < (0.5 * np.exp(-volume))[:, None]] = 0.0
    base_price = np.round(15 * np.exp(0.8 * rng.standard_normal(n)), 0) + 0.99
    price = np.round(base_price[:, None] * (1 - promotion * rng.uniform(0.1, 0.4, n)[:, None]), 2)

    lead_time = rng.choice(LEAD_TIMES, n, p=LEAD_TIME_SHARES)
    review_period = rng.choice(REVIEW_PERIODS, n, p=REVIEW_PERIOD_SHARES)
    costs = COST_CATEGORIES[rng.integers(0, len(COST_CATEGORIES), n)]
    target = np.ceil((lead_time + review_period) * volume * rng.uniform(0.7, 1.8, n))
    launch, stop = _lives(rng, n, n_days, new_fraction, discontinued_fraction)
    alive = (np.arange(n_days)[None, :] >= launch[:, None]) & (np.arange(n_days)[None, :] < stop[:, None])
    demand[~alive] = 0.0
    sales, on_hand = _replenish(rng, demand, target, lead_time, review_period)
    per_series = stop - launch
    names = np.array([f"SKU{begin + i:07d}" for i in range(n)], dtype=object)
    warehouse = np.array([f"WH{w + 1}" for w in rng.integers(0, WAREHOUSES, n)], dtype=object)

    def each_row(values):
        return np.repeat(values, per_series)

    columns = {
        "sku_id": pa.array(each_row(names), pa.string()),
        "location_id": pa.array(each_row(warehouse), pa.string()),
        "date": pa.array(np.broadcast_to(dates, (n, n_days))[alive], pa.date32()),
        "sales": pa.array(sales[alive], pa.int32()),
        "stockout": pa.array(on_hand[alive] <= 0, pa.bool_()),
        "on_hand": pa.array(on_hand[alive], pa.int32()),
        "promotion": pa.array(promotion[alive], pa.int8()),
        "price": pa.array(price[alive], pa.float64()),
        "lead_time": pa.array(each_row(lead_time), pa.int16()),
        "review_period": pa.array(each_row(review_period), pa.int16()),
        "holding_cost": pa.array(each_row(costs[:, 0]), pa.float64()),
        "penalty_cost": pa.array(each_row(costs[:, 1]), pa.float64()),
    }
    if include_truth:
        columns["true_demand"] = pa.array(demand[alive], pa.int32())
    return pa.table(columns)


def _promotions(rng, n, n_days) -> np.ndarray:
    """0/1 promotion days: episodes of 3..7 days starting at a per-SKU daily rate."""
    starts = rng.random((n, n_days)) < rng.uniform(0, 0.03, n)[:, None]
    running = np.concatenate([np.zeros((n, 1), dtype=np.int64), np.cumsum(starts, axis=1)], axis=1)
    duration = rng.integers(3, 8, n)[:, None]
    back = np.maximum(np.arange(1, n_days + 1)[None, :] - duration, 0)
    # A day is on promotion when an episode started within the last `duration` days.
    return (running[:, 1:] - np.take_along_axis(running, back, axis=1) > 0).astype(np.int64)


def _lives(rng, n, n_days, new_fraction, discontinued_fraction):
    """First day and end (exclusive) of each series, at least MIN_LIFE days apart when the panel allows."""
    life = min(MIN_LIFE, n_days)
    launch = np.where(rng.random(n) < new_fraction, rng.integers(0, n_days - life + 1, n), 0)
    stop = np.where(rng.random(n) < discontinued_fraction, rng.integers(launch + life, n_days + 1), n_days)
    return launch, stop


def _replenish(rng, demand, target, lead_time, review_period):
    """Sales and end-of-day stock under the historical order-up-to policy, with lost sales."""
    n, n_days = demand.shape
    sales = np.zeros((n, n_days))
    on_hand = np.zeros((n, n_days))
    phase = rng.integers(0, review_period)  # the weekday-like offset of each SKU's review
    for lead in np.unique(lead_time):
        group = np.flatnonzero(lead_time == lead)
        pipeline = np.zeros((group.size, lead + 1))
        pipeline[:, 0] = target[group]
        ones = np.ones(group.size)
        for day in range(n_days):
            reviews = (day % review_period[group]) == phase[group]
            order = remap("base", target[group][:, None], inventory_position=pipeline.sum(axis=1), features=None, scale=ones, xp=np)
            out = simulate_days(pipeline, np.where(reviews, order, 0.0), demand[group, day:day + 1], lost_sales=True,
                                holding_cost=0.0, penalty_cost=0.0, xp=np)
            pipeline = out.pipeline
            sales[group, day] = out.delivered[0]
            on_hand[group, day] = out.on_hand[0]
    return sales, on_hand
