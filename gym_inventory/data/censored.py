"""Censored demand: on stockout days the sales understate demand; infer it, flag it, keep the sales.

On a day the item ran out (``stockout``, or ``on_hand <= 0``), the customers who
came after the last unit was sold are not in the sales: sales are a lower bound
on demand. Methods (``censored_demand=`` of :func:`~gym_inventory.data.load_panel`):

``"weekday_mean"`` (default)
    The mean sales of the same weekday over the previous ``weeks`` weeks, using
    uncensored days only; if none of those is uncensored, the mean of the
    uncensored days among the previous 28 days. Past days only, so the inferred
    demand never uses information from after the day.
``"forecast"``
    The user's ``forecast_next_7`` column on that day (the forecast of mean daily
    demand made that morning).
``"none"``
    Demand = sales (censoring flags are still recorded).

Inferred demand is ``max(sales, estimate)`` (a stockout day sold at most its
demand), rounded to whole units when all sales are whole. A censored day without
any usable estimate (e.g. the first days of a new SKU) keeps its sales and is not
flagged as inferred. Weak spots: a stockout on a promotion day is estimated from
ordinary days, and a trend within ``weeks`` weeks is ignored.
"""
from __future__ import annotations

import numpy as np

CENSORED_METHODS = ("weekday_mean", "forecast", "none")
#: Days looked back on (any weekday) when no same-weekday day is uncensored.
FALLBACK_DAYS = 28


def infer_censored_demand(
    sales: np.ndarray,
    censored: np.ndarray,
    offsets: np.ndarray,
    *,
    method: str = "weekday_mean",
    weeks: int = 4,
    forecast: np.ndarray | None = None,
    integer: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Demand and the inferred-day flags for series stored as consecutive blocks of days.

    Args:
        sales: ``(rows,)`` units sold per day; series ``i`` is ``sales[offsets[i]:offsets[i + 1]]``,
            one row per consecutive day.
        censored: ``(rows,)`` bool, True on stockout days.
        offsets: ``(n_series + 1,)`` row where each series starts, then the total.
        method: one of :data:`CENSORED_METHODS` (see the module docstring).
        weeks: same-weekday days looked back on by ``"weekday_mean"``.
        forecast: ``(rows,)`` the ``forecast_next_7`` column, for ``"forecast"``.
        integer: round estimates to whole units.

    Returns:
        ``(demand, inferred)``: ``(rows,)`` float64 and ``(rows,)`` bool. ``sales`` is not modified.
    """
    demand = np.array(sales, dtype=np.float64)
    inferred = np.zeros(len(demand), dtype=bool)
    rows = np.flatnonzero(censored)
    if method == "none" or rows.size == 0:
        return demand, inferred
    if method == "forecast":
        if forecast is None:
            raise ValueError("censored_demand='forecast' needs the forecast_next_7 column")
        estimate = np.asarray(forecast, dtype=np.float64)[rows]
        available = np.isfinite(estimate)
    elif method == "weekday_mean":
        estimate, available = _weekday_mean(demand, censored, offsets, rows, weeks)
    else:
        raise ValueError(f"censored_demand must be one of {list(CENSORED_METHODS)}, got {method!r}")
    if integer:
        estimate = np.round(estimate)
    chosen = rows[available]
    demand[chosen] = np.maximum(demand[chosen], estimate[available])
    inferred[chosen] = True
    return demand, inferred


def _weekday_mean(sales, censored, offsets, rows, weeks):
    """Estimates at the censored ``rows`` from earlier uncensored days of the same series."""
    series = np.searchsorted(offsets, rows, side="right") - 1
    position = rows - offsets[series]  # days since the series' first day
    total = np.zeros(rows.size)
    count = np.zeros(rows.size)
    for week in range(1, weeks + 1):
        back = rows - 7 * week
        usable = position >= 7 * week
        usable[usable] &= ~censored[back[usable]]
        total += np.where(usable, sales[np.maximum(back, 0)], 0.0)
        count += usable
    # Fallback, for the rows still without an estimate: uncensored days of any weekday in
    # the previous FALLBACK_DAYS days (few rows: a loop over the days, not the rows).
    missing = np.flatnonzero(count == 0)
    for back_days in range(1, FALLBACK_DAYS + 1 if missing.size else 1):
        back = rows[missing] - back_days
        usable = position[missing] >= back_days
        usable[usable] &= ~censored[back[usable]]
        total[missing] += np.where(usable, sales[np.maximum(back, 0)], 0.0)
        count[missing] += usable
    available = count > 0
    estimate = np.divide(total, count, out=np.zeros(rows.size), where=available)
    return estimate, available
