r"""Scores of one policy on one instance: the gap to the optimum and a normalized score.

For each case of the instance, the policy, the case's reference policy and the naive
policy (:func:`gym_inventory.bench.optima.naive_policy`) are evaluated with
:func:`gym_inventory.evaluate` on the same demand paths (the instance's evaluation
options: common random numbers). Then

* ``gap = mean_i (c_i - r_i) / C_ref``: the paired mean excess cost per day of the
  policy over the reference policy across trajectories i, relative to the reference
  cost ``C_ref`` (the exact optimum, or the best known policy's cost); ``gap_ci`` is
  the half-width of its 95% Student-t interval over the paired trajectories, far
  narrower than the difference of two independent means. An exact reference
  policy scores gap 0 by construction.
* ``score = 100 (1 - gap / naive_gap)``: 0 for the naive policy, 100 for the reference,
  above 100 for a policy better than a best known (non-optimal) reference; ``naive_gap`` is
  the naive policy's gap on the same paths, and ``score_ci = 100 gap_ci / naive_gap``
  (the naive gap's own noise is ignored: it is tens of percent, its CI a small fraction).

An instance with several cases (``multi_sku``) reports the mean of its cases' gaps and
scores, the CI half-widths combined as for a mean of independent estimates.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from gym_inventory.bench.instances import Instance
from gym_inventory.bench.optima import case_reference, naive_policy
from gym_inventory.policy import Policy


@dataclass(frozen=True)
class CaseScore:
    """The score of one case (costs per day in money, gaps as fractions)."""

    label: str
    cost: float  # the policy's mean cost per day
    cost_ci: float
    reference_cost: float  # C_ref: exact optimum or best known cost
    reference_simulated: float  # the reference policy's mean cost on the same paths
    reference_source: str
    gap: float
    gap_ci: float
    naive_gap: float
    score: float
    score_ci: float


@dataclass(frozen=True)
class InstanceScore:
    """The score of a policy on an instance: the mean over its cases, and each case."""

    instance: str
    policy: str
    gap: float
    gap_ci: float
    score: float
    score_ci: float
    exact_reference: bool
    cases: tuple

    def as_dict(self) -> dict:
        """JSON-ready."""
        data = asdict(self)
        data["cases"] = [asdict(case) for case in self.cases]
        return data


def score_policy(policy: Policy, instance: Instance, *, n_trajectories: int | None = None,
                 horizon: int | None = None) -> InstanceScore:
    """Score ``policy`` on every case of ``instance`` (module docstring).

    ``n_trajectories`` and ``horizon`` override the instance's evaluation options (tests
    use tiny ones; scores to compare must use the same).
    """
    from gym_inventory.evaluation import compare, paired_difference

    if not isinstance(policy, Policy):
        raise TypeError(f"policy must be a gym_inventory Policy, got {policy!r}")
    if not isinstance(instance, Instance):
        raise TypeError(f"instance must be a bench Instance, got {instance!r}")
    options = instance.evaluation_options()
    if n_trajectories is not None:
        options["n_trajectories"] = n_trajectories
    if horizon is not None:
        options["horizon"] = horizon
        if options["warmup_epochs"] is not None:
            options["warmup_epochs"] = min(options["warmup_epochs"], max(horizon // 10, 1))
    cases = []
    for case in instance.cases:
        reference = case_reference(instance, case)
        scored, ref, naive = compare([policy, reference.policy, naive_policy(case.env_kwargs)], case.env_kwargs, **options)
        excess, half = paired_difference(scored, ref)
        naive_excess, _ = paired_difference(naive, ref)
        gap, gap_ci, naive_gap = excess / reference.cost, half / reference.cost, naive_excess / reference.cost
        score = 100.0 * (1.0 - gap / naive_gap) if naive_gap > 0 else math.nan
        score_ci = 100.0 * gap_ci / naive_gap if naive_gap > 0 else math.nan
        cases.append(CaseScore(case.label, scored.cost, scored.ci, reference.cost, ref.cost, reference.source,
                               gap, gap_ci, naive_gap, score, score_ci))
    k = len(cases)
    return InstanceScore(
        instance.name, getattr(policy, "name", type(policy).__name__),
        sum(c.gap for c in cases) / k, math.sqrt(sum(c.gap_ci ** 2 for c in cases)) / k,
        sum(c.score for c in cases) / k, math.sqrt(sum(c.score_ci ** 2 for c in cases)) / k,
        instance.exact, tuple(cases),
    )
