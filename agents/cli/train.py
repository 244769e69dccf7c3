"""``gym-inventory train``: train a Stable-Baselines3 / sb3-contrib algorithm through a regularization.

    gym-inventory train --algo ddpg --reg both --env-config env.yaml [--config hyperparams.yaml] \\
        --timesteps 100000 --seed 0 --out runs/ddpg-both [--progress-bar]

Writes a run directory (``run.json``, ``model.pt``, ``checkpoints/``, ``tensorboard/``;
see :mod:`agents.sb3.run_dir`); ``gym-inventory evaluate DIR`` evaluates it. Re-running
the same command after an interruption continues from the last checkpoint; a
directory holding another run is refused, nothing overwritten.
"""
from __future__ import annotations

from agents.sb3.algorithms import ALGORITHMS
from gym_inventory.cli.common import add_env_arguments
from gym_inventory.remap import REGULARIZATIONS

HELP = "train an SB3 / sb3-contrib algorithm (ddpg, td3, sac, ppo, a2c, tqc, trpo, recurrentppo, ars) with a regularization"


def add_arguments(parser) -> None:
    parser.add_argument("--algo", required=True, metavar="NAME", type=str.lower, choices=list(ALGORITHMS),
                        help="ddpg, td3, sac, ppo, a2c, tqc, trpo, recurrentppo or ars")
    parser.add_argument("--reg", default="none", metavar="KIND", choices=REGULARIZATIONS,
                        help="regularization: none (default), base, coeff or both")
    add_env_arguments(parser, required=True)
    parser.add_argument("--config", metavar="HYPERPARAMS.yaml", default=None,
                        help="hyperparameters overriding agents/hyperparams/<algo>.yml key by key")
    parser.add_argument("--timesteps", type=int, required=True, metavar="N", help="env steps to train for")
    parser.add_argument("--seed", type=int, default=0, help="seeds env, network and noise (default 0)")
    parser.add_argument("--out", required=True, metavar="DIR", help="run directory to create (or resume)")
    parser.add_argument("--device", default="cpu", help="torch device (default cpu)")
    parser.add_argument("--progress-bar", action="store_true", help="show a progress bar")
    parser.add_argument("--quiet", action="store_true", help="no validation lines")


def run(args) -> int:
    from agents.sb3.train import train
    from gym_inventory.cli.common import env_kwargs_from_args

    env_kwargs = env_kwargs_from_args(args)
    log = None if args.quiet else (lambda line: print(line, flush=True))
    result = train(args.algo, args.reg, env_kwargs, args.config, total_timesteps=args.timesteps, seed=args.seed,
                   log_dir=args.out, device=args.device, progress_bar=args.progress_bar, log=log)
    gap = "" if result.best_gap_pct is None else f", {result.best_gap_pct:+.2f}% vs the best classical policy"
    print(f"{args.algo}+{args.reg}: best validation cost per day {result.best_cost:.4f} at step {result.best_step}{gap} "
          f"({result.steps} steps{', stopped early' if result.stopped_early else ''}, {result.wall_time_s:.1f} s); "
          f"run saved in {args.out}")
    return 0
