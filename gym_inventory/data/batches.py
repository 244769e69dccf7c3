"""Evaluation windows of panel series, batched per parameter group, and their simulation.

Series are simulated side by side only when they share (lead_time, review_period,
holding_cost, penalty_cost). :class:`GroupBatches` collects the windows of each group
across chunks of the file, so that simulation batches stay large (per-step array
overhead and small matrix products are then amortized) while the file is read in
small chunks; the memory held stays bounded by ``max_buffered`` series (about 7 kB
each at 90 days).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gym_inventory.data.dataset import PanelDataset
from gym_inventory.data.schema import DATE, PanelProblem, series_label
from gym_inventory.demand import DemandModel, DemandPaths
from gym_inventory.envs.inventory_env import make_simulator
from gym_inventory.evaluation import default_warmup, policy_orders
from gym_inventory.features import FORECAST_DAYS, HISTORY_DAYS
from gym_inventory.leadtime import make_lead_time
from gym_inventory.params import InventoryParams
from gym_inventory.problem import order_bound

GROUP_KEYS = ("lead_time", "review_period", "holding_cost", "penalty_cost")
#: Per-series totals of the results (summed into the aggregate).
TOTALS = ("days", "demand", "sales", "unmet_demand", "stockout_days", "on_hand_days", "total_cost",
          "total_holding_cost", "total_penalty_cost")


@dataclass
class Windows:
    """The evaluation windows of some series of one group (arrays with one row per series)."""

    keys: dict  # "sku_id" (and "location_id") -> (n,) object arrays
    paths: DemandPaths  # HISTORY_DAYS + core + FORECAST_DAYS days per series
    features: np.ndarray  # (n, horizon, 5) feat(x) at each decision
    integer: bool

    def __len__(self) -> int:
        return len(self.paths.scale)

    @staticmethod
    def concatenate(parts: list) -> Windows:
        if len(parts) == 1:
            return parts[0]

        def join(name):
            return np.concatenate([getattr(part.paths, name) for part in parts])

        first = parts[0].paths
        paths = DemandPaths(join("demand"), join("scale"), join("static"), join("dynamic"), first.static_names,
                            first.dynamic_names)
        keys = {name: np.concatenate([part.keys[name] for part in parts]) for name in parts[0].keys}
        return Windows(keys, paths, np.concatenate([part.features for part in parts]), all(part.integer for part in parts))


class GroupBatches:
    """Windows waiting per group; ``add`` yields ``(group, windows)`` batches ready to simulate."""

    def __init__(self, batch_size: int, max_buffered: int):
        self.batch_size, self.max_buffered = batch_size, max_buffered
        self.parts: dict = {}
        self.counts: dict = {}

    def add(self, group: tuple, windows: Windows):
        self.parts.setdefault(group, []).append(windows)
        self.counts[group] = self.counts.get(group, 0) + len(windows)
        if self.counts[group] >= self.batch_size:
            yield group, self._pop(group)
        while self.counts and sum(self.counts.values()) > self.max_buffered:
            yield (largest := max(self.counts, key=self.counts.get)), self._pop(largest)

    def drain(self):
        while self.counts:
            group = next(iter(self.counts))
            yield group, self._pop(group)

    def _pop(self, group):
        del self.counts[group]
        return Windows.concatenate(self.parts.pop(group))


class ReplayedWindows(DemandModel):
    """Fixed windows replayed in order: ``sample`` returns exactly ``paths`` (same size asked)."""

    def __init__(self, paths: DemandPaths, integer: bool):
        self.paths = paths
        self.integer = integer
        self.dynamic_names = paths.dynamic_names

    @property
    def max_daily_mean(self) -> float:
        return float(self.series_max_daily_mean.max())

    @property
    def series_max_daily_mean(self) -> np.ndarray:
        """Each window's largest daily demand (at least 1e-3), ``(n,)``: its own problem's demand scale."""
        return np.maximum(self.paths.demand.max(axis=1, initial=0.0), 1e-3)

    def sample(self, rng, n_skus, n_days) -> DemandPaths:
        if self.paths.demand.shape != (n_skus, n_days):
            raise ValueError(f"these windows are {self.paths.demand.shape} (series, days), asked for ({n_skus}, {n_days})")
        return self.paths


def prepare_windows(dataset: PanelDataset, days: int, env_kwargs: dict):
    """Windows of the last ``days`` days of each series, by group, and the series too short.

    Returns:
        ``(groups, problems)``: a list of ``((lead_time, review_period, holding_cost,
        penalty_cost), Windows)`` and a :class:`PanelProblem` per series left out.
    """
    panel, series = dataset.panel, dataset.series
    defaults = InventoryParams(**{k: v for k, v in env_kwargs.items() if k in GROUP_KEYS})
    if defaults.lead_time_distribution is not None and "lead_time" in panel.parameters:
        raise ValueError(
            "env_kwargs give a lead-time distribution but the panel has a lead_time column (fixed lead times per "
            "series): leave lead_time out of env_kwargs, or evaluate a panel without that column"
        )
    values = np.stack([dataset.parameter(name, getattr(defaults, name)) for name in GROUP_KEYS], axis=1)
    review_period = values[:, 1].astype(np.int64)
    lookahead = values[:, 0].astype(np.int64) if env_kwargs.get("reward_timing") == "lead_time_window" else 0
    horizon = days // review_period
    core = horizon * review_period + lookahead
    low, high = dataset.core_range(series)
    fits = (horizon >= 1) & (high - low >= core)
    problems = [
        PanelProblem(
            panel.source, int(panel.first_row[i]), DATE,
            f"{series_label(panel.key(i))}: {int(high[k] - low[k])} days in the evaluation period, fewer than the "
            f"{int(max(core[k], review_period[k]))} needed (days={days}, review_period={int(review_period[k])})",
            panel.key(i),
        )
        for k, i in enumerate(series) if not fits[k]
    ]
    positions = np.flatnonzero(fits)
    groups, inverse = np.unique(values[positions], axis=0, return_inverse=True)
    inverse = inverse.ravel()
    by_group = np.argsort(inverse, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(inverse, minlength=len(groups)))])
    prepared = []
    for g, group in enumerate(groups):
        chosen = positions[by_group[bounds[g]:bounds[g + 1]]]
        period = int(group[1])
        core_start = high[chosen] - core[chosen]
        paths = dataset.paths(series[chosen], core_start, int(core[chosen[0]]), history_days=HISTORY_DAYS,
                              future_days=FORECAST_DAYS, features=False)
        decision_days = core_start[:, None] + period * np.arange(days // period)
        keys = {"sku_id": panel.sku_id[series[chosen]]}
        if panel.location_id is not None:
            keys["location_id"] = panel.location_id[series[chosen]]
        features = dataset.features_at(series[chosen], decision_days, paths.scale)
        prepared.append(((int(group[0]), period, float(group[2]), float(group[3])), Windows(keys, paths, features, dataset.integer)))
    return prepared, problems


def simulate_batch(policy, group: tuple, windows: Windows, env_kwargs: dict, days: int) -> dict:
    """Run ``policy`` on one batch of a group; per-series results (dict of ``(n,)`` arrays).

    :func:`gym_inventory.evaluate`'s rules: orders clipped to ``[0, action bound]`` and the
    first :func:`~gym_inventory.evaluation.default_warmup` epochs left out of every result.
    Each series is a problem of its own, so its action bound is ``env_kwargs["max_order"]``
    or the default bound of its own window (4 (L + P) x its largest daily demand), never
    the batch's (a result does not depend on which series share a batch).
    """
    lead_time, review_period, holding_cost, penalty_cost = group
    n = len(windows)
    kwargs = dict(env_kwargs, lead_time=lead_time, review_period=review_period, holding_cost=holding_cost,
                  penalty_cost=penalty_cost, horizon=days // review_period)
    spread = make_lead_time(env_kwargs.get("lead_time", 0))[1]
    if spread is not None:  # a distribution for every series (the panel has no lead_time column)
        kwargs["lead_time"] = spread
    demand = ReplayedWindows(windows.paths, windows.integer)
    simulator = make_simulator(n, demand=demand, **kwargs)
    params = simulator.params
    cap = simulator.max_order if kwargs.get("max_order") is not None else order_bound(params, demand.series_max_daily_mean)
    warmup = default_warmup(params.horizon, params.lead_time)
    simulator.reset(np.random.default_rng(0), features=windows.features)
    policy.reset(n)
    for _ in range(params.horizon):
        simulator.step(policy_orders(policy, simulator.decision_state(), n, cap))
    records = {name: values[:, warmup:] for name, values in simulator.records.items()}
    metrics = simulator.episode_metrics(warmup)
    results = dict(windows.keys)
    results.update(
        lead_time=np.full(n, lead_time), review_period=np.full(n, review_period), holding_cost=np.full(n, holding_cost),
        penalty_cost=np.full(n, penalty_cost), days=metrics["days"].astype(np.int64), scale=windows.paths.scale,
    )
    for name in ("demand", "sales", "unmet_demand", "on_hand_days"):
        results[name] = records[name].sum(axis=1)
    results["stockout_days"] = records["stockout_days"].sum(axis=1).astype(np.int64)
    results.update(
        total_cost=metrics["cost"], total_holding_cost=records["holding_cost"].sum(axis=1),
        total_penalty_cost=records["penalty_cost"].sum(axis=1), cost_per_day=metrics["cost_per_day"],
        fill_rate=metrics["fill_rate"], stockout_rate=metrics["stockout_rate"], turnover_time=metrics["turnover_time"],
    )
    return results
