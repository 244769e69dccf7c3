"""Train PPO with the Both regularization, then test it against the optimal base-stock policy.

    python examples/ppo_both.py                          # 300k env steps: a few minutes on 2 cores
    python examples/ppo_both.py --total-timesteps 50000 --seed 1
    GYM_INVENTORY_TINY=1 python examples/ppo_both.py     # a smoke run of seconds (the tests run this)
    tensorboard --logdir runs                            # the curves, under inventory/

Both: order = max(mu . feat(x) - tot(I), 0). The policy outputs 5 coefficients over the
demand features feat(x), a feature-driven base-stock target, and the remap turns them
into an order. The problem is backlog, Poisson demand, lead time L = 2, P = 1, h = 1,
p = 9, where base stock with S* = F^-1(p / (p + h)) of (L + 1)-day demand is optimal.
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
    """seed of the env, the network and the noise"""
    total_timesteps: int = 300_000
    """env steps (SKU-epochs, summed over the n_envs SKUs)"""
    n_envs: int = 16
    """SKUs collected side by side in one batched env"""
    lead_time: int = 2
    demand_mean: float = 5.0
    penalty_cost: float = 9.0
    test_trajectories: int = 256
    test_horizon: int = 1000
    """order epochs per test trajectory (long: steady state)"""
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
hyperparams = {"n_envs": args.n_envs}
if args.tiny:
    env_config["horizon"] = 8
    hyperparams = {"n_envs": 2, "n_steps": 16, "batch_size": 32, "n_epochs": 1, "policy_kwargs": {"net_arch": [8]},
                   "eval_freq": 32, "val_trajectories": 4}
    args = dataclasses.replace(args, total_timesteps=64, test_trajectories=8, test_horizon=50)
run_dir = os.path.join("runs", f"ppo_both__{args.seed}__{int(time.time())}")

# 1. Train: the best model on the validation trajectories is kept and returned.
result = agents.train("ppo", "both", env_config, hyperparams, total_timesteps=args.total_timesteps, seed=args.seed,
                      log_dir=run_dir, log=print)
print(f"trained {result.steps} steps in {result.wall_time_s:.0f} s; best validation cost {result.best_cost:.3f} "
      f"at step {result.best_step}; run saved in {run_dir}")

# 2. Test on fresh trajectories, beside the optimal base stock on the very same demand paths.
optimum = optimal_base_stock_for(env_config)
ppo, base_stock = compare([result.policy, optimum.policy()], env_config, n_trajectories=args.test_trajectories,
                          horizon=args.test_horizon, seed=0)
difference, ci = paired_difference(ppo, base_stock)
print(f"{'policy':<20} {'cost/day':>9} {'95% CI':>8}")
for row in (ppo, base_stock):
    print(f"{row.name:<20} {row.cost:>9.3f} {row.ci:>8.3f}")
print(f"PPO + Both - base stock: {difference:+.3f} +- {ci:.3f} per day "
      f"({100 * difference / base_stock.cost:+.2f}%); analytic optimum {optimum.cost:.3f} at S* = {optimum.level:g}")
