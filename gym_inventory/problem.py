"""The problem, apart from any episode: an immutable, validated :class:`Problem` (gymnax's ``EnvParams``).

A problem is the parameters (:class:`~gym_inventory.params.InventoryParams`: lead time,
review period, horizon, costs, reward timing, objective, normalization), the demand
model, the action bound ``max_order`` and the rule for the reward unit. It is built once
from ``gym.make``'s keyword arguments (:meth:`Problem.from_kwargs`) and read by the env,
the vector env, the batched simulator, evaluation, the baselines and the DS trainer,
so a keyword means the same everywhere and nothing needs a throwaway simulator to learn
a parameter. The episode (demand path, features, pipeline, records) is the simulator's
(:mod:`gym_inventory.simulator`); the transition is :func:`gym_inventory.dynamics.simulate_columns`
and the reward, cost and observation are :mod:`gym_inventory.core`'s.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gym_inventory.demand import DemandModel, make_demand
from gym_inventory.params import InventoryParams, check_real


@dataclass(frozen=True)
class Problem:
    """One inventory problem (units: days, units, money).

    Attributes:
        params: the validated parameters.
        demand: the demand model (a dataset's split already selected).
        max_order: the action bound, units (> 0): orders are clipped to ``[0, max_order]``.
    """

    params: InventoryParams
    demand: DemandModel
    max_order: float

    def __post_init__(self):
        if not isinstance(self.params, InventoryParams):
            raise TypeError(f"params must be an InventoryParams, got {self.params!r}")
        if not isinstance(self.demand, DemandModel):
            raise TypeError(f"demand must be a DemandModel, got {self.demand!r}")
        object.__setattr__(self, "max_order", check_real("max_order", self.max_order, 0.0, strict=True))

    @classmethod
    def from_kwargs(cls, *, demand="poisson", demand_kwargs: dict | None = None, max_order: float | None = None,
                    split: str | None = None, **param_kwargs) -> "Problem":
        """The problem of ``gym.make("InventoryLeadTime-v0", **kwargs)`` (episode keywords such as
        ``initial_inventory``, ``render_mode`` and ``render_size`` are not part of it: leave them out)."""
        params = InventoryParams(**param_kwargs)
        model = resolve_demand(demand, demand_kwargs, split)
        return cls(params, model, default_max_order(params, model, max_order))

    def reward_unit(self, scale: np.ndarray) -> np.ndarray:
        """Money per unit of reward for SKUs of ``scale`` (``(n,)``): the scale when normalizing, else 1."""
        return scale if self.params.normalize else np.ones_like(scale)


def resolve_demand(demand, demand_kwargs, split):
    """The demand model for ``demand`` (preset name or model) and an optional dataset ``split``."""
    model = make_demand(demand, demand_kwargs)
    if split is not None:
        select = getattr(model, "split", None)
        if not callable(select):
            raise ValueError(f"split={split!r} needs a demand source with splits (a dataset), got {model!r}")
        model = select(split)
    return model


def default_max_order(params: InventoryParams, demand_model, max_order) -> float:
    """The action bound: ``max_order`` if given, else 4 (L + P) x the largest mean daily demand."""
    if max_order is None:
        return float(order_bound(params, demand_model.max_daily_mean))
    return check_real("max_order", max_order, 0.0, strict=True)


def order_bound(params: InventoryParams, max_daily_mean):
    """The default action bound for a largest mean daily demand ``max_daily_mean`` (a number or an array):
    4 (L + P) x ``max_daily_mean`` units."""
    return 4 * (params.lead_time + params.review_period) * max_daily_mean
