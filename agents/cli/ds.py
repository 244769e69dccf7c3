"""``gym-inventory ds``: train a policy with the differentiable simulator.

    gym-inventory ds --reg base --env-config env.yaml [--config ds.yml] --out runs/ds-base [--device cpu] [--seed 0]

Writes a run directory (``run.json``, ``policy.pt``, ``checkpoint.pt``, ``tensorboard/``);
``gym-inventory evaluate DIR`` evaluates it. Re-running the same command after an
interruption resumes from the checkpoint; a directory holding another run is refused.
"""
from __future__ import annotations

from gym_inventory.cli.common import add_env_arguments
from gym_inventory.remap import REGULARIZATIONS

HELP = "train a policy with the differentiable simulator (pathwise gradients through the shared dynamics)"


def add_arguments(parser) -> None:
    parser.add_argument("--reg", required=True, metavar="KIND", choices=REGULARIZATIONS,
                        help="regularization: none, base, coeff or both")
    add_env_arguments(parser, required=True)
    parser.add_argument("--config", metavar="HYPERPARAMS.yaml", default=None,
                        help="DS hyperparameters (default: agents/hyperparams/ds.yml)")
    parser.add_argument("--out", required=True, metavar="DIR", help="run directory to create (or resume)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--seed", type=int, default=0, help="seeds episodes, network and minibatches (default 0)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads while training (default 1: fastest for DS)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def run(args) -> int:
    from agents.ds import load_hyperparams, train
    from gym_inventory.cli.common import env_kwargs_from_args
    from gym_inventory.remap import check_kind

    kind = check_kind(args.reg)
    env_kwargs = env_kwargs_from_args(args)
    config = load_hyperparams(args.config)
    log = None if args.quiet else (lambda line: print(line, flush=True))
    result = train(kind, env_kwargs, config, seed=args.seed, device=args.device, out_dir=args.out, log=log,
                   num_threads=args.threads)
    print(
        f"DS+{kind}: best validation cost per day {result.best_val_cost:.4f} at step {result.best_step} "
        f"(untrained {result.initial_val_cost:.4f}; {result.steps} steps, "
        f"{'stopped early, ' if result.stopped_early else ''}{result.wall_time_s:.1f} s); run saved in {args.out}"
    )
    return 0
