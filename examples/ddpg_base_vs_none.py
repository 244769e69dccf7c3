"""Train DDPG with and without the Base regularization on the same budget, and compare them on the same demand paths.

    python examples/ddpg_base_vs_none.py                       # 2 x 50k env steps: several minutes on 2 cores
    python examples/ddpg_base_vs_none.py --total-timesteps 20000 --seed 3
    GYM_INVENTORY_TINY=1 python examples/ddpg_base_vs_none.py  # a smoke run of seconds (the tests run this)
    tensorboard --logdir runs                                  # both runs' curves side by side

None: the policy outputs the order itself (in units of mean daily demand).
Base: it outputs a target level mu, and order = max(mu x scale - tot(I), 0): the
base-stock structure is built in, which is optimal for this backlog problem, so the
agent only has to find one number.
"""
import argparse
import dataclasses
import os
import time

import agents
from gym_inventory.evaluation import compare, paired_difference
from gym_inventory.optimal import optimal_base_stock_for


@dataclasses.dataclass
class Args:
    seed: int = 0
    total_timesteps: int = 50_000
    """env steps per regularization"""
    lead_time: int = 2
    demand_mean: float = 5.0
    penalty_cost: float = 9.0
    test_trajectories: int = 256
    test_horizon: int = 1000
    tiny: bool = os.environ.get("GYM_INVENTORY_TINY") == "1"
    """a smoke run: tiny network and budget"""


def parse_args() -> Args:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for field in dataclasses.fields(Args):
        flag = "--" + field.name.replace("_", "-")
        if field.type == "bool":
            parser.add_argument(flag, action="store_true", default=field.default)
        else:
            parser.add_argument(flag, type=type(field.default), default=field.default)
    return Args(**vars(parser.parse_args()))


args = parse_args()
env_config = {"lead_time": args.lead_time, "demand": "poisson", "demand_kwargs": {"mean": args.demand_mean},
              "penalty_cost": args.penalty_cost, "holding_cost": 1.0}
hyperparams = {}
if args.tiny:
    env_config["horizon"] = 8
    hyperparams = {"learning_starts": 16, "batch_size": 16, "buffer_size": 256, "policy_kwargs": {"net_arch": [8]},
                   "eval_freq": 32, "val_trajectories": 4}
    args = dataclasses.replace(args, total_timesteps=48, test_trajectories=8, test_horizon=50)
stamp = int(time.time())

# 1. Train both on the same budget and seed.
results = {}
for regularization in ("none", "base"):
    run_dir = os.path.join("runs", f"ddpg_{regularization}__{args.seed}__{stamp}")
    results[regularization] = agents.train("ddpg", regularization, env_config, hyperparams,
                                           total_timesteps=args.total_timesteps, seed=args.seed, log_dir=run_dir)
    result = results[regularization]
    print(f"DDPG + {regularization}: best validation cost {result.best_cost:.3f} at step {result.best_step} "
          f"({result.wall_time_s:.0f} s); run saved in {run_dir}")

# 2. Test both, and the optimal base stock, on the same demand paths (common random numbers).
optimum = optimal_base_stock_for(env_config)
none, base, base_stock = compare([results["none"].policy, results["base"].policy, optimum.policy()], env_config,
                                 n_trajectories=args.test_trajectories, horizon=args.test_horizon, seed=0)
print(f"{'policy':<20} {'cost/day':>9} {'95% CI':>8} {'vs optimum':>11}")
for row in (none, base, base_stock):
    print(f"{row.name:<20} {row.cost:>9.3f} {row.ci:>8.3f} {100 * (row.cost / optimum.cost - 1):>10.2f}%")
difference, ci = paired_difference(none, base)
print(f"None - Base: {difference:+.3f} +- {ci:.3f} per day (paired over the same trajectories)")
