"""Exact references for random lead times: optimal costs, best base stock, best capped base stock.

    python -m benchmarks.random_lead_times

Poisson(2) daily demand, h = 1, p = 9, review every day; lead-time distributions from
deterministic to widely spread, with and without order crossing, backlog and lost sales.
Per row: the DP optimum (:mod:`gym_inventory.dp_lead_times`, long-run cost per day), the best
base-stock and capped base-stock policies on integer grids (their costs exact, from the same
DP operator), and for backlog without crossing the closed form (compound lead-time demand,
:func:`gym_inventory.optimal.optimal_base_stock`) with a simulation of it (1000 SKUs x 3000
days, the first 100 left out, 95% t-interval over SKUs). Every number is an exact long-run cost except the simulation column.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats

from gym_inventory.dp_lead_times import RandomLeadTimeDP, best_base_stock, solve
from gym_inventory.envs import make_simulator
from gym_inventory.evaluation import _mean_ci
from gym_inventory.optimal import optimal_base_stock

MEAN, HOLDING, PENALTY = 2.0, 1.0, 9.0
#: Mean lead time 2 days each, standard deviation 0, 0.82, 1 and 1.41 days.
DISTRIBUTIONS = {
    "L=2 (fixed)": {"values": [2], "probabilities": [1.0]},
    "{1,2,3} equal": {"values": [1, 2, 3], "probabilities": [1 / 3, 1 / 3, 1 / 3]},
    "{1,3} equal": {"values": [1, 3], "probabilities": [0.5, 0.5]},
    "{0: 1/3, 3: 2/3}": {"values": [0, 3], "probabilities": [1 / 3, 2 / 3]},
}


def simulate_base_stock(level: float, lead_time: dict, *, n_skus: int = 1000, days: int = 3000, warmup: int = 100) -> tuple:
    """Mean cost per day of base stock ``level`` (backlog, no crossing), and its 95% half-width over SKUs."""
    simulator = make_simulator(n_skus, lead_time=lead_time, order_crossing=False, horizon=days, holding_cost=HOLDING,
                               penalty_cost=PENALTY, demand="poisson", demand_kwargs={"mean": MEAN}, normalize=False,
                               max_order=1e6)
    simulator.reset(np.random.default_rng(2026))
    for _ in range(days):
        simulator.step(np.maximum(level - simulator.inventory_position, 0.0))
    per_sku = simulator.records["cost"][:, warmup:].mean(axis=1)
    mean, half = _mean_ci(per_sku)
    return float(mean), half


def rows(names, lost_sales_modes):
    daily = stats.poisson(MEAN)
    for name in names:
        lead_time = DISTRIBUTIONS[name]
        for lost_sales in lost_sales_modes:
            for crossing in (False, True):
                if len(lead_time["values"]) == 1 and crossing:
                    continue  # one value: the two models are the same
                start = time.perf_counter()
                problem = RandomLeadTimeDP.create(daily, lead_time=lead_time, order_crossing=crossing, lost_sales=lost_sales,
                                                  holding_cost=HOLDING, penalty_cost=PENALTY)
                optimum = solve(problem).cost
                top = problem.base.max_position
                levels = range(max(top - 12, 0), top + 1)
                base_cost, level, _ = best_base_stock(problem, levels)
                caps = list(range(2, 9)) + [None]
                capped_cost, capped_level, cap = best_base_stock(problem, range(max(int(level) - 2, 0), int(level) + 4), caps)
                closed = simulated = ""
                if not lost_sales and not crossing:
                    exact = optimal_base_stock(daily, lead_time=lead_time, holding_cost=HOLDING, penalty_cost=PENALTY)
                    mean, half = simulate_base_stock(exact.level, lead_time)
                    closed = f"{exact.cost:.4f} (S={exact.level:g})"
                    simulated = f"{mean:.3f} ± {half:.3f}"
                yield (name, "lost" if lost_sales else "backlog", "yes" if crossing else "no", f"{optimum:.4f}",
                       f"{base_cost:.4f} (S={level:g})", f"{capped_cost:.4f} (S={capped_level:g}, cap={cap})",
                       f"{100 * (base_cost / optimum - 1):.2f}%", closed, simulated, f"{time.perf_counter() - start:.0f}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distributions", nargs="+", choices=list(DISTRIBUTIONS), default=list(DISTRIBUTIONS))
    parser.add_argument("--mode", choices=["backlog", "lost", "both"], default="both")
    args = parser.parse_args(argv)
    modes = {"backlog": [False], "lost": [True], "both": [False, True]}[args.mode]
    header = ("lead time", "unmet", "crossing", "DP optimum", "best base stock", "best capped base stock",
              "base-stock gap", "closed form (no crossing)", "simulated closed form", "s")
    print(f"Poisson({MEAN:g}) demand, h={HOLDING:g}, p={PENALTY:g}, P=1; cost per day")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows(args.distributions, modes):
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
