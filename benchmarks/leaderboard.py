"""The leaderboard of docs/benchmark.md: every method on a suite of the benchmark, in one command.

    python -m benchmarks.leaderboard --out runs/leaderboard --timesteps 4096 --ds-steps 100 --seeds 3 --workers 2

Runs ``gym-inventory bench run`` (:func:`agents.bench.run_bench`) for the classical policies
(:data:`agents.bench.run.CLASSICAL`: best base stock, best capped base stock, myopic), for DS and
for every SB3 / sb3-contrib algorithm of :data:`agents.sb3.algorithms.ALGORITHMS` (PPO, A2C,
DDPG, TD3, SAC, TQC, TRPO, RecurrentPPO, ARS) with each regularization of ``--regs``, all
with their shipped hyperparameters, on every instance of ``--suite`` and seeds ``0 ..
--seeds - 1``; then ``gym-inventory bench report`` over the directory
(:func:`gym_inventory.bench.report.write_report`). It prints the report (per instance the mean
gap to the optimum, then rliable's aggregates of the normalized score) and the wall time of
each method. ``--out`` is resumed: a rerun skips the finished runs; ``--report`` (default
``OUT-report``) must be new or empty (nothing is overwritten). The SB3 budget
``--timesteps`` (env steps) and DS's ``--ds-steps`` (gradient steps) are the same for every
method unless ``--budget ALGO=N`` gives an algorithm its own (e.g. ``--budget ppo=100000
ddpg=100000``: the cheap methods at the budget where they learn, the costly off-policy ones at
``--timesteps``); the wall-time table states each method's budget, so the table says what each
method gets at its budget, not what it can reach.
"""
from __future__ import annotations

import argparse
import os
import time


def methods(regs) -> list:
    """``(algo, reg)`` of the leaderboard: the classical policies, then DS, then every SB3 algorithm."""
    from agents.bench.run import CLASSICAL
    from agents.sb3.algorithms import ALGORITHMS

    learned = ["ds", *ALGORITHMS]
    return [(algo, "none") for algo in CLASSICAL] + [(algo, reg) for algo in learned for reg in regs]


def parse_budgets(items) -> dict:
    """``{algo: budget}`` from ``["ppo=100000", ...]`` (``ValueError`` naming a bad item)."""
    from agents.sb3.algorithms import ALGORITHMS

    budgets = {}
    for item in items:
        algo, _, value = item.partition("=")
        if algo not in ("ds", *ALGORITHMS) or not value.isdigit() or int(value) < 1:
            raise ValueError(f"--budget takes ALGO=N with ALGO ds or one of {list(ALGORITHMS)} and N >= 1, got {item!r}")
        budgets[algo] = int(value)
    return budgets


def main(argv=None) -> int:
    from agents.bench.run import CLASSICAL, plan, run_bench
    from gym_inventory.bench.report import format_report, write_report

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="bench directory (resumed when it exists)")
    parser.add_argument("--report", default=None, help="report directory (default OUT-report; replaced)")
    parser.add_argument("--suite", default="lite")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--timesteps", type=int, default=4096, help="env steps of every SB3 algorithm (default 4096)")
    parser.add_argument("--ds-steps", type=int, default=100, help="gradient steps of DS (default 100)")
    parser.add_argument("--budget", nargs="+", default=[], metavar="ALGO=N",
                        help="an algorithm's own budget (env steps; DS: gradient steps), overriding the two above")
    parser.add_argument("--regs", nargs="+", default=["none", "base"], help="regularizations of the learned methods")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pair", action="append", default=[], metavar="X,Y",
                        help="probability that method X beats method Y (repeatable)")
    args = parser.parse_args(argv)
    report_dir = args.report or args.out.rstrip(os.sep) + "-report"
    if os.path.exists(report_dir) and (not os.path.isdir(report_dir) or os.listdir(report_dir)):
        parser.error(f"--report {report_dir!r} exists and is not empty; choose a new one (nothing is overwritten)")
    try:
        budgets = parse_budgets(args.budget)
    except ValueError as error:
        parser.error(str(error))
    pairs = [tuple(text.split(",")) for text in args.pair]
    if any(len(pair) != 2 or not all(pair) for pair in pairs):
        parser.error(f"--pair takes X,Y, got {args.pair!r}")
    walls = []
    for algo, reg in methods(args.regs):
        budget = None if algo in CLASSICAL else budgets.get(algo, args.ds_steps if algo == "ds" else args.timesteps)
        try:
            cells = plan(algo, reg, args.suite, args.seeds, budget)
        except ValueError as error:
            parser.error(str(error))
        started = time.perf_counter()
        result = run_bench(cells, args.out, workers=args.workers, log=lambda line: None)
        wall = time.perf_counter() - started
        name = algo if algo in CLASSICAL else f"{algo}+{reg}"
        walls.append((name, budget, wall, len(result["done"]), len(result["skipped"]), len(result["failed"])))
        print(f"{name}: {len(result['done'])} run(s) in {wall:.1f} s, {len(result['skipped'])} already done, "
              f"{len(result['failed'])} failed", flush=True)
        for cell, message in result["failed"]:
            print(f"  failed: {cell.instance} seed {cell.seed}: {message}", flush=True)
    report = write_report([args.out], report_dir, pairs=pairs)
    print(format_report(report))
    print(f"\nbudgets: SB3 {args.timesteps} env steps, DS {args.ds_steps} gradient steps"
          + "".join(f", {algo} {budget}" for algo, budget in budgets.items())
          + f"; {args.seeds} seeds; suite {args.suite}; {args.workers} workers")
    print("| method | budget | wall (s) | runs this call | already done | failed |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, budget, wall, done, skipped, failed in walls:
        print(f"| {name} | {'-' if budget is None else budget} | {wall:.1f} | {done} | {skipped} | {failed} |")
    print(f"report written to {report_dir}")
    return 1 if any(row[5] for row in walls) else 0


if __name__ == "__main__":
    raise SystemExit(main())
