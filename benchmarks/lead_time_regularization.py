"""Where does regularization still help? DS and PPO, None vs Base, as lead times get random.

Run from the repository root (about 10 to 15 minutes on 2 busy cores; ``--quick`` for a smoke run)::

    python -m benchmarks.lead_time_regularization

Problem: backlog, Poisson(2) daily demand, h = 1, p = 9, P = 1, lead times of mean 2 days
from fixed to widely spread (the distributions of :mod:`benchmarks.random_lead_times`), with
and without order crossing. For each setting: the exact DP optimum (long-run cost per day,
:mod:`gym_inventory.dp_lead_times`) and four small-budget trainings (DS and PPO, each with
the None and the Base regularization, three seeds each, reading the pipeline and the static
context; PPO with ``reward_timing="step"``, the only timing random lead times allow, and
gamma 0.9), tested on the same 128 fresh trajectories of 500 epochs (common random numbers:
same demand and lead-time draws for every policy; default warm-up left out) beside the best
base-stock level (exact DP cost on an integer grid) simulated on those paths. Cells: the
gap to the DP optimum of each training, measured paired: its test cost minus base stock's
on the same paths, plus base stock's exact cost (the paths' common noise cancels), mean
over the seeds and [smallest, largest]. With three seeds, the spread between seeds is the
noise to read the cells against.
"""
from __future__ import annotations

import argparse
import time

import torch
from scipy import stats

import agents
import gym_inventory
from agents.ds import train as ds_train
import numpy as np

from benchmarks.random_lead_times import DISTRIBUTIONS
from gym_inventory.dp_lead_times import RandomLeadTimeDP, best_base_stock, solve
from gym_inventory.policies import BaseStock

PROBLEM = dict(review_period=1, holding_cost=1.0, penalty_cost=9.0, demand="poisson", demand_kwargs={"mean": 2.0},
               horizon=90)
SETTINGS = [("L=2 (fixed)", False), ("{1,2,3} equal", False), ("{1,2,3} equal", True),
            ("{0: 1/3, 3: 2/3}", False), ("{0: 1/3, 3: 2/3}", True)]
PARTS = ["pipeline", "static"]
DS = dict(train_trajectories=128, val_trajectories=64, batch_size=32, max_steps=300, eval_every=25,
          hidden_sizes=[32, 32], observation_parts=PARTS)
PPO = (32_768, dict(n_envs=8, learning_rate=1e-3, eval_freq=4_096, gamma=0.9, observation_parts=PARTS,
                    val_trajectories=32, val_horizon=200, policy_kwargs={"net_arch": [64, 64], "log_std_init": -2.0}))
TEST = dict(n_trajectories=128, horizon=500, seed=7)
SEEDS = (0, 1, 2)


def env_kwargs(name: str, crossing: bool) -> dict:
    lead_time = DISTRIBUTIONS[name]
    if len(lead_time["values"]) == 1:
        return dict(PROBLEM, lead_time=lead_time["values"][0])
    return dict(PROBLEM, lead_time=lead_time, order_crossing=crossing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny budgets and test, two settings")
    args = parser.parse_args()
    torch.set_num_threads(1)
    settings = SETTINGS[:2] if args.quick else SETTINGS
    ds_budget = dict(DS, max_steps=10, eval_every=5) if args.quick else DS
    ppo_steps = 1_024 if args.quick else PPO[0]
    test = dict(TEST, n_trajectories=16, horizon=150) if args.quick else TEST
    seeds = SEEDS[:1] if args.quick else SEEDS
    daily = stats.poisson(2.0)
    print(f"lead_time_regularization: backlog Poisson(2), h=1, p=9, P=1; test {test['n_trajectories']} x "
          f"{test['horizon']} epochs; DS {ds_budget['max_steps']} gradient steps, PPO {ppo_steps:,} env steps")
    print("| lead time | crossing | DP optimum | best base stock | DS + None | DS + Base | PPO + None | PPO + Base | wall s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, crossing in settings:
        started = time.perf_counter()
        problem_kwargs = env_kwargs(name, crossing)
        problem = RandomLeadTimeDP.create(daily, lead_time=DISTRIBUTIONS[name], order_crossing=crossing, lost_sales=False,
                                          holding_cost=1.0, penalty_cost=9.0)
        optimum = solve(problem).cost
        top = problem.base.max_position
        base_exact, level, _ = best_base_stock(problem, range(max(top - 12, 0), top + 1))
        base = gym_inventory.evaluate(BaseStock(level), problem_kwargs, **test)
        cells = [f"{100 * (base_exact / optimum - 1):+.2f}% (S={level:g}; simulated {base.cost:.3f} ± {base.ci:.3f})"]
        for algo in ("DS", "PPO"):
            for regularization in ("none", "base"):
                gaps = []
                for seed in seeds:
                    if algo == "DS":
                        policy = ds_train(regularization, problem_kwargs, ds_budget, seed=seed).policy
                    else:
                        policy = agents.train("ppo", regularization, problem_kwargs, PPO[1], total_timesteps=ppo_steps,
                                              seed=seed).policy
                    tested = gym_inventory.evaluate(policy, problem_kwargs, **test)
                    # paired with base stock on the same paths, plus base stock's exact gap: the paths' noise cancels
                    gaps.append(100 * (tested.cost - base.cost + base_exact - optimum) / optimum)
                cells.append(f"{np.mean(gaps):+.1f}% [{min(gaps):+.1f}, {max(gaps):+.1f}]")
        print(f"| {name} | {'yes' if crossing else 'no'} | {optimum:.4f} | " + " | ".join(cells)
              + f" | {time.perf_counter() - started:.0f} |", flush=True)
    print("best base stock: its exact gap to the DP optimum (and its simulated test cost ± 95% half-width); the others: "
          "gap to the DP optimum = (test cost - base stock's test cost + base stock's exact cost) / optimum - 1, "
          f"mean over seeds {list(seeds)} [smallest, largest]")


if __name__ == "__main__":
    main()
