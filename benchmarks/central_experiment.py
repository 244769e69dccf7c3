"""The central experiment: does policy regularization steady DRL? Methods x regularizations x settings.

    python -m benchmarks.central_experiment --preset medium     # estimated about 2 hours on 2 free cores
    python -m benchmarks.central_experiment --preset full       # the authors' budgets (a cluster: see docs/sweeps.md)
    python -m benchmarks.central_experiment --preset medium --settings setting1 --methods ds ppo --trials 4

On the study's settings as its authors' code runs them (:mod:`gym_inventory.study`), for
every setting, method and regularization it runs ``repeats`` random-search sweeps
(:func:`agents.sweep.run_sweep`) over the study's search spaces (the authors' ranges,
``agents/search_spaces/study``); each sweep is resumable in ``--out``, and repeat ``r`` of
every arm uses seed ``r`` (the same trial-order and training seeds, the same SKUs), so
arms are compared pairwise over repeats. It writes to ``--results`` (default
``docs/results``):

* ``central_<preset>.md`` / ``.csv`` / ``.json``: per setting x method x regularization,
  the test cost and gap to the setting's reference of the trial chosen by validation after
  all trials (the tuned result, median over repeats), the median gap of a single random
  trial (hyperparameter sensitivity), the number of trials until the best-so-far cost is
  within 2% of the reference, and learning vs initialization (the share of trials whose
  kept policy is the untrained one, ``best_step == 0``, and the median ratio of the kept to
  the step-0 validation cost); then the study's claims, each printed only where the paired
  difference over repeats has a 95% interval that excludes 0, else "no difference detected
  at this budget";
* ``<preset>_<setting>_best_so_far.png`` / ``.csv`` / ``.json``: the best-so-far curves of
  every method x regularization with their bands across repeats.
"""
from __future__ import annotations

import argparse
import os
import time

from agents.sweep.experiment import collect, markdown, override_budgets, run_sweeps

#: ``medium``: sized to about two hours on 2 cores (an estimate from single-trial timings, not a
#: measured run); ``full``: the authors' budgets (DS 3000 gradient steps, DDPG and PPO 200k env
#: steps), every setting-4 horizon they ran, 50 trials (the package's choice) and 3 repeats.
PRESETS = {
    "medium": {"settings": ["setting1", "setting2", "setting3", "setting4_h16"], "methods": ["ds", "ddpg", "ppo"],
               "regs": ["none", "base", "coeff", "both"], "trials": 8, "repeats": 3,
               "budgets": {"ds": 300, "ddpg": 5000, "ppo": 20000}},
    "full": {"settings": ["setting1", "setting2", "setting3", "setting4_h2", "setting4_h8", "setting4_h16", "setting4_h32",
                          "setting4_h64"],
             "methods": ["ds", "ddpg", "ppo"], "regs": ["none", "base", "coeff", "both"], "trials": 50, "repeats": 3,
             "budgets": {"ds": 3000, "ddpg": 200_000, "ppo": 200_000}},
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="medium")
    parser.add_argument("--out", default=None, help="sweep directories (default runs/central_<preset>; resumable)")
    parser.add_argument("--results", default="docs/results", help="where the table and figures go (default docs/results)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes per sweep (default 2)")
    parser.add_argument("--settings", nargs="+", default=None, help="override the preset's settings")
    parser.add_argument("--methods", nargs="+", default=None, help="override the preset's methods")
    parser.add_argument("--regs", nargs="+", default=None, help="override the preset's regularizations")
    parser.add_argument("--trials", type=int, default=None, help="override the preset's trials per sweep")
    parser.add_argument("--repeats", type=int, default=None, help="override the preset's repeated sweeps")
    parser.add_argument("--budget", nargs="+", default=None, metavar="METHOD=N",
                        help="override budgets per trial, e.g. --budget ds=100 ppo=5000")
    parser.add_argument("--storage", default=None, metavar="URL",
                        help="an Optuna database URL shared by several machines (e.g. postgresql://...); default: journal files")
    parser.add_argument("--collect-only", action="store_true", help="only rebuild the table and figures from --out")
    args = parser.parse_args(argv)
    plan = dict(PRESETS[args.preset])
    for key in ("settings", "methods", "regs", "trials", "repeats"):
        if getattr(args, key) is not None:
            plan[key] = getattr(args, key)
    try:
        plan["budgets"] = override_budgets(plan["budgets"], args.budget)
    except ValueError as error:
        parser.error(str(error))
    out = args.out or os.path.join("runs", f"central_{args.preset}")
    os.makedirs(args.results, exist_ok=True)
    started = time.perf_counter()
    if not args.collect_only:
        run_sweeps(plan, out, args.workers, storage_url=args.storage)
    rows = collect(plan, out, args.results, args.preset)
    print(markdown(rows, plan, args.preset))
    print(f"total wall time {time.perf_counter() - started:.0f} s; results in {args.results}/central_{args.preset}.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
