"""``gym-inventory bench``: the benchmark suite with exact optima.

    gym-inventory bench list [--suite SUITE]
    gym-inventory bench run --algo ALGO --reg REG --suite SUITE --seeds K --timesteps N --out DIR [--workers W]
        [--config FILE [--label NAME]] [--storage postgresql://user:pass@host/db [--heartbeat S]]
    gym-inventory bench report DIR [DIR ...] --out REPORT [--pair X,Y ...]

``list`` prints the instances of a suite with their reference cost per day (and the
published value where there is one); ``run`` trains (or fits, for a classical
``--algo``) one method on every instance and seed and scores each run
(:mod:`agents.bench.run`; rerunning the same command resumes it; with ``--storage`` every
machine running the same command shares its cells, :mod:`agents.bench.shared`; with ``--config`` a
learned method trains with its shipped hyperparameters updated by the file's, and is named
``ALGO+REG@LABEL``); ``report`` writes
tables, plots and JSON (:mod:`gym_inventory.bench.report`). DS runs through the same
commands (``--algo ds``; ``--timesteps`` is then its number of gradient steps).
"""
from __future__ import annotations

import os

HELP = "benchmark suite: list instances and optima, run a method on a suite, report scores and aggregates"


def add_arguments(parser) -> None:
    commands = parser.add_subparsers(dest="bench_command", metavar="{list,run,report}", parser_class=type(parser))
    commands.required = True

    listing = commands.add_parser("list", help="instances of a suite and their reference costs")
    listing.add_argument("--suite", default="full", help="lite, zipkin, hdpo, study, full (default) or names,separated")
    listing.set_defaults(_bench=_list)

    run = commands.add_parser("run", help="train or fit a method on every instance and seed of a suite, and score it")
    run.add_argument("--algo", required=True, metavar="ALGO",
                     help="ds, an SB3 algorithm (ppo, a2c, ddpg, td3, sac, tqc, trpo, recurrentppo, ars) or a classical "
                          "policy (best_base_stock, best_capped_base_stock, myopic)")
    run.add_argument("--reg", default="none", metavar="REG", help="none (default), base, coeff or both")
    run.add_argument("--suite", default="lite", help="lite (default), zipkin, hdpo, study, full or names,separated")
    run.add_argument("--seeds", type=int, default=3, metavar="K", help="seeds 0 .. K-1 (default 3)")
    run.add_argument("--timesteps", type=int, default=None, metavar="N",
                     help="training budget: env steps (SB3) or gradient steps (ds); required for learned methods")
    run.add_argument("--out", required=True, metavar="DIR", help="bench directory (created, or resumed)")
    run.add_argument("--workers", type=int, default=1, metavar="W", help="runs in parallel processes (default 1)")
    run.add_argument("--storage", default=None, metavar="URL",
                     help="share the runs with every machine running this command against this database "
                          "(postgresql://user:pass@host/db; docs/cluster.md)")
    run.add_argument("--heartbeat", type=int, default=None, metavar="SECONDS",
                     help="with --storage: seconds between a worker's heartbeats; a run without one for 4 of them "
                          "is run again by another worker (default 30)")
    run.add_argument("--config", default=None, metavar="FILE",
                     help="YAML of hyperparameter overrides of a learned method (the keys of `train --config` or `ds "
                          "--config`; not DS's max_steps, which is --timesteps)")
    run.add_argument("--label", default=None, metavar="NAME",
                     help="with --config: names the overrides in the method, ALGO+REG@NAME (default: the file's stem)")
    run.add_argument("--eval-trajectories", type=int, default=None, metavar="N",
                     help="override the instances' evaluation trajectories (quick checks; scores then differ)")
    run.add_argument("--eval-horizon", type=int, default=None, metavar="EPOCHS",
                     help="override the instances' evaluation horizon (quick checks)")
    run.set_defaults(_bench=_run)

    report = commands.add_parser("report", help="tables, plots and JSON of bench directories")
    report.add_argument("dirs", nargs="+", metavar="DIR", help="bench directories written by `bench run`")
    report.add_argument("--out", required=True, metavar="REPORT", help="new directory for the report")
    report.add_argument("--pair", action="append", default=[], metavar="X,Y",
                        help="probability that method X beats method Y (repeatable)")
    report.add_argument("--reps", type=int, default=None, metavar="N", help="bootstrap replications (default 2000)")
    report.set_defaults(_bench=_report)


def run(args) -> int:
    return args._bench(args)


def _list(args) -> int:
    from gym_inventory.bench import get_suite, references

    print(f"{'instance':<24} {'reference':>10} {'published':>10}  source")
    for instance in get_suite(args.suite):
        refs = references(instance)
        cost = sum(r.cost for r in refs) / len(refs)
        published = "" if instance.published is None else f"{instance.published:.2f}"
        label = refs[0].source + (f" (mean of {len(refs)} SKUs)" if len(refs) > 1 else "")
        print(f"{instance.name:<24} {cost:>10.4f} {published:>10}  {label}")
    return 0


def _run(args) -> int:
    from agents.bench.run import CLASSICAL, plan, run_bench
    from gym_inventory.cli import UsageError

    if args.algo.lower() not in CLASSICAL and args.timesteps is None:
        raise UsageError(f"--timesteps is required for the learned method {args.algo!r}")
    if args.heartbeat is not None and args.storage is None:
        raise UsageError("--heartbeat applies to a database (--storage URL) only")
    if args.label is not None and args.config is None:
        raise UsageError("--label names the overrides of --config; give --config FILE too")
    hyperparams, label = None, None
    if args.config is not None:
        from gym_inventory.config import read_yaml

        hyperparams = read_yaml(args.config, "hyperparameter file")  # safe YAML: never runs code
        label = args.label if args.label is not None else os.path.splitext(os.path.basename(args.config))[0]
    cells = plan(args.algo, args.reg, args.suite, args.seeds, args.timesteps, eval_trajectories=args.eval_trajectories,
                 eval_horizon=args.eval_horizon, hyperparams=hyperparams, label=label)
    def log(line):
        print(line, flush=True)

    if args.storage is None:
        result = run_bench(cells, args.out, workers=args.workers, log=log)
    else:
        from agents.bench.shared import run_shared

        result = run_shared(cells, args.out, args.storage, workers=args.workers, heartbeat_interval=args.heartbeat, log=log)
    print(f"{len(result['done'])} run(s) scored, {len(result['skipped'])} already done, {len(result['failed'])} failed; "
          f"results in {args.out}")
    return 1 if result["failed"] else 0


def _report(args) -> int:
    from gym_inventory.bench.report import format_report, write_report
    from gym_inventory.cli import UsageError

    pairs = []
    for text in args.pair:
        parts = text.split(",")
        if len(parts) != 2 or not all(parts):
            raise UsageError(f"--pair must be two method names separated by a comma (X,Y), got {text!r}")
        pairs.append(tuple(parts))
    report = write_report(args.dirs, args.out, pairs=pairs, reps=args.reps)
    print(format_report(report))
    print(f"report written to {args.out}")
    return 0
