"""Exact lost-sales DP: wall time, memory and optimal costs against Zipkin's (2008) table.

Run from the repository root (a few minutes on 2 cores; ``--lead-times 1 2`` for a quick run)::

    python -m benchmarks.dp_solve

For Poisson(5) demand, h = 1, p in {4, 9, 19, 39} and each lead time L, it solves the
long-run average-cost DP by relative value iteration (:func:`gym_inventory.dp.solve_average_cost`)
and prints the optimal cost per day next to the optimal cost tabulated in Zipkin, P. (2008),
"Old and new methods for lost-sales inventory systems", Operations Research 56(5), 1256-1263.
Speed is reported against a reference measured in the same run: simulating the optimal
policy with :func:`gym_inventory.evaluate` on 256 trajectories of 1000 days (256,000
SKU-days, 100 days of warm-up), whose mean cost per day (95% CI) also checks the DP's cost
against the env's own dynamics. Memory is the peak of numpy allocations during the solve
(tracemalloc). A last row
solves the backlog problem with the largest lead time, whose optimum must equal the
exact cost of the optimal base-stock policy (:mod:`gym_inventory.optimal`).
"""
from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
from scipy import stats

from gym_inventory import dp
from gym_inventory.bench.instances import ZIPKIN_PUBLISHED
from gym_inventory.evaluation import evaluate
from gym_inventory.optimal import optimal_base_stock

#: Zipkin (2008), optimal average cost per period; rows L, columns p = 4, 9, 19, 39 (the suite's copy).
ZIPKIN_OPTIMAL = ZIPKIN_PUBLISHED
PENALTIES = (4.0, 9.0, 19.0, 39.0)


def simulated(solution: dp.DPSolution, lead_time: int, penalty: float) -> tuple:
    """Seconds and evaluation of the optimal policy on 256 x 1000 simulated days."""
    spec = dict(lead_time=lead_time, lost_sales=solution.problem.lost_sales, penalty_cost=penalty, demand="poisson",
                demand_kwargs={"mean": 5.0})
    start = time.perf_counter()
    result = evaluate(solution.policy(), spec, n_trajectories=256, horizon=1000, warmup_epochs=100, seed=0)
    return time.perf_counter() - start, result


def timed_solve(problem: dp.DPProblem) -> tuple:
    """The solution, its wall time (s) and the peak of traced allocations (MiB)."""
    tracemalloc.start()
    start = time.perf_counter()
    solution = dp.solve_average_cost(problem)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return solution, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lead-times", type=int, nargs="+", default=[1, 2, 3, 4])
    args = parser.parse_args()
    print(f"{'L':>2} {'p':>4} {'states':>10} {'pairs':>11} {'iter':>5} {'solve s':>8} {'peak MB':>8} "
          f"{'sim s':>6} {'ratio':>6} {'optimal':>9} {'simulated':>17} {'Zipkin':>7} {'diff':>7} {'bound mass':>10}")
    for lead_time in args.lead_times:
        for column, penalty in enumerate(PENALTIES):
            problem = dp.DPProblem.create(stats.poisson(5.0), lead_time=lead_time, lost_sales=True,
                                          holding_cost=1.0, penalty_cost=penalty)
            solution, seconds, peak = timed_solve(problem)
            reference, result = simulated(solution, lead_time, penalty)
            table = ZIPKIN_OPTIMAL.get(lead_time)
            published = table[column] if table else float("nan")
            print(f"{lead_time:>2} {penalty:>4g} {int(np.prod(problem.state_shape)):>10,} {problem.n_pairs:>11,} "
                  f"{solution.iterations:>5} {seconds:>8.2f} {peak:>8.0f} {reference:>6.2f} {seconds / reference:>6.2f} "
                  f"{solution.cost:>9.4f} {result.cost:>9.4f} ± {result.ci:.3f} {published:>7.2f} {solution.cost - published:>+7.4f} "
                  f"{solution.boundary_mass:>10.1e}", flush=True)
    lead_time = max(args.lead_times)
    problem = dp.DPProblem.create(stats.poisson(5.0), lead_time=lead_time, lost_sales=False, holding_cost=1.0, penalty_cost=9.0)
    solution, seconds, peak = timed_solve(problem)
    exact = optimal_base_stock(stats.poisson(5.0), lead_time=lead_time, holding_cost=1.0, penalty_cost=9.0)
    print(f"backlog L={lead_time} p=9: {problem.n_pairs:,} pairs, {solution.iterations} iterations, {seconds:.2f} s, "
          f"peak {peak:.0f} MB; DP {solution.cost:.6f} vs base stock S*={exact.level:g} {exact.cost:.6f} "
          f"(relative difference {solution.cost / exact.cost - 1:+.1e}), bound mass {solution.boundary_mass:.1e}")


if __name__ == "__main__":
    main()
