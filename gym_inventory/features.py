"""Forecast features feat(x): the context the Coeff and Both regularizations multiply.

For a decision on the morning of day ``t`` (before day ``t``'s demand), with
``m' = 5`` entries, in units of demand per day:

===== ==================== =====================================================
index name                 value
===== ==================== =====================================================
0     ``mean_last_28``     mean demand of days t-28 .. t-1
1     ``mean_last_7``      mean demand of days t-7 .. t-1
2     ``forecast_next_7``  mean forecast demand of days t .. t+6, times (1 + noise * e)
3     ``forecast_next_28`` mean forecast demand of days t .. t+27, times (1 + noise * e)
4     ``bias``             1
===== ==================== =====================================================

The forecast of a day is its *expected* demand as the demand model announces it in
advance (:attr:`~gym_inventory.demand.DemandPaths.expected`; the env's default
``forecast_source="expected"``), or its *realized* demand (``"realized"``, the study's
"noisy means of the next days": an oracle that reveals the future). ``e ~ N(0, 1)``
independently per SKU, epoch and forecast, and the noisy forecast is floored at 0;
``noise = 0`` gives exact forecasts.
Windows are cut to the days the path holds; an empty window gives the SKU's scale.
Everything is vectorized over SKUs and epochs (cumulative sums).
"""
from __future__ import annotations

import numpy as np

FEATURE_NAMES = ("mean_last_28", "mean_last_7", "forecast_next_7", "forecast_next_28", "bias")
N_FEATURES = len(FEATURE_NAMES)
#: Days of history the trailing means look back on.
HISTORY_DAYS = 28
#: Days past a decision the forecasts look ahead on.
FORECAST_DAYS = 28


def window_means(demand: np.ndarray, start: np.ndarray, stop: np.ndarray, fallback: np.ndarray,
                 cumulative: np.ndarray | None = None) -> np.ndarray:
    """Mean of ``demand[:, start:stop]`` for each SKU and each window (cut to the path).

    Args:
        demand: ``(n_skus, n_days)``.
        start, stop: ``(n_windows,)`` day indices (any integers; cut to ``[0, n_days]``).
        fallback: ``(n_skus,)`` value for an empty window.
        cumulative: optional precomputed :func:`cumulative_demand` of ``demand``.

    Returns:
        ``(n_skus, n_windows)``.
    """
    n_days = demand.shape[1]
    if cumulative is None:
        cumulative = cumulative_demand(demand)
    lo = np.minimum(np.maximum(start, 0), n_days)  # np.clip's Python-level checks cost more on small arrays
    hi = np.minimum(np.maximum(stop, 0), n_days)
    count = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (_columns(cumulative, hi) - _columns(cumulative, lo)) / count
    if count.all():
        return means
    return np.where(count > 0, means, fallback[:, None])


def _columns(array: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``array[:, index]``: a strided view when ``index`` steps evenly upward (decision days
    every P days), which large batches read several times faster than a gather (small
    ones gather: the check would cost more than it saves)."""
    if array.shape[0] >= 64 and index.size > 1:
        step = int(index[1] - index[0])
        if step > 0 and (np.diff(index) == step).all():
            return array[:, int(index[0]) : int(index[-1]) + 1 : step]
    return array[:, index]


def cumulative_demand(demand: np.ndarray) -> np.ndarray:
    """``(n_skus, n_days + 1)``: demand summed over days ``0 .. d - 1`` in column ``d``, left to right.

    A day-major path (Fortran order: each day of every SKU contiguous, as sampled paths
    are) gives day-major sums, one vector addition per day; numpy's ``cumsum`` would walk
    it SKU by SKU across memory. Both add in the same order: the same numbers.
    """
    n_skus, n_days = demand.shape
    if n_skus > 1 and n_days > 1 and demand.strides[0] == demand.itemsize:  # day-major (or a block of its SKUs)
        by_day, days = np.empty((n_days + 1, n_skus)), demand.T
        by_day[0] = 0.0
        by_day[1] = days[0]
        for day in range(1, n_days):
            np.add(by_day[day], days[day], out=by_day[day + 1])
        return by_day.T
    cumulative = np.zeros((n_skus, n_days + 1))
    np.cumsum(demand, axis=1, out=cumulative[:, 1:])
    return cumulative


#: SKUs whose features are computed together: the running sums and windows of a chunk stay in cache.
FEATURE_CHUNK = 4096


def forecast_features(
    demand: np.ndarray,
    decision_days: np.ndarray,
    scale: np.ndarray,
    forecast_noise: float,
    rng: np.random.Generator | None,
    expected: np.ndarray | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """feat(x) at each decision day, shape ``(n_skus, n_decisions, 5)``, units of demand.

    The array is a view of a feature-major ``(5, n_decisions, n_skus)`` block: each
    feature of one decision is contiguous over the SKUs, as a step reads it. SKUs are
    processed :data:`FEATURE_CHUNK` at a time (the same numbers: every entry is one SKU's).

    Args:
        demand: ``(n_skus, n_days)`` demand path including history.
        decision_days: ``(n_decisions,)`` indices into the path of the decision mornings.
        scale: ``(n_skus,)`` fallback for empty windows.
        forecast_noise: relative std of the forecast noise (0: perfect forecasts).
        rng: source of the forecast noise (unused when ``forecast_noise == 0``).
        expected: optional ``(n_skus, n_days)`` forecast of each day for the forward
            windows; None: the realized ``demand`` (an oracle). An ``expected`` that is
            one number per SKU (a broadcast, stride 0 along the days, as IID models give)
            is that number's mean over every non-empty window, without summing it.
        out: optional ``(5, n_decisions, n_skus)`` float64 block to write (a simulator
            reuses its block from episode to episode: a fresh one of a large batch costs
            a page fault per 4 KiB).
    """
    days = np.asarray(decision_days)
    n_skus = demand.shape[0]
    shape = (N_FEATURES, days.size, n_skus)
    block = out if out is not None and out.shape == shape and out.dtype == np.float64 else np.empty(shape)
    for start in range(0, n_skus, FEATURE_CHUNK):
        part = slice(start, start + FEATURE_CHUNK)
        _chunk_features(block[:, :, part], demand[part], days, scale[part], None if expected is None else expected[part])
    if forecast_noise > 0:
        for index in (2, 3):  # (n_skus, n_decisions) draws per forecast, in this order
            noise = rng.normal(0.0, forecast_noise, size=(n_skus, days.size)).T
            block[index] = np.maximum(block[index] * (1.0 + noise), 0.0)
    block[4] = 1.0
    return block.transpose(2, 1, 0)


def _chunk_features(block: np.ndarray, demand: np.ndarray, days: np.ndarray, scale: np.ndarray, expected) -> None:
    """The first four features of ``demand``'s SKUs into ``block`` ``(5, n_decisions, n_skus)``, without noise."""
    cumulative = cumulative_demand(demand)
    block[0] = window_means(demand, days - 28, days, scale, cumulative).T
    block[1] = window_means(demand, days - 7, days, scale, cumulative).T
    if expected is not None and expected.shape[1] > 0 and expected.strides[1] == 0:
        per_sku = expected[:, 0]
        for index, length in ((2, 7), (3, 28)):
            empty = np.minimum(days + length, demand.shape[1]) <= np.maximum(days, 0)
            block[index] = per_sku
            if empty.any():
                block[index, empty] = scale
    else:
        forward = cumulative if expected is None else cumulative_demand(expected)
        block[2] = window_means(demand, days, days + 7, scale, forward).T
        block[3] = window_means(demand, days, days + 28, scale, forward).T
