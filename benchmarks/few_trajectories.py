"""DS overfitting with few trajectories: DS vs DDPG and PPO, with and without Base, by training-set size.

    python -m benchmarks.few_trajectories                              # the plan below (long: a cluster job)
    python -m benchmarks.few_trajectories --sizes 5 10 --trials 2 --repeats 2 --budget ds=50 ppo=2048 ddpg=1000

The study names DS's overfitting when few training trajectories exist as one reason DRL with
regularization can win. This runs the central experiment's grid (:mod:`agents.sweep.experiment`)
on one faithful setting with 5, 10, 100 and 500 training SKUs (and as many validation SKUs,
as the authors' splits have), the same 100 test SKUs, for DS, DDPG and PPO without
regularization and with Base, and writes ``few_trajectories.{md,csv,json}`` and the curves
to ``--results``. Each row's setting reads ``setting1:train=N``; the claims compare Base with
none per size, paired over repeats (95% intervals).
"""
from __future__ import annotations

import argparse
import os

from agents.sweep.experiment import collect, markdown, override_budgets, run_sweeps

PLAN = {"methods": ["ds", "ddpg", "ppo"], "regs": ["none", "base"], "trials": 8, "repeats": 3,
        "budgets": {"ds": 300, "ddpg": 5000, "ppo": 20000}}
SIZES = (5, 10, 100, 500)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setting", default="setting1", help="a study setting (default setting1)")
    parser.add_argument("--sizes", nargs="+", type=int, default=list(SIZES), help="training SKUs (default 5 10 100 500)")
    parser.add_argument("--methods", nargs="+", default=PLAN["methods"])
    parser.add_argument("--trials", type=int, default=PLAN["trials"])
    parser.add_argument("--repeats", type=int, default=PLAN["repeats"])
    parser.add_argument("--budget", nargs="+", default=None, metavar="METHOD=N", help="budgets per trial, e.g. ds=300")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--storage", default=None, metavar="URL", help="an Optuna database shared by several machines")
    parser.add_argument("--out", default=os.path.join("runs", "few_trajectories"))
    parser.add_argument("--results", default="docs/results")
    args = parser.parse_args(argv)
    plan = dict(PLAN, methods=args.methods, trials=args.trials, repeats=args.repeats,
                settings=[f"{args.setting}:train={n}" for n in args.sizes])
    try:
        plan["budgets"] = override_budgets(PLAN["budgets"], args.budget)
    except ValueError as error:
        parser.error(str(error))
    os.makedirs(args.results, exist_ok=True)
    run_sweeps(plan, args.out, args.workers, storage_url=args.storage)
    rows = collect(plan, args.out, args.results, "few_trajectories")
    print(markdown(rows, plan, "few_trajectories"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
