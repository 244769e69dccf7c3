"""A panel of SKU trajectories as a demand source: splits, windows, and features from history only."""
from __future__ import annotations

import warnings
from functools import cached_property

import numpy as np
import pandas as pd

from gym_inventory.data.build import Panel
from gym_inventory.demand import DemandModel, DemandPaths
from gym_inventory.features import FORECAST_DAYS, HISTORY_DAYS
from gym_inventory.params import check_choice, check_int, check_real

SPLIT_BY = ("sku", "time", "both")
SPLIT_NAMES = ("train", "validate", "test")
#: Days of history behind a window's per-SKU scale.
SCALE_DAYS = 91
#: Scale of a window with no history at all (units/day).
NO_HISTORY_SCALE = 1.0
# Day numbers standing for "no bound" on a period (far outside any calendar).
_OPEN = 1 << 40


class PanelDataset(DemandModel):
    """SKU trajectories from a panel, usable wherever a :class:`~gym_inventory.demand.DemandModel` is.

    A dataset is a *view*: a set of series (``series``, indices into ``panel``) and a
    period of days ``[period_start, period_stop)``. :meth:`split` returns the view of a
    split, so ``gym.make("InventoryLeadTime-v0", demand=dataset, split="train")``, the
    vector env and the DS trainer sample from the training series and days only.

    :meth:`sample` draws windows of whole days: it picks a series uniformly among those
    with enough days in the view's period, and a start uniformly. A window of ``n_days``
    is read as ``InventorySimulator.reset`` asks for it: the first ``HISTORY_DAYS`` (28)
    are history, the last ``FORECAST_DAYS`` (28) are look-ahead, and only the days in
    between (the *core*, what is simulated) must lie inside the series and the period.
    History before a series' first day and look-ahead past its last day or past the
    period are zeros, and nothing is read from them. (With ``n_days <= 56`` the whole
    window is the core.) Windows come with:

    * ``features`` feat(x) for every day t from history only: ``mean_last_28``/``mean_last_7``
      over the observed days before t, and as forecasts the user's ``forecast_next_7``/
      ``forecast_next_28`` columns when the panel has them, else the naive forecasts
      ``mean_last_7``/``mean_last_28`` (no look-ahead). Empty windows give the scale.
      The simulator uses these instead of its own (perfect) forecasts, so the env's
      ``forecast_noise`` does not apply to a dataset.
    * ``scale``: mean demand over the ``SCALE_DAYS`` (91) days before the core, floored
      at one unit per 91 days; ``NO_HISTORY_SCALE`` (1 unit/day) without history.
    * ``dynamic``: the panel's feature columns on each day (zero outside the series).

    The env's parameters (lead time, costs) apply to every sampled series;
    per-series columns are used by :func:`~gym_inventory.data.evaluate_panel`
    (select series with :meth:`subset`, e.g. ``dataset.subset(dataset.parameter("lead_time") == 2)``).

    Attributes:
        panel: the validated series (:class:`~gym_inventory.data.build.Panel`).
        series: ``(n,)`` indices of this view's series in ``panel``.
        name: ``"all"`` or a split name.
        skipped: the problems of the series left out at loading (``on_error="skip"``).
    """

    static_names = ()

    def __init__(self, panel: Panel, *, series=None, period=(None, None), name: str = "all", splits=None, skipped=()):
        self.panel = panel
        self.series = np.arange(panel.n_series) if series is None else np.asarray(series, dtype=np.int64)
        start, stop = period
        self.period_start = -_OPEN if start is None else int(start)
        self.period_stop = _OPEN if stop is None else int(stop)
        self.name = name
        self._splits = dict(splits or {})
        self.skipped = list(skipped)
        self.integer = panel.integer
        self.dynamic_names = panel.dynamic_names
        self._eligible: dict = {}

    def __len__(self) -> int:
        return len(self.series)

    def __repr__(self):
        days = "all days" if self.period_start == -_OPEN and self.period_stop == _OPEN else self.period_text
        return f"PanelDataset({self.panel.source!r}, split={self.name!r}, series={len(self)}, {days})"

    @property
    def period_text(self) -> str:
        start = "start" if self.period_start == -_OPEN else str(np.datetime64(self.period_start, "D"))
        stop = "end" if self.period_stop == _OPEN else str(np.datetime64(self.period_stop - 1, "D"))
        return f"days {start} .. {stop}"

    # ------------------------------------------------------------------ views
    @property
    def split_names(self) -> tuple:
        """Names :meth:`split` accepts."""
        return ("all", *self._splits)

    def split(self, name: str) -> PanelDataset:
        """The view of split ``name`` (``"train"``, ``"validate"``, ``"test"`` or ``"all"``)."""
        if name == self.name:
            return self
        if name == "all":
            return PanelDataset(self.panel, splits=self._splits, skipped=self.skipped)
        if name not in self._splits:
            raise ValueError(f"split must be one of {list(self.split_names)}, got {name!r} (load with split_by= to make splits)")
        series, period = self._splits[name]
        return PanelDataset(self.panel, series=series, period=period, name=name, splits=self._splits, skipped=self.skipped)

    def with_splits(self, by: str = "sku", *, validate_fraction=0.1, test_fraction=0.1, validate_days=None,
                    test_days=None, seed: int = 0) -> PanelDataset:
        """This view with train / validate / test splits (the result is their ``"all"`` view).

        Args:
            by: ``"sku"`` (disjoint random sets of series, all days), ``"time"`` (all
                series, consecutive periods: train, then validate, then test at the end),
                or ``"both"`` (the series sets, each in its period).
            validate_fraction, test_fraction: shares of the series (by sku), and of the
                calendar when the days are not given.
            validate_days, test_days: lengths of the validate and test periods, days.
            seed: seed of the random series assignment.
        """
        check_choice("by", by, SPLIT_BY)
        validate_fraction = check_real("validate_fraction", validate_fraction)
        test_fraction = check_real("test_fraction", test_fraction)
        if validate_fraction + test_fraction >= 1:
            raise ValueError(f"validate_fraction + test_fraction must be < 1, got {validate_fraction} + {test_fraction}")
        sets = {name: self.series for name in SPLIT_NAMES}
        periods = {name: (self._bound(self.period_start), self._bound(self.period_stop)) for name in SPLIT_NAMES}
        if by in ("sku", "both"):
            order = np.random.default_rng(check_int("seed", seed, 0)).permutation(self.series)
            n_test = int(round(test_fraction * len(order)))
            n_validate = int(round(validate_fraction * len(order)))
            if n_test + n_validate >= len(order):
                raise ValueError(f"the splits leave no training series out of {len(order)}")
            sets = {"test": order[:n_test], "validate": order[n_test:n_test + n_validate], "train": order[n_test + n_validate:]}
            sets = {name: np.sort(value) for name, value in sets.items()}
        if by in ("time", "both"):
            first, stop = self._calendar()
            calendar = stop - first
            if test_days is None:
                test_days = int(round(test_fraction * calendar))
            if validate_days is None:
                validate_days = int(round(validate_fraction * calendar))
            test_days, validate_days = check_int("test_days", test_days, 1), check_int("validate_days", validate_days, 1)
            if test_days + validate_days >= calendar:
                raise ValueError(
                    f"validate_days + test_days must be < the {calendar} days of the calendar, got {validate_days} + {test_days}"
                )
            test_start, validate_start = stop - test_days, stop - test_days - validate_days
            periods = {"train": (first, validate_start), "validate": (validate_start, test_start), "test": (test_start, stop)}
        splits = {name: (sets[name], periods[name]) for name in SPLIT_NAMES}
        return PanelDataset(self.panel, series=self.series, period=(self._bound(self.period_start), self._bound(self.period_stop)),
                            name="all", splits=splits, skipped=self.skipped)

    def subset(self, selection) -> PanelDataset:
        """The view of some of this view's series: a boolean mask over them, or their positions."""
        selection = np.asarray(selection)
        if selection.dtype == bool:
            if selection.shape != (len(self),):
                raise ValueError(f"selection mask must have shape ({len(self)},), got {selection.shape}")
            chosen = self.series[selection]
        elif selection.size == 0 or np.issubdtype(selection.dtype, np.integer):
            chosen = self.series[selection.astype(np.int64)]
        else:
            raise TypeError(f"selection must be a boolean mask or integer positions, got dtype {selection.dtype}")
        return PanelDataset(self.panel, series=chosen, period=(self._bound(self.period_start), self._bound(self.period_stop)),
                            name=self.name, splits=self._splits, skipped=self.skipped)

    def parameter(self, name: str, default=None) -> np.ndarray:
        """Per-series values of column ``name`` (e.g. ``"lead_time"``) for this view, or ``default`` everywhere."""
        values = self.panel.parameters.get(name)
        if values is None:
            if default is None:
                raise ValueError(f"the panel has no {name!r} column; columns present: {sorted(self.panel.parameters)}")
            return np.full(len(self), float(default))
        return values[self.series]

    def sku_table(self) -> pd.DataFrame:
        """One row per series of this view: keys, first/last date, days, per-series columns, demand."""
        panel, series = self.panel, self.series
        start, stop = panel.offsets[series], panel.offsets[series + 1]
        total = panel.cumulative[stop] - panel.cumulative[start]
        counts = np.concatenate([[0], np.cumsum(panel.censored)]), np.concatenate([[0], np.cumsum(panel.inferred)])
        table = {"sku_id": panel.sku_id[series]}
        if panel.location_id is not None:
            table["location_id"] = panel.location_id[series]
        table["first_date"] = (panel.first_day[series]).astype("datetime64[D]")
        table["last_date"] = (panel.first_day[series] + panel.length[series] - 1).astype("datetime64[D]")
        table["days"] = panel.length[series]
        table.update({name: values[series] for name, values in panel.parameters.items()})
        table["mean_demand"] = total / np.maximum(panel.length[series], 1)
        table["censored_days"] = counts[0][stop] - counts[0][start]
        table["inferred_days"] = counts[1][stop] - counts[1][start]
        return pd.DataFrame(table)

    def to_frame(self) -> pd.DataFrame:
        """The rows of this view's series: keys, date, sales, demand, censored, inferred, features."""
        panel = self.panel
        length = panel.length[self.series]
        owner = np.repeat(self.series, length)
        # Each day's position in its series: a running count restarting at every series.
        position = np.arange(len(owner)) - np.repeat(np.cumsum(length) - length, length)
        rows = panel.offsets[owner] + position
        frame = {"sku_id": panel.sku_id[owner]}
        if panel.location_id is not None:
            frame["location_id"] = panel.location_id[owner]
        frame["date"] = (panel.first_day[owner] + position).astype("datetime64[D]")
        frame.update(sales=panel.sales[rows], demand=panel.demand[rows], censored=panel.censored[rows],
                     inferred=panel.inferred[rows])
        frame.update({name: panel.dynamic[rows, k] for k, name in enumerate(panel.dynamic_names)})
        return pd.DataFrame(frame)

    # ------------------------------------------------------------------ DemandModel
    @cached_property
    def max_daily_mean(self) -> float:
        """The largest 28-day mean demand of any series in this view (whole life if shorter), units/day."""
        panel = self.panel
        if len(self) == 0:
            return 1.0
        owner = np.repeat(np.arange(panel.n_series), panel.length)
        rows = np.arange(len(panel.demand))
        position = rows - panel.offsets[owner]
        window = np.minimum(panel.length[owner], HISTORY_DAYS)
        full = position >= window - 1
        ends = rows[full] + 1
        means = (panel.cumulative[ends] - panel.cumulative[ends - window[full]]) / window[full]
        in_view = np.zeros(panel.n_series, dtype=bool)
        in_view[self.series] = True
        return float(max(means[in_view[owner[full]]].max(initial=0.0), 1e-3))

    def sample(self, rng: np.random.Generator, n_skus: int, n_days: int) -> DemandPaths:
        """``n_skus`` windows of ``n_days`` days from this view (see the class docstring)."""
        n_skus = check_int("n_skus", n_skus, 1)
        n_days = check_int("n_days", n_days, 1)
        history, future = (HISTORY_DAYS, FORECAST_DAYS) if n_days > HISTORY_DAYS + FORECAST_DAYS else (0, 0)
        core = n_days - history - future
        eligible, low, high = self._eligible_for(core)
        pick = rng.integers(len(eligible), size=n_skus)
        core_start = low[pick] + rng.integers(0, high[pick] - low[pick] - core + 1)
        return self.paths(eligible[pick], core_start, core, history_days=history, future_days=future)

    def _eligible_for(self, core: int):
        """Series (panel indices) with ``core`` days inside the period, and their usable day range."""
        if core not in self._eligible:
            low, high = self.core_range(self.series)
            fits = high - low >= core
            if not fits.any():
                longest = int(np.max(high - low, initial=0))
                raise ValueError(
                    f"no series of split {self.name!r} has {core} days inside its period (the longest has {longest}); "
                    "use a shorter horizon or a longer panel"
                )
            if not fits.all():
                warnings.warn(
                    f"{int((~fits).sum())} of {len(fits)} series of split {self.name!r} have fewer than {core} days in "
                    "its period and are never sampled", stacklevel=3,
                )
            self._eligible[core] = (self.series[fits], low[fits], high[fits])
        return self._eligible[core]

    def core_range(self, series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``[low, high)``: the days of each series that lie inside this view's period."""
        first = self.panel.first_day[series]
        return np.maximum(first, self.period_start), np.minimum(first + self.panel.length[series], self.period_stop)

    def paths(self, series, core_start, core_days: int, *, history_days=HISTORY_DAYS, future_days=FORECAST_DAYS,
              features=True) -> DemandPaths:
        """Windows of ``history_days + core_days + future_days`` days around given cores.

        Args:
            series: ``(n,)`` panel indices.
            core_start: ``(n,)`` first core day of each window (days since 1970-01-01).
            core_days: days of each core.
            features: also compute feat(x) for every day of the windows.
        """
        series = np.asarray(series, dtype=np.int64)
        start = np.asarray(core_start, dtype=np.int64) - history_days
        n_days = history_days + core_days + future_days
        days = start[:, None] + np.arange(n_days)
        scale = self.history_scale(series, np.asarray(core_start, dtype=np.int64))
        return DemandPaths(
            demand=self._gather(self.panel.demand, series, days),
            scale=scale,
            static=np.zeros((len(series), 0)),
            dynamic=self._gather(self.panel.dynamic, series, days),
            static_names=(),
            dynamic_names=self.dynamic_names,
            features=self.features_at(series, days, scale) if features else None,
        )

    def history_scale(self, series: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Per-series scale before ``day``: mean demand of the ``SCALE_DAYS`` days before it."""
        total, count = self._window_sums(series[:, None], (day - SCALE_DAYS)[:, None], day[:, None])
        mean = np.maximum(np.divide(total, count, out=np.zeros(total.shape), where=count > 0), 1.0 / SCALE_DAYS)
        return np.where(count > 0, mean, NO_HISTORY_SCALE)[:, 0]

    def features_at(self, series: np.ndarray, days: np.ndarray, scale: np.ndarray) -> np.ndarray:
        """feat(x) on the mornings of ``days`` ``(n, m)``, from history only: ``(n, m, 5)``."""
        rows = series[:, None]
        fallback = np.broadcast_to(scale[:, None], days.shape)
        mean_28 = self._trailing_mean(rows, days, HISTORY_DAYS, fallback)
        mean_7 = self._trailing_mean(rows, days, 7, fallback)
        forecast_7, forecast_28 = mean_7, mean_28
        forecasts = self.panel.forecasts
        if forecasts is not None:
            position, inside = self._positions(rows, days)
            forecast_7 = np.where(inside, forecasts[position, 0], mean_7)
            forecast_28 = np.where(inside, forecasts[position, 1], mean_28)
        return np.stack([mean_28, mean_7, forecast_7, forecast_28, np.ones(days.shape)], axis=2)

    def _trailing_mean(self, rows, days, window, fallback):
        total, count = self._window_sums(rows, days - window, np.minimum(days, self.period_stop))
        return np.where(count > 0, np.divide(total, count, out=np.zeros(total.shape), where=count > 0), fallback)

    def _window_sums(self, rows, start, stop):
        """Demand sum and day count over ``[start, stop)`` cut to each series' days."""
        panel = self.panel
        first, length, offset = panel.first_day[rows], panel.length[rows], panel.offsets[rows]
        low = np.clip(start - first, 0, length)
        high = np.maximum(np.clip(stop - first, 0, length), low)
        return panel.cumulative[offset + high] - panel.cumulative[offset + low], high - low

    def _positions(self, rows, days):
        """Flat row of each (series, day) and whether it exists and lies before the period's end."""
        panel = self.panel
        relative = days - panel.first_day[rows]
        length = panel.length[rows]
        inside = (relative >= 0) & (relative < length) & (days < self.period_stop)
        return panel.offsets[rows] + np.clip(relative, 0, np.maximum(length - 1, 0)), inside

    def _gather(self, values, series, days):
        """``values`` (per row) on ``days`` ``(n, m)`` of each series; zero outside it or past the period."""
        position, inside = self._positions(series[:, None], days)
        out = values[position]
        mask = inside if values.ndim == 1 else inside[..., None]
        return np.where(mask, out, 0.0)

    def _calendar(self) -> tuple[int, int]:
        """First day and end (exclusive) of this view's series inside its period."""
        low, high = self.core_range(self.series)
        return int(low.min()), int(high.max())

    @staticmethod
    def _bound(day: int):
        return None if abs(day) == _OPEN else day
