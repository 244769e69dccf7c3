"""Where does regularization still help? DS and PPO, None vs Base, as lead times get random.

Run from the repository root (about 3 minutes on 2 cores, much longer when they are shared;
``--quick`` for a smoke run)::

    python -m benchmarks.lead_time_regularization

Problem: backlog, Poisson(2) daily demand, h = 1, p = 9, P = 1, lead times of mean 2 days
from fixed to widely spread (the distributions of :mod:`benchmarks.random_lead_times`), with
and without order crossing. For each setting: the exact DP optimum (long-run cost per day,
:mod:`gym_inventory.dp_lead_times`) and four small-budget trainings (DS and PPO, each with
the None and the Base regularization, one seed each, reading the pipeline and the static
context; PPO with ``reward_timing="step"``, the only timing random lead times allow, and
gamma 0.9), tested on the same 128 fresh trajectories of 500 epochs (common random numbers:
same demand and lead-time draws for every policy; default warm-up left out) beside the best
base-stock level (exact DP cost on an integer grid) simulated on those paths. Columns: test
cost per day, 95% CI over trajectories, and the gap to the DP optimum; with one seed and a
small budget, differences of a few percent between trainings are within their noise.
"""
from __future__ import annotations

import argparse
import time

import torch
from scipy import stats

import agents
import gym_inventory
from agents.ds import train as ds_train
from benchmarks.random_lead_times import DISTRIBUTIONS
from gym_inventory.dp_lead_times import RandomLeadTimeDP, best_base_stock, solve
from gym_inventory.policies import BaseStock

PROBLEM = dict(review_period=1, holding_cost=1.0, penalty_cost=9.0, demand="poisson", demand_kwargs={"mean": 2.0},
               horizon=90)
SETTINGS = [("L=2 (fixed)", False), ("{1,2,3} equal", False), ("{1,2,3} equal", True),
            ("{0: 1/3, 3: 2/3}", False), ("{0: 1/3, 3: 2/3}", True)]
PARTS = ["pipeline", "static"]
DS = dict(train_trajectories=128, val_trajectories=64, batch_size=32, max_steps=150, eval_every=25,
          hidden_sizes=[32, 32], observation_parts=PARTS)
PPO = (16_384, dict(n_envs=8, learning_rate=1e-3, eval_freq=4_096, gamma=0.9, reward_timing="step", observation_parts=PARTS,
                    val_trajectories=32, val_horizon=200, policy_kwargs={"net_arch": [64, 64], "log_std_init": -2.0}))
TEST = dict(n_trajectories=128, horizon=500, seed=7)


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
    daily = stats.poisson(2.0)
    print(f"lead_time_regularization: backlog Poisson(2), h=1, p=9, P=1; test {test['n_trajectories']} x "
          f"{test['horizon']} epochs; DS {ds_budget['max_steps']} gradient steps, PPO {ppo_steps:,} env steps, seed 0")
    print("| lead time | crossing | DP optimum | best base stock | DS + None | DS + Base | PPO + None | PPO + Base | wall s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, crossing in settings:
        started = time.perf_counter()
        problem_kwargs = env_kwargs(name, crossing)
        problem = RandomLeadTimeDP.create(daily, lead_time=DISTRIBUTIONS[name], order_crossing=crossing, lost_sales=False,
                                          holding_cost=1.0, penalty_cost=9.0)
        optimum = solve(problem).cost
        top = problem.base.max_position
        _, level, _ = best_base_stock(problem, range(max(top - 12, 0), top + 1))
        policies = {"best base stock": BaseStock(level)}
        for regularization in ("none", "base"):
            result = ds_train(regularization, problem_kwargs, ds_budget, seed=0)
            policies[f"DS + {regularization.capitalize()}"] = result.policy
        for regularization in ("none", "base"):
            result = agents.train("ppo", regularization, problem_kwargs, PPO[1], total_timesteps=ppo_steps, seed=0)
            policies[f"PPO + {regularization.capitalize()}"] = result.policy
        cells = []
        for label, policy in policies.items():
            tested = gym_inventory.evaluate(policy, problem_kwargs, **test)
            gap = 100 * (tested.cost / optimum - 1)
            extra = f" (S={level:g})" if label == "best base stock" else ""
            cells.append(f"{tested.cost:.3f} ± {tested.ci:.3f}, {gap:+.1f}%{extra}")
        print(f"| {name} | {'yes' if crossing else 'no'} | {optimum:.4f} | " + " | ".join(cells)
              + f" | {time.perf_counter() - started:.0f} |", flush=True)
    print("cells: test cost per day ± 95% CI half-width, gap to the DP optimum (exact, long-run)")


if __name__ == "__main__":
    main()
