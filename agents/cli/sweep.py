"""``gym-inventory sweep``: a hyperparameter sweep on Optuna, with best-so-far curves.

    gym-inventory sweep --algo ddpg --reg both --setting setting1 --trials 50 --workers 2 --out sweeps/ddpg-both
    gym-inventory sweep --algo ds --reg base --env-config env.yaml --trials 20 --out sweeps/ds-base \\
        [--storage postgresql://user:pass@host/db] [--sampler random|tpe] [--timesteps N] [--seed S]

Each trial trains on the training SKUs, is scored on the validation SKUs and
recorded on the test SKUs; the chosen trial (lowest validation cost) is reported on
the test SKUs against the problem's reference cost. Rerunning the same command
resumes a killed sweep (or extends a finished one with a larger ``--trials``).
"""
from __future__ import annotations

import os

from agents.sb3.algorithms import ALGORITHMS
from gym_inventory.cli.common import add_env_arguments
from gym_inventory.remap import REGULARIZATIONS

HELP = "sweep an algorithm's hyperparameters on Optuna (random search by default) and plot best-so-far curves"


def add_arguments(parser) -> None:
    parser.add_argument("--algo", required=True, type=str.lower, choices=["ds", *ALGORITHMS],
                        help="ds, or an SB3 algorithm (ddpg, td3, sac, ppo, a2c, ...)")
    parser.add_argument("--reg", required=True, metavar="KIND", choices=REGULARIZATIONS,
                        help="regularization: none, base, coeff or both")
    parser.add_argument("--trials", type=int, default=20, help="trials in the sweep (default 20)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes on this machine (default 1)")
    parser.add_argument("--out", required=True, metavar="DIR", help="sweep directory (created, or resumed)")
    parser.add_argument("--setting", default=None, help="a study setting: setting1 .. setting4, setting4_h2 .. setting4_h64, "
                        "or a package variant variant1 .. variant4 (instead of --env-config)")
    add_env_arguments(parser)
    parser.add_argument("--storage", default=None, metavar="URL",
                        help="Optuna database URL shared by several machines (default: a journal file in DIR)")
    parser.add_argument("--heartbeat", type=int, default=None, metavar="SECONDS",
                        help="with --storage: seconds between a worker's heartbeats; a trial without one for 4 of them "
                             "is failed and run again (default 30)")
    parser.add_argument("--sampler", default="random", choices=("random", "tpe"), help="random (default, the best-so-far protocol) or tpe")
    parser.add_argument("--timesteps", type=int, default=None,
                        help="budget per trial: env steps (SB3) or gradient steps (DS); default: the space's budget")
    parser.add_argument("--seed", type=int, default=0, help="seeds the sampler and the trials' training (default 0)")
    parser.add_argument("--data-seed", type=int, default=0, help="seeds the train/validation/test SKUs (default 0)")
    parser.add_argument("--space", default=None, metavar="FILE", help="search-space YAML (default: agents/search_spaces/ALGO.yml)")
    parser.add_argument("--train-skus", type=int, default=None,
                        help="training SKUs (a fixed pool; 0: fresh SKUs every episode); default: the setting's, else 10")
    parser.add_argument("--val-skus", type=int, default=None, help="validation SKUs (default 100)")
    parser.add_argument("--test-skus", type=int, default=None, help="test SKUs (default 100)")
    parser.add_argument("--reference", default="auto",
                        help="reference cost: auto (the setting's), best_classical, best_non_anticipating, critical_fractile, "
                             "dp_exact, dp_empirical or optimal_base_stock")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def build_spec(args):
    """The :class:`~agents.sweep.SweepSpec` of the command line (``UsageError``/``ValueError`` on bad input)."""

    from agents.sweep.report import default_reference
    from agents.sweep.space import load_space, shipped_algorithms, space_file
    from agents.sweep.spec import SweepSpec
    from gym_inventory.cli.errors import UsageError
    from gym_inventory.cli.common import env_kwargs_from_args
    from gym_inventory.config import check_env_kwargs
    from gym_inventory.params import check_int
    from gym_inventory.remap import check_kind
    from agents.sweep.experiment import study_space
    from agents.sweep.space import STUDY_ALGORITHMS, study_space_file
    from gym_inventory.study import Splits, get_setting

    kind = check_kind(args.reg)
    if args.space is None and args.algo not in shipped_algorithms():
        raise UsageError(f"--algo must be one of {shipped_algorithms()} (or give --space FILE), got {args.algo!r}")
    space = load_space(args.space or space_file(args.algo))
    check_int("--trials", args.trials, 1)
    check_int("--workers", args.workers, 1)
    if (args.setting is None) == (args.env_config is None):
        raise UsageError("give exactly one of --setting NAME and --env-config FILE")
    if args.setting is not None:
        setting = get_setting(args.setting)
        flags = {k[len("env_"):]: v for k, v in vars(args).items() if k.startswith("env_") and k != "env_config" and v is not None}
        # the arm's problem as its network sees it (the authors' coeff/both inputs on the study's settings)
        env = check_env_kwargs(dict(setting.network_env_kwargs(kind), **flags))
        if args.space is not None and args.algo in STUDY_ALGORITHMS and os.path.realpath(args.space) == os.path.realpath(
                study_space_file(args.algo)):
            space = study_space(args.algo, kind, setting)  # the study's space with the setting's coeff/both bounds
        sizes = {"train_skus": setting.train_skus, "val_skus": setting.val_skus, "test_skus": setting.test_skus,
                 "warmup_epochs": setting.warmup_epochs, "cost_days": setting.cost_days}
        reference = setting.reference if args.reference == "auto" else args.reference
    else:
        env = env_kwargs_from_args(args)
        sizes = {}  # Splits' defaults
        reference = default_reference(env) if args.reference == "auto" else args.reference
    if args.train_skus is not None:
        sizes["train_skus"] = check_int("--train-skus", args.train_skus, 0) or None
    sizes.update({name: value for name, value in (("val_skus", args.val_skus), ("test_skus", args.test_skus)) if value is not None})
    budget = args.timesteps if args.timesteps is not None else space["budget"]
    if budget is None:
        raise UsageError(f"the search space gives no budget; pass --timesteps N")
    return SweepSpec(
        algo=args.algo, regularization=kind, splits=Splits(env, data_seed=check_int("--data-seed", args.data_seed, 0), **sizes),
        space=space, budget=check_int("--timesteps", budget, 1), seed=check_int("--seed", args.seed, 0),
        sampler=args.sampler, reference=reference, setting=args.setting,
    )


def run(args) -> int:
    from agents.sweep import run_sweep
    from gym_inventory.cli import UsageError

    spec = build_spec(args)
    log = None if args.quiet else (lambda line: print(line, flush=True))
    options = {} if args.heartbeat is None else {"heartbeat_interval": args.heartbeat}
    if args.heartbeat is not None and args.storage is None:
        raise UsageError("--heartbeat applies to a database (--storage URL) only")
    summary = run_sweep(spec, args.out, n_trials=args.trials, workers=args.workers, storage_url=args.storage, log=log,
                        progress=not args.quiet, **options)
    reference = summary["reference"]
    print(f"reference ({reference['policy']}{', exact' if reference['exact'] else ''}): "
          f"test cost per day {reference['cost']:.4f}")
    chosen = summary.get("chosen_trial")
    if chosen is None:
        print(f"no trial finished without error ({summary['finished_trials']} finished); see {args.out}/trials.csv")
        return 1
    curve = summary["curve"]
    reached = curve["trials_to_reach"]
    print(f"chosen trial {chosen['number']} (of {summary['finished_trials']}): validation {chosen['val_cost']:.4f}, "
          f"test {chosen['test_cost']:.4f} +- {chosen['test_ci']:.4f} (gap {100 * chosen['gap']:+.2f}%); "
          f"within 2% of the reference after {reached if reached else 'more than ' + str(summary['finished_trials'])} trials")
    print(f"files: {args.out}/trials.csv, {args.out}/best_so_far.{{png,csv,json}}, {args.out}/summary.json")
    return 1 if summary["worker_failures"] else 0
