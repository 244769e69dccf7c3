"""SB3 quality: DDPG and PPO, with and without the Base regularization, against the optimal base stock.

Run from the repository root (about 4 minutes each on 2 cores, one thread; ``--quick`` for a smoke run)::

    python -m benchmarks.sb3_quality
    python -m benchmarks.sb3_quality --reward-timing step --gamma 0.99   # the plain RL setup, for comparison

Problem: backlog, Poisson(5) daily demand, L = 2, P = 1, h = 1, p = 9, where base stock
is optimal: S* = 20, expected cost 7.1230 per day (:func:`gym_inventory.optimal.optimal_base_stock_for`,
exact). Each run trains with :func:`agents.train` on episodes of 90 days and is tested on
the same 256 fresh trajectories of 1000 epochs (common random numbers, default warm-up
excluded), beside the optimal base stock simulated on those paths; gaps are relative to
the exact optimum, and the paired column gives the difference with the simulated
optimum and its 95% CI.

Training setup, the same for the four runs (documented choices, not tuned per run):

* ``reward_timing="lead_time_window"``: each step is rewarded with the cost of the days
  its order controls (L days later), so the credit of an order is not spread over the
  next L steps; ``gamma = 0.5`` (``--reward-timing step --gamma 0.99`` gives the plain
  setup). Test costs are the plain costs per day.
* ``observation_parts: [pipeline, static]``: the agent sees its inventory pipeline and the
  problem's constants, what the base-stock policy sees (on IID demand the features add
  nothing; with ``forecast_source="realized"`` they would reveal future demand).
* continuous orders in training and in the main test column; the "integer" column tests
  the same trained policy with orders rounded to whole units.
* default initial action bias (``initial_mu: auto``: L + P days of demand for Base, P days
  for None).

The column "to 2%" is the first validation step at which the validation cost was within
2% of the best classical policy on the validation trajectories (sample efficiency).
"""
from __future__ import annotations

import argparse
import platform
import time

import torch

import agents
import gym_inventory
from agents.sb3.policy import SB3Policy
from gym_inventory.evaluation import paired_difference
from gym_inventory.optimal import optimal_base_stock_for

PROBLEM = dict(lead_time=2, review_period=1, holding_cost=1.0, penalty_cost=9.0, demand="poisson",
               demand_kwargs={"mean": 5.0}, horizon=90)
COMMON = {"observation_parts": ["pipeline", "static"], "val_trajectories": 64, "val_horizon": 300}
RUNS = {
    "ddpg": (150_000, dict(COMMON, n_envs=4, eval_freq=5_000)),
    "ppo": (300_000, dict(COMMON, n_envs=16, learning_rate=1e-3, eval_freq=8_192,
                          policy_kwargs={"net_arch": [64, 64], "log_std_init": -2.0})),
}
TEST = dict(n_trajectories=256, horizon=1000, seed=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2% of the budgets, small test")
    parser.add_argument("--runs", default="ddpg+base,ppo+base,ddpg+none,ppo+none", help="comma-separated algo+regularization")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest for 64-unit nets)")
    parser.add_argument("--reward-timing", default="lead_time_window", help="lead_time_window (default) or step")
    parser.add_argument("--gamma", type=float, default=0.5, help="discount factor of every run (default 0.5)")
    args = parser.parse_args()
    train_env = dict(PROBLEM, reward_timing=args.reward_timing)
    torch.set_num_threads(args.threads)
    scale = 0.02 if args.quick else 1.0
    test = dict(TEST, n_trajectories=32, horizon=200) if args.quick else TEST

    optimum = optimal_base_stock_for(PROBLEM)
    reference = gym_inventory.evaluate(optimum.policy(), PROBLEM, **test)
    print(f"sb3_quality: backlog Poisson(5), L=2, P=1, h=1, p=9; training reward_timing={args.reward_timing}, "
          f"gamma={args.gamma}; torch {torch.__version__}, {args.threads} thread(s), {platform.machine()}")
    print(f"optimal base stock S* = {optimum.level:g}: exact cost {optimum.cost:.4f}/day; simulated on the test paths "
          f"{reference.cost:.4f} +- {reference.ci:.4f} ({test['n_trajectories']} x {test['horizon']} epochs)")
    header = (f"{'run':<11} {'env steps':>10} {'to 2%':>8} {'wall s':>7} {'test cost':>10} {'95% CI':>7} {'gap':>7} "
              f"{'vs S* on same paths':>21} {'integer':>8} {'within 1%':>9}")
    rows = []
    for name in args.runs.split(","):
        algo, regularization = name.split("+")
        budget, hyperparams = RUNS[algo]
        started = time.perf_counter()
        hyperparams = dict(hyperparams, gamma=args.gamma)
        result = agents.train(algo, regularization, train_env, hyperparams, total_timesteps=max(int(budget * scale), 512),
                              seed=0)
        wall = time.perf_counter() - started
        tested = gym_inventory.evaluate(result.policy, PROBLEM, **test)
        rounded = SB3Policy(result.model, regularization, train_env, regularization_options={"integer": True},
                            observation_parts=hyperparams["observation_parts"])
        integer = gym_inventory.evaluate(rounded, PROBLEM, **test)
        difference, half = paired_difference(tested, reference)
        gap = 100 * (tested.cost / optimum.cost - 1)
        reached = next((record["step"] for record in result.history if record.get("gap_pct", 1e9) <= 2.0), None)
        rows.append(
            f"{name:<11} {result.steps:>10,} {'never' if reached is None else f'{reached:,}':>8} {wall:>7.0f} "
            f"{tested.cost:>10.4f} {tested.ci:>7.4f} {gap:>+6.2f}% "
            f"{100 * difference / reference.cost:>+9.2f}% +- {100 * half / reference.cost:.2f}% "
            f"{100 * (integer.cost / optimum.cost - 1):>+7.2f}% {'yes' if gap <= 1.0 else 'no':>9}"
        )
        print(f"  {name}: done in {wall:.0f} s", flush=True)
    print(header)
    print("\n".join(rows))
    print("gap: test cost / exact optimum - 1; integer: the same policy with orders rounded to whole units "
          f"(the simulated S* on these paths is {100 * (reference.cost / optimum.cost - 1):+.2f}% off the exact optimum)")


if __name__ == "__main__":
    main()
