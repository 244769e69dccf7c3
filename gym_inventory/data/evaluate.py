"""Evaluate a policy on every series of a panel, in chunks of series, in bounded memory.

Each series is simulated over its last ``days`` days (inside the dataset's period),
from the default starting stock of ``(L + P) x scale``, with the policy's orders
through the batched :class:`~gym_inventory.simulator.InventorySimulator` built by
:func:`~gym_inventory.envs.make_simulator`. Series sharing (lead_time,
review_period, holding_cost, penalty_cost) -- per-series columns, else the values
of ``env_kwargs`` -- run side by side in one simulator, so evaluation is fast when
those take few distinct values (e.g. costs per category), and slow when every
series has its own.
"""
from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from gym_inventory.data.build import Panel, build_panel
from gym_inventory.data.dataset import PanelDataset
from gym_inventory.data.schema import DATE, ON_ERROR, PanelProblem, iter_series_chunks, raise_problems, series_label
from gym_inventory.demand import DemandModel, DemandPaths
from gym_inventory.envs.inventory_env import make_simulator
from gym_inventory.evaluation import _checked_orders
from gym_inventory.features import FORECAST_DAYS, HISTORY_DAYS
from gym_inventory.params import InventoryParams, check_choice, check_int
from gym_inventory.policy import Policy

#: gym.make keywords evaluate_panel sets itself.
_OWN_KWARGS = ("horizon", "demand", "demand_kwargs", "split")
_GROUP_KEYS = ("lead_time", "review_period", "holding_cost", "penalty_cost")
#: Per-series totals summed into the aggregate.
_TOTALS = ("days", "demand", "sales", "unmet_demand", "stockout_days", "on_hand_days", "total_cost",
           "total_holding_cost", "total_penalty_cost")


@dataclass(frozen=True)
class PanelEvaluation:
    """Aggregate results of :func:`evaluate_panel` (money, units, days).

    ``cost_per_day`` is total cost over all series-days; ``fill_rate`` the share of
    demand met on its day; ``stockout_rate`` the share of series-days with unmet
    demand; ``turnover_time`` total end-of-day on-hand over total sales (days of sales
    held in stock).
    """

    policy: str
    n_series: int
    series_days: int
    total_cost: float
    cost_per_day: float
    holding_cost_per_day: float
    penalty_cost_per_day: float
    fill_rate: float
    stockout_rate: float
    turnover_time: float
    seconds: float
    out: str | None
    skipped: list = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        """JSON-ready fields; ``skipped`` becomes its count and the first few messages."""
        data = asdict(self)
        data["skipped"] = len(self.skipped)
        data["skipped_examples"] = [str(problem) for problem in self.skipped[:5]]
        return data

    def summary(self) -> str:
        """A few human-readable lines."""
        return (
            f"{self.policy}: {self.n_series} series, {self.series_days} series-days in {self.seconds:.1f} s\n"
            f"cost per series-day {self.cost_per_day:.4g} (holding {self.holding_cost_per_day:.4g}, "
            f"penalty {self.penalty_cost_per_day:.4g}); fill rate {self.fill_rate:.4f}; "
            f"stockout rate {self.stockout_rate:.4f}; turnover time {self.turnover_time:.3g} days"
            + (f"\nskipped {len(self.skipped)} series (see .skipped)" if self.skipped else "")
            + (f"\nper-series results: {self.out}" if self.out else "")
        )


class ReplayedWindows(DemandModel):
    """Fixed windows replayed in order: ``sample`` returns exactly ``paths`` (same size asked)."""

    def __init__(self, paths: DemandPaths, integer: bool):
        self.paths = paths
        self.integer = integer
        self.dynamic_names = paths.dynamic_names

    @property
    def max_daily_mean(self) -> float:
        return float(max(self.paths.demand.max(initial=0.0), 1e-3))

    def sample(self, rng, n_skus, n_days) -> DemandPaths:
        if self.paths.demand.shape != (n_skus, n_days):
            raise ValueError(f"these windows are {self.paths.demand.shape} (series, days), asked for ({n_skus}, {n_days})")
        return self.paths


def evaluate_panel(
    policy: Policy,
    data,
    *,
    out=None,
    days: int = 90,
    chunk_size: int = 50_000,
    split: str | None = None,
    env_kwargs: dict | None = None,
    load_kwargs: dict | None = None,
    on_error: str = "raise",
    progress: bool = True,
) -> PanelEvaluation:
    """Run ``policy`` on every series of a panel and aggregate cost, stockout rate and turnover.

    Args:
        policy: a :class:`~gym_inventory.policy.Policy` (orders in units). Its orders are
            checked (shape, finite), floored at 0, and capped at ``env_kwargs["max_order"]``
            when given (no default cap: it would depend on which series share a batch).
        data: a panel file (Parquet/CSV, read in chunks: each series' rows must be
            contiguous, e.g. sorted by key and date) or a :class:`PanelDataset`.
        out: optional new ``.parquet`` file for the per-series results (never overwritten).
        days: days simulated per series: its last ``days`` days (``days // P`` epochs).
        chunk_size: series held in memory at once (about 30 kB each with 90 days).
        split: with a dataset, the split to evaluate (None: the dataset's own view).
        env_kwargs: ``gym.make`` keywords (``lost_sales``, ``reward_timing``, defaults for
            ``lead_time``/``review_period``/``holding_cost``/``penalty_cost`` where the panel
            has no such column, ...). ``horizon`` and ``demand`` are set here.
        load_kwargs: with a file, keywords of :func:`~gym_inventory.data.build.build_panel`
            (``feature_columns``, ``censored_demand``, ``censored_weeks``).
        on_error: ``"raise"`` or ``"skip"`` (series with problems, or fewer than the days
            needed, are left out and listed in the result's ``skipped``).
        progress: show a tqdm progress bar (on stderr).
    """
    if not isinstance(policy, Policy):
        raise TypeError(f"policy must be a gym_inventory.policy.Policy, got {type(policy).__name__}")
    days = check_int("days", days, 1)
    chunk_size = check_int("chunk_size", chunk_size, 1)
    check_choice("on_error", on_error, ON_ERROR)
    env_kwargs = _check_env_kwargs(env_kwargs)
    out = _check_out(out)
    started = time.perf_counter()
    totals = dict.fromkeys(_TOTALS, 0.0)
    totals["n_series"] = 0
    skipped: list[PanelProblem] = []
    writer = _ResultsFile(out) if out is not None else None
    from tqdm.auto import tqdm

    try:
        chunks, total, unit = _chunks(data, chunk_size, split, load_kwargs or {}, on_error, skipped)
        with tqdm(total=total, unit=unit, disable=not progress, desc=f"evaluate {policy.name}") as bar:
            for dataset, advance in chunks:
                results, problems = _evaluate_chunk(policy, dataset, days, env_kwargs)
                skipped.extend(problems)
                if problems and on_error == "raise":
                    raise_problems(problems, dataset.panel.source, "; pass on_error='skip' to leave them out")
                for name in _TOTALS:
                    totals[name] += float(results[name].sum())
                totals["n_series"] += len(results["days"])
                if writer is not None:
                    writer.write(results)
                bar.update(advance)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    if writer is not None:
        writer.close()
    return _aggregate(policy.name, totals, time.perf_counter() - started, out, skipped)


def _check_env_kwargs(env_kwargs) -> dict:
    if env_kwargs is None:
        return {}
    if not isinstance(env_kwargs, dict):
        raise TypeError(f"env_kwargs must be a dict of gym.make keywords, got {env_kwargs!r}")
    own = [key for key in _OWN_KWARGS if key in env_kwargs]
    if own:
        raise ValueError(f"env_kwargs must not set {own}: evaluate_panel sets the horizon from days and the demand from the panel")
    kwargs = dict(env_kwargs)
    kwargs.pop("render_mode", None)
    InventoryParams(**{k: v for k, v in kwargs.items() if k not in ("max_order", "initial_inventory")})  # validates early
    return kwargs


def _check_out(out):
    if out is None:
        return None
    if not isinstance(out, (str, os.PathLike)) or not os.fspath(out).lower().endswith((".parquet", ".pq")):
        raise ValueError(f"out must be a new .parquet file path, got {out!r}")
    if os.path.exists(out):
        raise ValueError(f"out file {os.fspath(out)!r} already exists; choose a new path (nothing is overwritten)")
    return os.fspath(out)


def _chunks(data, chunk_size, split, load_kwargs, on_error, skipped):
    """``(iterator of (dataset, progress advance), progress total, unit)``."""
    if isinstance(data, PanelDataset):
        view = data if split is None else data.split(split)
        if load_kwargs:
            raise ValueError("load_kwargs applies to a panel file; this dataset is already loaded")

        def from_dataset():
            for begin in range(0, len(view), chunk_size):
                part = view.subset(np.arange(begin, min(begin + chunk_size, len(view))))
                yield part, len(part)

        return from_dataset(), len(view), "series"
    if split is not None:
        raise ValueError(f"split={split!r} needs a loaded dataset (load_panel); a file is evaluated whole")
    if not isinstance(data, (str, os.PathLike)):
        raise TypeError(f"data must be a panel file path or a PanelDataset, got {type(data).__name__}")
    source = os.fspath(data)
    unknown = set(load_kwargs) - {"feature_columns", "censored_demand", "censored_weeks", "min_days"}
    if unknown:
        raise ValueError(f"load_kwargs has unknown keys {sorted(unknown)}")

    def from_file():
        seen = set()
        for frame, offset in iter_series_chunks(source, chunk_size):
            panel, problems = build_panel(frame, source=source, row_offset=offset, on_error=on_error, **load_kwargs)
            skipped.extend(problems)
            keys = [panel.key(i) for i in range(panel.n_series)]
            repeated = seen.intersection(keys)
            if repeated:
                key = sorted(repeated, key=str)[0]
                raise ValueError(
                    f"{source}: the rows of {series_label(key)} are not contiguous (seen again near row {offset + 1}); "
                    "evaluation streams the file: sort it by sku_id, location_id, date, or load_panel it"
                )
            seen.update(keys)
            yield PanelDataset(panel), len(frame)

    total = _row_count(source)
    return from_file(), total, "rows"


def _row_count(source: str):
    if source.lower().endswith((".parquet", ".pq")):
        import pyarrow.parquet as pq

        return pq.ParquetFile(source).metadata.num_rows
    return None


def _evaluate_chunk(policy, dataset: PanelDataset, days: int, env_kwargs: dict):
    """Per-series results of one chunk (dict of arrays) and the series left out for being short."""
    panel, series = dataset.panel, dataset.series
    defaults = InventoryParams(**{k: v for k, v in env_kwargs.items() if k in _GROUP_KEYS})
    values = np.stack([dataset.parameter(name, getattr(defaults, name)) for name in _GROUP_KEYS], axis=1)
    lead_time, review_period = values[:, 0].astype(np.int64), values[:, 1].astype(np.int64)
    lookahead = lead_time if env_kwargs.get("reward_timing") == "lead_time_window" else 0
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
    results = _empty_results(panel, series[fits])
    groups, inverse = np.unique(values[fits], axis=0, return_inverse=True)
    positions = np.flatnonzero(fits)
    by_group = np.argsort(inverse.ravel(), kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(inverse.ravel(), minlength=len(groups)))])
    for g, (lead, period, holding, penalty) in enumerate(groups):
        members = by_group[bounds[g]:bounds[g + 1]]
        chosen = positions[members]
        kwargs = dict(env_kwargs, lead_time=int(lead), review_period=int(period), holding_cost=float(holding),
                      penalty_cost=float(penalty), horizon=int(days // period))
        _simulate(policy, dataset, series[chosen], (high[chosen] - core[chosen]), kwargs, results, members)
    return results, problems


def _empty_results(panel: Panel, series: np.ndarray) -> dict:
    results = {"sku_id": panel.sku_id[series]}
    if panel.location_id is not None:
        results["location_id"] = panel.location_id[series]
    for name in ("lead_time", "review_period", "holding_cost", "penalty_cost", *_TOTALS, "scale", "cost_per_day",
                 "fill_rate", "stockout_rate", "turnover_time"):
        whole = name in ("lead_time", "review_period", "days", "stockout_days")
        results[name] = np.zeros(len(series), dtype=np.int64 if whole else np.float64)
    return results


def _simulate(policy, dataset, series, core_start, kwargs, results, rows):
    """Run one group of series with equal parameters; write their results at ``rows``."""
    horizon, period = kwargs["horizon"], kwargs["review_period"]
    params = InventoryParams(**{k: v for k, v in kwargs.items() if k not in ("max_order", "initial_inventory")})
    core = params.episode_days + params.lookahead_days
    paths = dataset.paths(series, core_start, core, history_days=HISTORY_DAYS, future_days=FORECAST_DAYS, features=False)
    decision_days = core_start[:, None] + period * np.arange(horizon)
    features = dataset.features_at(series, decision_days, paths.scale)
    cap = kwargs.get("max_order")
    simulator = make_simulator(len(series), demand=ReplayedWindows(paths, dataset.integer), **kwargs)
    simulator.reset(np.random.default_rng(0), features=features)
    policy.reset(len(series))
    for _ in range(horizon):
        orders = np.maximum(_checked_orders(policy(simulator.decision_state()), len(series), policy), 0.0)
        simulator.step(orders if cap is None else np.minimum(orders, cap))
    records = simulator.records
    metrics = simulator.episode_metrics()
    out = {
        "lead_time": params.lead_time, "review_period": period, "holding_cost": params.holding_cost,
        "penalty_cost": params.penalty_cost, "days": metrics["days"], "scale": paths.scale,
        "total_cost": metrics["cost"], "cost_per_day": metrics["cost_per_day"], "fill_rate": metrics["fill_rate"],
        "stockout_rate": metrics["stockout_rate"], "turnover_time": metrics["turnover_time"],
        "total_holding_cost": records["holding_cost"].sum(axis=1), "total_penalty_cost": records["penalty_cost"].sum(axis=1),
    }
    for name in ("demand", "sales", "unmet_demand", "stockout_days", "on_hand_days"):
        out[name] = records[name].sum(axis=1)
    for name, value in out.items():
        results[name][rows] = value


class _ResultsFile:
    """Per-series results appended chunk by chunk to a new Parquet file (removed if evaluation fails)."""

    def __init__(self, path: str):
        self.path = path
        self.handle = open(path, "xb")  # "x": never overwrite, even if the file appeared meanwhile
        self.writer = None

    def write(self, results: dict) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if len(results["days"]) == 0 and self.writer is not None:
            return
        # An empty first chunk has no values to infer the key types from: keys are then text.
        table = pa.table({
            name: pa.array(values, type=pa.string() if len(values) == 0 and values.dtype == object else None)
            for name, values in results.items()
        })
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.handle, table.schema)
        self.writer.write_table(table.cast(self.writer.schema))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.handle.close()

    def abort(self) -> None:
        self.close()
        os.remove(self.path)


def _aggregate(name, totals, seconds, out, skipped) -> PanelEvaluation:
    day_count = max(totals["days"], 1.0)
    demand, sales = totals["demand"], totals["sales"]
    return PanelEvaluation(
        policy=name,
        n_series=int(totals["n_series"]),
        series_days=int(totals["days"]),
        total_cost=totals["total_cost"],
        cost_per_day=totals["total_cost"] / day_count,
        holding_cost_per_day=totals["total_holding_cost"] / day_count,
        penalty_cost_per_day=totals["total_penalty_cost"] / day_count,
        fill_rate=1.0 - totals["unmet_demand"] / demand if demand > 0 else 1.0,
        stockout_rate=totals["stockout_days"] / day_count,
        turnover_time=totals["on_hand_days"] / sales if sales > 0 else float("inf"),
        seconds=seconds,
        out=out,
        skipped=skipped,
    )
