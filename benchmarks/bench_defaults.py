"""Do the shipped defaults learn everywhere? PPO + Base and DDPG + Base on the lite suite, DS + Base on Zipkin's 16.

Targets (issue 16, item 4): PPO + Base and DDPG + Base within 2% of the optimum on every
backlog instance of the lite suite and within 3% on its lost-sales instances; DS + Base
within 0.5% on every Zipkin instance. Each method runs through ``bench run`` with its
shipped hyperparameters (``agents/hyperparams/<algo>.yml``) and the budget below, so the
run directories are ordinary bench directories (resumable; ``bench report`` reads them).

    python -m benchmarks.bench_defaults --out runs/defaults [--seeds 3] [--workers 2] [--methods ppo ddpg ds]

Prints one line per (method, instance): the mean gap over seeds, its worst seed, the
target and whether every seed meets it.
"""
from __future__ import annotations

import argparse
import sys

#: Training budget of each method: env steps (SB3) or gradient steps (DS: its default max_steps).
BUDGETS = {"ppo": 100_000, "ddpg": 100_000, "ds": 1500}
#: (algo, suite) pairs and the target gap of an instance.
RUNS = (("ppo", "lite"), ("ddpg", "lite"), ("ds", "zipkin"))
BACKLOG_TARGET, LOST_SALES_TARGET, DS_TARGET = 0.02, 0.03, 0.005


def target(algo: str, instance) -> float:
    """The gap an instance must meet for ``algo``."""
    if algo == "ds":
        return DS_TARGET
    lost_sales = instance.cases[0].env_kwargs.get("lost_sales", False)
    return LOST_SALES_TARGET if lost_sales else BACKLOG_TARGET


def main(argv=None) -> int:
    from agents.bench import DirectoryStore, plan, run_bench
    from gym_inventory.bench import get_instance

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="bench directory (resumed when it exists)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every budget (quick checks: 0.01)")
    parser.add_argument("--methods", nargs="+", default=[algo for algo, _ in RUNS], choices=[algo for algo, _ in RUNS],
                        help="which of the three to run (default all)")
    parser.add_argument("--eval-trajectories", type=int, default=None,
                        help="quick checks only: fewer scoring trajectories (scores then not comparable)")
    parser.add_argument("--eval-horizon", type=int, default=None, help="quick checks only: shorter scoring trajectories")
    args = parser.parse_args(argv)
    all_met = True
    for algo, suite in RUNS:
        if algo not in args.methods:
            continue
        budget = max(1, int(BUDGETS[algo] * args.scale))
        try:
            cells = plan(algo, "base", suite, args.seeds, budget, eval_trajectories=args.eval_trajectories,
                         eval_horizon=args.eval_horizon)
        except ValueError as error:
            parser.error(str(error))
        result = run_bench(cells, args.out, workers=args.workers, log=lambda line: None)
        if result["failed"]:
            for cell, message in result["failed"]:
                print(f"{cell.method} {cell.instance} seed {cell.seed}: failed: {message}")
            all_met = False
        store = DirectoryStore(args.out)
        by_instance = {}
        for cell in cells:
            record = store.get(cell)
            if record is not None:
                by_instance.setdefault(cell.instance, []).append(record["gap"])
        for name, gaps in by_instance.items():
            goal = target(algo, get_instance(name))
            met = max(gaps) <= goal
            all_met &= met
            print(f"{algo}+base {name:<20} budget {budget:>7}  mean gap {100 * sum(gaps) / len(gaps):+6.2f}%  "
                  f"worst {100 * max(gaps):+6.2f}%  target {100 * goal:.1f}%  {'met' if met else 'NOT met'}")
    print("every target met" if all_met else "some targets not met")
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
