"""Evaluate policies on 1,000,000 SKU x 90-day trajectories of a panel file, in chunks, in bounded memory.

    python -m benchmarks.million_skus [--skus 1000000] [--days 90] [--chunk-size 25000] [--data FILE]

Without ``--data`` a panel of ``--skus`` series x ``days + 28`` days (28 days of
history before the evaluated days) is generated once with ``write_panel`` (no new or
discontinued SKUs, so every series is evaluated) and cached in the temp directory.
Each measurement runs in a fresh process (so its peak memory, ``ru_maxrss``, is its
own) through :func:`gym_inventory.data.evaluate_panel`, per-series results written to
Parquet:

* ``read``: the reference -- stream the file and validate/build every chunk (censored
  demand included), no simulation;
* ``base-stock``: ``BaseStock(6 x scale)`` from :mod:`gym_inventory.policies` (target 120 s);
* ``mlp-2x64``: a numpy MLP, 2 hidden layers of 64 tanh units with fixed random weights,
  mapping the observation (without the pipeline, plus tot(I)/scale) to the 5
  coefficients of the Both regularization via :func:`gym_inventory.remap.remap` (target 300 s).

Times are wall-clock on this machine; the ratios to ``read`` and to the targets are printed.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

from gym_inventory.policy import Policy
from gym_inventory.remap import remap

TARGETS = {"base-stock": 120.0, "mlp-2x64": 300.0}
HISTORY = 28


class NumpyMLPPolicy(Policy):
    """A 2 x 64 tanh MLP on the observation, giving the Both regularization's 5 coefficients (numpy, float32)."""

    def __init__(self, n_inputs: int, seed: int = 0, width: int = 64):
        rng = np.random.default_rng(seed)
        self.layers = [
            (rng.normal(0, 1 / np.sqrt(n_inputs), (n_inputs, width)).astype(np.float32), np.zeros(width, np.float32)),
            (rng.normal(0, 1 / np.sqrt(width), (width, width)).astype(np.float32), np.zeros(width, np.float32)),
            (rng.normal(0, 0.1 / np.sqrt(width), (width, 5)).astype(np.float32), np.zeros(5, np.float32)),
        ]
        self.name = "mlp-2x64"

    def reset(self, n_skus: int) -> None:
        """No memory between epochs."""

    def __call__(self, state):
        params = state.params
        width = params.lead_time + 1
        # Inputs that do not depend on the lead time's pipeline width: feat(x), static, dynamic, tot(I)/scale.
        x = np.concatenate([state.observation[:, width:], (state.inventory_position / state.scale)[:, None]], axis=1)
        x = np.nan_to_num(x.astype(np.float32))
        for weight, bias in self.layers[:-1]:
            x = np.tanh(x @ weight + bias)
        out = x @ self.layers[-1][0] + self.layers[-1][1]
        cover = (params.lead_time + params.review_period + 1) / 4.0  # days of demand per mean feature
        mu = np.zeros((x.shape[0], 5))
        mu[:, :4] = cover * (1.0 + 0.2 * np.tanh(out[:, :4]))
        return remap("both", mu, inventory_position=state.inventory_position, features=state.features, scale=state.scale, xp=np)


def worker(kind: str, data: str, days: int, chunk_size: int) -> dict:
    """One measurement in this process; returns seconds, peak RSS and the aggregate metrics."""
    from gym_inventory.data import build_panel
    from gym_inventory.data.schema import iter_series_chunks

    started = time.perf_counter()
    summary = {"kind": kind}
    if kind == "read":
        series = 0
        for frame, offset in iter_series_chunks(data, chunk_size):
            panel, _ = build_panel(frame, source=data, row_offset=offset)
            series += panel.n_series
        summary["series"] = series
    else:
        from gym_inventory.data import evaluate_panel
        from gym_inventory.policies import BaseStock

        n_inputs = 5 + 4 + 2 + 1  # feat(x), base static, the panel's 2 feature columns, tot(I)/scale
        policy = BaseStock(6.0, in_scale_units=True) if kind == "base-stock" else NumpyMLPPolicy(n_inputs)
        with tempfile.TemporaryDirectory() as folder:
            result = evaluate_panel(policy, data, out=os.path.join(folder, "per_series.parquet"), days=days,
                                    chunk_size=chunk_size, env_kwargs={"lost_sales": True}, progress=False)
        summary.update(series=result.n_series, cost_per_day=result.cost_per_day, stockout_rate=result.stockout_rate,
                       turnover_time=result.turnover_time, fill_rate=result.fill_rate)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    summary["seconds"] = time.perf_counter() - started
    summary["cpu_seconds"] = usage.ru_utime + usage.ru_stime  # of the whole process, imports included
    summary["peak_gb"] = usage.ru_maxrss / 1024**2  # ru_maxrss is in KiB on Linux
    return summary


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--chunk-size", type=int, default=25_000)
    parser.add_argument("--data", help="an existing panel file (default: generate one)")
    parser.add_argument("--only", nargs="+", choices=["read", *TARGETS], default=["read", *TARGETS])
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="OpenBLAS/OpenMP threads of each run (default 1: on a busy machine spinning threads cost more)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.days, args.chunk_size)))
        return

    data = args.data or _generated_panel(args.skus, args.days + HISTORY)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cores, {platform.machine()}, "
          f"load average {os.getloadavg()[0]:.1f}, BLAS threads {args.blas_threads}")
    threads = str(args.blas_threads)
    environment = dict(os.environ, OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
    rows = {}
    for kind in args.only:
        command = [sys.executable, "-m", "benchmarks.million_skus", "--worker", kind, "--data", data,
                   "--days", str(args.days), "--chunk-size", str(args.chunk_size)]
        output = subprocess.run(command, check=True, capture_output=True, text=True, env=environment).stdout
        rows[kind] = json.loads(output.strip().splitlines()[-1])
    reference = rows.get("read", {}).get("seconds")
    print(f"evaluating {args.days} days per series, chunks of {args.chunk_size} series, lost sales")
    print(f"{'run':<11} {'series':>9} {'seconds':>8} {'CPU s':>7} {'vs read':>8} {'target':>7} {'vs target':>9} "
          f"{'peak GB':>8} {'cost/day':>9} {'stockout':>9} {'turnover':>9}")
    for kind, row in rows.items():
        ratio = f"{row['seconds'] / reference:.2f}x" if reference else "-"
        target = TARGETS.get(kind)
        versus = f"{row['seconds'] / target:.2f}" if target else "-"
        metrics = (f"{row['cost_per_day']:>9.3f} {row['stockout_rate']:>9.4f} {row['turnover_time']:>9.2f}"
                   if "cost_per_day" in row else f"{'-':>9} {'-':>9} {'-':>9}")
        print(f"{kind:<11} {row['series']:>9,} {row['seconds']:>8.1f} {row['cpu_seconds']:>7.1f} {ratio:>8} "
              f"{target or '-':>7} {versus:>9} {row['peak_gb']:>8.2f} {metrics}")
    print(f"load average after: {os.getloadavg()[0]:.1f} (seconds are wall clock; CPU s is user + system time)")


def _generated_panel(skus: int, days: int) -> str:
    from gym_inventory.data import write_panel

    folder = os.path.join(tempfile.gettempdir(), "gym_inventory_benchmarks")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"panel_{skus}x{days}_seed0.parquet")
    if os.path.exists(path):
        print(f"panel: {path} (cached)")
        return path
    started = time.perf_counter()
    partial = path + ".partial.parquet"
    if os.path.exists(partial):
        os.remove(partial)  # our own leftover from an interrupted run
    info = write_panel(partial, skus, days, seed=0, new_fraction=0.0, discontinued_fraction=0.0)
    os.replace(partial, path)
    print(f"panel: {path}: {info['rows']:,} rows of {skus:,} series, generated in {time.perf_counter() - started:.1f} s")
    return path


if __name__ == "__main__":
    main()
