"""The reference of every benchmark case: its optimal (or best known) cost per day and a policy reaching it.

Nothing is re-derived here: the DP is :func:`gym_inventory.dp.solve_average_cost`, the
backlog optimum :func:`gym_inventory.optimal.optimal_base_stock_for`, the study's
references :func:`gym_inventory.study.reference`. The policy is simulated next to
every scored policy on the same demand paths, so a gap is a paired difference
(:mod:`gym_inventory.bench.scores`), and the cost is what the gap is relative to.

The naive policy that a normalized score of 0 stands for is :func:`naive_policy`:
order up to the mean demand of the L + P days an order covers (base stock without
safety stock, in units of each SKU's scale).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from gym_inventory.bench.instances import Case, Instance, get_instance
from gym_inventory.policy import Policy


@dataclass(frozen=True)
class Reference:
    """The reference of one case.

    Attributes:
        cost: cost per day (money): the exact optimum, or the best known policy's cost.
        policy: a policy reaching it, simulated beside scored policies.
        source: how it was obtained (``"dp"``, ``"analytic"``, or the study reference's name).
        exact: True for an exact optimum.
        notes: facts about the computation (DP truncation mass, base-stock level, ...).
    """

    cost: float
    policy: Policy = field(repr=False, compare=False)
    source: str
    exact: bool
    notes: str = ""


def naive_policy(env_kwargs: dict) -> Policy:
    """Order up to (L + P) days of mean demand, in units of each SKU's scale (score 0)."""
    from gym_inventory.evaluation import resolve_problem
    from gym_inventory.policies import BaseStock

    params, model = resolve_problem(env_kwargs)
    policy = BaseStock(float(params.lead_time + params.review_period), in_scale_units=True, integer=bool(model.integer))
    policy.name = "naive_mean_demand_base_stock"
    return policy


def case_reference(instance: Instance, case: Case) -> Reference:
    """The reference of ``case`` of ``instance`` (cached per instance and case label)."""
    if not isinstance(instance, Instance):
        raise TypeError(f"instance must be a bench Instance, got {instance!r}")
    return _reference(instance.name, case.label)


def references(instance: Instance | str) -> list:
    """The reference of every case of ``instance`` (an Instance or its name), in case order."""
    instance = get_instance(instance) if isinstance(instance, str) else instance
    return [case_reference(instance, case) for case in instance.cases]


@lru_cache(maxsize=None)
def _reference(instance_name: str, label: str) -> Reference:
    instance = get_instance(instance_name)
    case = next(c for c in instance.cases if c.label == label)
    if instance.reference == "dp":
        from gym_inventory import dp

        solution = dp.solve_average_cost(dp.DPProblem.from_env(case.env_kwargs))
        return Reference(solution.cost, solution.policy(), "dp", True,
                         f"relative value iteration, {solution.iterations} iterations, "
                         f"truncation mass {solution.boundary_mass:.1e}")
    if instance.reference == "analytic":
        from gym_inventory.evaluation import resolve_problem
        from gym_inventory.optimal import optimal_base_stock_for
        from gym_inventory.policies import BaseStock

        optimum = optimal_base_stock_for(case.env_kwargs)
        _, model = resolve_problem(case.env_kwargs)
        policy = BaseStock(optimum.level, integer=bool(model.integer))
        policy.name = f"optimal_base_stock({optimum.level:g})"
        return Reference(optimum.cost, policy, "analytic", True, f"base stock S* = {optimum.level:g}")
    if instance.reference == "study":
        from gym_inventory.study import SETTINGS, Splits, reference

        setting = SETTINGS[label]
        found = reference(Splits.of(setting), setting.reference)
        return Reference(found.cost, found.policy, found.policy_name, found.exact,
                         "the study's reference on its test SKUs" + ("" if found.exact else " (a heuristic, not an optimum)"))
    raise ValueError(f"unknown reference kind {instance.reference!r} of instance {instance.name!r}")
