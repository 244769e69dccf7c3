"""``gym-inventory demo`` (the job of ``make demo``): does regularization lower the tuned cost? A best-so-far test.

    gym-inventory demo [--out demo_output] [--trials 4] [--repeats 3] [--workers 2] [--smoke] [--quiet]

The study's claim is about tuned methods: over hyperparameter trials, the best-so-far
cost of DRL with a policy regularization is lower (and its trials less sensitive) than
without. The demo tests it, small, on the study's setting 1 as its authors' code runs it
(:mod:`gym_inventory.study`: one shared level sequence, the time feature, 10 training
SKUs, 14 order epochs after 2 warm-up days from an empty start, order cap 100): for DS and
PPO, without regularization and with Base and Both, it runs ``--repeats`` random-search
sweeps of ``--trials`` trials over the study's search spaces (``agents/search_spaces/study``),
repeat ``r`` of every arm with seed ``r`` (the same trial-order and training seeds, the same
SKUs). Each trial is chosen on the 10 validation SKUs and reported on the 100 test SKUs
against the setting's optimum (``dp_exact``: the DP over the true per-day distributions).

It prints the table (tuned cost, random-trial cost, learning vs initialization) and, per
method and regularization, a conclusion computed from the paired repeats: the claim where the
95% interval of the paired difference excludes 0, else "no difference detected at this
budget". It writes into ``--out``: ``central_demo.{md,csv,json}`` and
``demo_setting1_best_so_far.{png,csv,json}`` (the curves with their bands across repeats),
and keeps the sweeps in ``--out/sweeps`` (a rerun resumes them). A file there holding
something else is replaced with a note saying so. ``--smoke`` runs tiny budgets in seconds:
it checks the pipeline, not the claim.
"""
from __future__ import annotations

import os

HELP = "test the study's claim small: best-so-far DS and PPO, with and without regularization, against the optimum"

SETTING = "setting1"
#: The demo's grid (:mod:`agents.sweep.experiment`): about 160 s of CPU (2 workers per sweep; see the README).
PLAN = {"settings": [SETTING], "methods": ["ds", "ppo"], "regs": ["none", "base", "both"], "trials": 4, "repeats": 3,
        "budgets": {"ds": 200, "ppo": 4096}}
SMOKE = {"settings": [SETTING], "methods": ["ds", "ppo"], "regs": ["none", "base"], "trials": 2, "repeats": 2,
         "budgets": {"ds": 4, "ppo": 256}}
PRESET = "demo"


def add_arguments(parser) -> None:
    parser.add_argument("--out", default="demo_output", metavar="DIR", help="output directory (default demo_output)")
    parser.add_argument("--trials", type=int, default=PLAN["trials"], help=f"trials per sweep (default {PLAN['trials']})")
    parser.add_argument("--repeats", type=int, default=PLAN["repeats"],
                        help=f"repeated sweeps per arm, paired by seed (default {PLAN['repeats']}; at least 2 for an interval)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes per sweep (default 2)")
    parser.add_argument("--smoke", action="store_true", help="tiny budgets: a seconds-long check of the pipeline")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def run(args) -> int:
    import tempfile
    import time

    from agents.sweep.experiment import collect, markdown, run_sweeps
    from gym_inventory.params import check_int

    plan = dict(SMOKE) if args.smoke else dict(PLAN, trials=check_int("--trials", args.trials, 1),
                                                repeats=check_int("--repeats", args.repeats, 1))
    workers = 1 if args.smoke else check_int("--workers", args.workers, 1)
    out = os.fspath(args.out)
    if os.path.lexists(out) and not os.path.isdir(out):
        raise ValueError(f"--out {out!r} is a file (or a dangling link), not a directory")
    if os.path.isdir(out) and os.listdir(out) and not os.path.isdir(os.path.join(out, "sweeps")):
        # Not an earlier demo's directory (those hold sweeps/, and a rerun resumes them): never write among other files.
        raise ValueError(f"--out {out!r} is not empty and holds no earlier demo (no sweeps/ folder); "
                         f"choose a new or empty directory")
    started = time.perf_counter()
    run_sweeps(plan, os.path.join(out, "sweeps"), workers, log=(lambda line: None) if args.quiet else print)
    with tempfile.TemporaryDirectory() as scratch:
        rows = collect(plan, os.path.join(out, "sweeps"), scratch, PRESET)
        for name in sorted(os.listdir(scratch)):
            with open(os.path.join(scratch, name), "rb") as handle:
                write_file(os.path.join(out, name), handle.read())
    print(markdown(rows, plan, PRESET))
    print(f"demo wall time {time.perf_counter() - started:.0f} s; wrote {out}/central_{PRESET}.md and "
          f"{out}/{PRESET}_{SETTING}_best_so_far.png (curves with bands across repeats)")
    return 0


def write_file(path: str, content: bytes) -> None:
    """Write ``content``; say so when it replaces a file that held something else."""
    if os.path.exists(path):
        with open(path, "rb") as handle:
            if handle.read() == content:
                return
        print(f"note: replacing {path} (it held an earlier or different result)")
    with open(path + ".tmp", "wb") as handle:
        handle.write(content)
    os.replace(path + ".tmp", path)
