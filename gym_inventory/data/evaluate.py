"""Evaluate a policy on every series of a panel, in chunks of series, in bounded memory.

Each series is simulated over its last ``days`` days (inside the dataset's period),
from the default starting stock of ``(L + P) x scale``, with the policy's orders
clipped and the first epochs left out as :func:`gym_inventory.evaluate` does (the one
evaluation rule: :func:`gym_inventory.data.batches.simulate_batch`), through the batched :class:`~gym_inventory.simulator.InventorySimulator` built by
:func:`~gym_inventory.envs.make_simulator`. Series sharing (lead_time,
review_period, holding_cost, penalty_cost) -- per-series columns, else the values
of ``env_kwargs`` -- run side by side (:mod:`gym_inventory.data.batches`), so
evaluation is fast when those take few distinct values (e.g. costs per category),
and slow when every series has its own.
"""
from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from gym_inventory.data.batches import TOTALS, GroupBatches, prepare_windows, simulate_batch
from gym_inventory.data.build import build_panel
from gym_inventory.data.dataset import PanelDataset
from gym_inventory.data.schema import ON_ERROR, PanelProblem, iter_series_chunks, raise_problems, series_label
from gym_inventory.evaluation import pooled_rates
from gym_inventory.files import publish, temporary_path
from gym_inventory.params import InventoryParams, check_choice, check_int
from gym_inventory.policy import Policy

#: gym.make keywords evaluate_panel sets itself.
_OWN_KWARGS = ("horizon", "demand", "demand_kwargs", "split")
#: Series buffered across chunks, in simulation batches.
BUFFERED_BATCHES = 6


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


def evaluate_panel(
    policy: Policy,
    data,
    *,
    out=None,
    days: int = 90,
    chunk_size: int = 25_000,
    batch_size: int = 16_384,
    split: str | None = None,
    env_kwargs: dict | None = None,
    load_kwargs: dict | None = None,
    on_error: str = "raise",
    progress: bool = True,
) -> PanelEvaluation:
    """Run ``policy`` on every series of a panel and aggregate cost, stockout rate and turnover.

    Args:
        policy: a :class:`~gym_inventory.policy.Policy` (orders in units). Its orders are
            checked (shape, finite) and clipped to ``[0, action bound]``: ``env_kwargs["max_order"]``
            when given, else each series' own default bound, 4 (L + P) x its largest daily demand
            (not the batch's: results do not depend on which series share a batch).
        data: a panel file (Parquet/CSV, read in chunks: each series' rows must be
            contiguous, e.g. sorted by key and date) or a :class:`PanelDataset`.
        out: optional new ``.parquet`` file for the per-series results (never overwritten).
        days: days simulated per series: its last ``days`` days (``days // P`` epochs), of which the
            first :func:`~gym_inventory.evaluation.default_warmup` epochs (``max(L + 1, epochs // 10)``)
            are left out of every result, as in :func:`gym_inventory.evaluate`.
        chunk_size: series read and validated at once (about 40 kB each with 118 days of rows).
        batch_size: series of one parameter group simulated at once; up to
            ``6 x batch_size`` series wait for their batch (about 7 kB each at 90 days).
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
    batch_size = check_int("batch_size", batch_size, 1)
    check_choice("on_error", on_error, ON_ERROR)
    env_kwargs = _check_env_kwargs(env_kwargs)
    out = _check_out(out)
    started = time.perf_counter()
    totals = dict.fromkeys(TOTALS, 0.0)
    totals["n_series"] = 0
    skipped: list[PanelProblem] = []
    writer = _ResultsFile(out) if out is not None else None
    from tqdm.auto import tqdm

    def record(group, windows):
        results = simulate_batch(policy, group, windows, env_kwargs, days)
        for name in TOTALS:
            totals[name] += float(results[name].sum())
        totals["n_series"] += len(windows)
        if writer is not None:
            writer.write(results)

    try:
        chunks, total, unit = _chunks(data, chunk_size, split, load_kwargs or {}, on_error, skipped)
        batches = GroupBatches(batch_size, BUFFERED_BATCHES * batch_size)
        with tqdm(total=total, unit=unit, disable=not progress, desc=f"evaluate {policy.name}") as bar:
            for dataset, advance in chunks:
                groups, problems = prepare_windows(dataset, days, env_kwargs)
                skipped.extend(problems)
                if problems and on_error == "raise":
                    raise_problems(problems, dataset.panel.source, "; pass on_error='skip' to leave them out")
                for group, windows in groups:
                    for ready in batches.add(group, windows):
                        record(*ready)
                bar.update(advance)
            for ready in batches.drain():
                record(*ready)
        if totals["n_series"] == 0:
            where = f"panel {os.fspath(data)!r}" if isinstance(data, (str, os.PathLike)) else "the dataset"
            detail = f" ({len(skipped)} skipped with problems)" if skipped else " (no rows)"
            raise ValueError(f"{where} holds no series to evaluate{detail}; an empty panel has no cost or fill rate")
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    out = writer.close() if writer is not None else None
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
    kwargs.pop("render_size", None)
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

        from gym_inventory.data.schema import file_errors

        return next(file_errors(source, lambda: iter([pq.ParquetFile(source).metadata.num_rows])))
    return None


class _ResultsFile:
    """Per-series results appended batch by batch to a new Parquet file (removed if evaluation fails)."""

    def __init__(self, path: str):
        self.path = path
        self.temporary = temporary_path(path)  # published under path when complete (gym_inventory.files)
        self.handle = open(self.temporary, "xb")
        self.writer = None

    def write(self, results: dict) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({name: pa.array(values) for name, values in results.items()})
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.handle, table.schema)
        self.writer.write_table(table.cast(self.writer.schema))

    def close(self) -> str | None:
        """The path, or None (and no file) when no series was evaluated."""
        if self.writer is None:
            self.abort()
            return None
        self.writer.close()
        self.handle.close()
        publish(self.temporary, self.path)
        return self.path

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.handle.close()
        os.remove(self.temporary)


def _aggregate(name, totals, seconds, out, skipped) -> PanelEvaluation:
    day_count = max(totals["days"], 1.0)
    fill_rate, turnover_time = pooled_rates(totals["demand"], totals["unmet_demand"], totals["on_hand_days"],
                                            totals["sales"])
    return PanelEvaluation(
        policy=name,
        n_series=int(totals["n_series"]),
        series_days=int(totals["days"]),
        total_cost=totals["total_cost"],
        cost_per_day=totals["total_cost"] / day_count,
        holding_cost_per_day=totals["total_holding_cost"] / day_count,
        penalty_cost_per_day=totals["total_penalty_cost"] / day_count,
        fill_rate=fill_rate,
        stockout_rate=totals["stockout_days"] / day_count,
        turnover_time=turnover_time,
        seconds=seconds,
        out=out,
        skipped=skipped,
    )
