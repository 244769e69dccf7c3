"""DS quality: DS + Base against the optimum, and how DS overfits few training trajectories.

Run from the repository root (about 3 to 5 minutes on 2 cores; ``--quick`` for a smoke run)::

    python -m benchmarks.ds_quality

1. Backlog, Poisson(5), L = 2, P = 1, h = 1, p = 9: DS + Base against the optimal
   base-stock policy (exact, critical fractile; base stock is optimal here), reading
   the pipeline only and the env's full default observation; then, for scale, with
   the oracle forecasts of ``forecast_source="realized"``.
2. Lost sales, same problem: DS + Base against the optimal policy of the exact DP
   (:mod:`gym_inventory.dp`), beside the best base-stock and capped base-stock
   policies found by simulation search.
3. Overfitting: test cost of DS + None and DS + Base trained on 5, 50 and 500
   trajectories (validation set of the same size as the training set), on the
   problem of (1) where the optimum is known.

Every policy is tested on the same 500 fresh trajectories of 1000 epochs (common
random numbers, warm-up of 100 epochs excluded) with integer orders; gaps carry a
95% CI from the paired differences. Unless a row says otherwise the network reads
only the pipeline part of the observation, what a base-stock policy sees. The env's
default forecasts (``forecast_source="expected"``) average the demand model's expected
demand, so the full default observation reveals nothing of the future (on IID demand
the forecasts are constant). With ``forecast_source="realized"`` they are the realized
means of the next 7 and 28 days, information no non-anticipative policy has, so no
base-stock optimum bounds that row (it shows what the oracle is worth).
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from scipy import stats

import gym_inventory
from agents.ds import train
from gym_inventory import dp
from gym_inventory.evaluation import paired_difference
from gym_inventory.optimal import best_base_stock, best_capped_base_stock, optimal_base_stock_for
from gym_inventory.policies import BaseStock

BACKLOG = dict(lead_time=2, review_period=1, holding_cost=1.0, penalty_cost=9.0, demand="poisson", demand_kwargs={"mean": 5.0})
LOST_SALES = dict(BACKLOG, lost_sales=True)
ORACLE = dict(BACKLOG, forecast_source="realized")  # forecast features = realized future demand
PIPELINE_ONLY = {"observation_parts": ["pipeline"]}
TEST = dict(n_trajectories=500, horizon=1000, seed=2024)


def scipy_backlog_optimum(mean: float, lead_time: int, holding: float, penalty: float) -> tuple[float, float]:
    """Independent check: S* = Poisson((L+1) mean) quantile at p/(p+h), cost by summation over the pmf."""
    demand = stats.poisson((lead_time + 1) * mean)
    level = float(demand.ppf(penalty / (penalty + holding)))
    units = np.arange(0, int(demand.ppf(1 - 1e-15)) + 1)
    cost = np.sum(demand.pmf(units) * (holding * np.maximum(level - units, 0) + penalty * np.maximum(units - level, 0)))
    return level, float(cost)


def gap(evaluation, reference) -> str:
    """Relative gap to ``reference`` (evaluated on the same paths) with its 95% CI."""
    if evaluation is reference:
        return "reference"
    mean, half = paired_difference(evaluation, reference)
    return f"{100 * mean / reference.cost:+6.2f}% +- {100 * half / reference.cost:.2f}%"


def timed_train(kind, env_kwargs, hyperparams):
    result = train(kind, env_kwargs, hyperparams, seed=0)
    return result, f"{result.wall_time_s:6.1f} s, {result.steps} steps"


def row(name, evaluation, gap, note=""):
    print(f"  {name:<34} {evaluation.cost:8.4f} +- {evaluation.ci:.4f}   {gap:<18} {note}")


def backlog(budget, test_options):
    print("1. Backlog, Poisson(5), L=2, P=1, h=1, p=9  (test cost per day, gap to the optimum)")
    optimum = optimal_base_stock_for(BACKLOG)
    level, cost = scipy_backlog_optimum(5.0, 2, 1.0, 9.0)
    print(f"  optimal base stock S* = {optimum.level:g}, exact cost {optimum.cost:.4f} "
          f"(independent scipy check: S* = {level:g}, cost {cost:.4f})")
    reference = gym_inventory.evaluate(BaseStock(optimum.level), BACKLOG, **test_options)
    row(f"base stock S*={optimum.level:g} (simulated)", reference, "reference")
    for name, extra in (("DS + Base", PIPELINE_ONLY), ("DS + Base, full observation", {})):
        result, wall = timed_train("base", BACKLOG, dict(budget, **extra))
        evaluation = gym_inventory.evaluate(result.policy, BACKLOG, **test_options)
        row(name, evaluation, gap(evaluation, reference), wall)
    # The oracle row only shows what seeing the future is worth: a shorter budget does. Its
    # reference is base stock on the oracle env's paths (the same demand; only the features differ).
    short = {"max_steps": min(500, budget.get("max_steps", 500))}
    oracle_reference = gym_inventory.evaluate(BaseStock(optimum.level), ORACLE, **test_options)
    result, wall = timed_train("base", ORACLE, dict(budget, **short))
    evaluation = gym_inventory.evaluate(result.policy, ORACLE, **test_options)
    row("DS + Base, realized forecasts", evaluation, gap(evaluation, oracle_reference), wall + " (oracle)")


def lost_sales(budget, test_options):
    print("2. Lost sales, Poisson(5), L=2, P=1, h=1, p=9  (gap to the DP optimum)")
    started = time.perf_counter()
    solution = dp.solve_average_cost(dp.DPProblem.from_env(LOST_SALES))
    base = best_base_stock(LOST_SALES, n_trajectories=200, horizon=1000, seed=1)
    capped = best_capped_base_stock(LOST_SALES, n_trajectories=200, horizon=1000, seed=1)
    print(f"  DP optimum: exact cost {solution.cost:.4f} (boundary mass {solution.boundary_mass:.1e}); "
          f"DP and searches took {time.perf_counter() - started:.1f} s")
    rows = [("DP optimal policy (simulated)", solution.policy()), (f"best base stock S={base.level:g}", base.policy),
            (f"best capped base stock S={capped.level:g}, r={capped.order_cap:g}", capped.policy)]
    evaluations = [(name, gym_inventory.evaluate(policy, LOST_SALES, **test_options)) for name, policy in rows]
    reference = evaluations[0][1]
    for name, evaluation in evaluations:
        row(name, evaluation, gap(evaluation, reference))
    result, wall = timed_train("base", LOST_SALES, dict(budget, **PIPELINE_ONLY))
    evaluation = gym_inventory.evaluate(result.policy, LOST_SALES, **test_options)
    row("DS + Base", evaluation, gap(evaluation, reference), wall)


def overfitting(budget, sizes, test_options):
    print("3. Overfitting on the problem of (1), pipeline observation: cost per day on the training episodes"
          " (90 epochs each) and on the test set, gap to the optimum")
    optimum = optimal_base_stock_for(BACKLOG)
    reference = gym_inventory.evaluate(BaseStock(optimum.level), BACKLOG, **test_options)
    print(f"  {'trajectories':>12}  {'policy':<10} {'train':>8} {'test':>8}   {'test gap':<18} wall time")
    for n in sizes:
        for kind in ("none", "base"):
            hyperparams = dict(budget, train_trajectories=n, val_trajectories=n, **PIPELINE_ONLY)
            result, wall = timed_train(kind, BACKLOG, hyperparams)
            evaluation = gym_inventory.evaluate(result.policy, BACKLOG, **test_options)
            print(f"  {n:>12}  DS + {kind:<5} {result.train_cost:8.4f} {evaluation.cost:8.4f}   "
                  f"{gap(evaluation, reference):<18} {wall}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny budgets: checks that the script runs")
    args = parser.parse_args(argv)
    if args.quick:
        budget, sizes = dict(max_steps=20, eval_every=10, train_trajectories=16, val_trajectories=16), (5, 20)
        test_options = dict(n_trajectories=20, horizon=100, seed=2024)
    else:
        budget, sizes, test_options = {}, (5, 50, 500), TEST
    torch.set_num_threads(1)  # training and the DS policy's evaluation: tiny ops, which threads only slow down
    started = time.perf_counter()
    print(f"DS quality benchmark (torch {torch.__version__}, CPU, 1 thread); DS hyperparameters: agents/hyperparams/ds.yml"
          + (" with tiny budgets (--quick)" if args.quick else ""))
    print(f"Test: {test_options['n_trajectories']} trajectories x {test_options['horizon']} epochs, seed {test_options['seed']}")
    backlog(budget, test_options)
    lost_sales(budget, test_options)
    overfitting(budget, sizes, test_options)
    print(f"total wall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
