"""Demand models (one class each, a common interface) and a registry of preset names.

>>> from gym_inventory.demand import make_demand
>>> make_demand("poisson", {"mean": 5.0})
PoissonDemand(mean=5)
"""
from __future__ import annotations

from typing import Callable

from gym_inventory.demand.base import MIN_SCALE, DemandModel, DemandPaths, ParameterRange, parameter
from gym_inventory.demand.iid import GammaDemand, IIDDemand, NegativeBinomialDemand, NormalDemand, PoissonDemand
from gym_inventory.demand.population import HeterogeneousDemand
from gym_inventory.demand.processes import AR1Demand, NonStationaryDemand
from gym_inventory.demand.study import (
    AlternateDayDemand,
    SKUPoolDemand,
    StudyAR1Demand,
    StudyDemand,
    StudyIIDDemand,
    StudyLevelDemand,
)

__all__ = [
    "DEMAND_PRESETS",
    "MIN_SCALE",
    "AR1Demand",
    "AlternateDayDemand",
    "DemandModel",
    "DemandPaths",
    "GammaDemand",
    "HeterogeneousDemand",
    "IIDDemand",
    "NegativeBinomialDemand",
    "NonStationaryDemand",
    "NormalDemand",
    "ParameterRange",
    "PoissonDemand",
    "SKUPoolDemand",
    "StudyAR1Demand",
    "StudyDemand",
    "StudyIIDDemand",
    "StudyLevelDemand",
    "make_demand",
    "parameter",
    "register_demand",
]

#: Preset name -> factory taking the preset's keyword arguments.
DEMAND_PRESETS: dict[str, Callable[..., DemandModel]] = {
    "poisson": PoissonDemand,
    "normal": NormalDemand,
    "negative_binomial": NegativeBinomialDemand,
    "gamma": GammaDemand,
    "ar1": AR1Demand,
    "nonstationary": NonStationaryDemand,
    "heterogeneous": HeterogeneousDemand,
    "alternate_days": AlternateDayDemand,
    "sku_pool": SKUPoolDemand,
    "study_levels": StudyLevelDemand,
    "study_ar1": StudyAR1Demand,
    "study_iid": StudyIIDDemand,
}


def register_demand(name: str, factory: Callable[..., DemandModel]) -> None:
    """Add a preset name usable as ``gym.make(..., demand=name)``."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    DEMAND_PRESETS[name] = factory


def make_demand(demand, demand_kwargs: dict | None = None) -> DemandModel:
    """Resolve ``demand`` (a preset name or a :class:`DemandModel`) into a model.

    Raises:
        ValueError: unknown preset name, or bad keyword arguments for the preset.
        TypeError: ``demand`` is neither a string nor a demand model, or
            ``demand_kwargs`` is given with a model object.
    """
    if isinstance(demand, DemandModel):
        if demand_kwargs:
            raise TypeError(f"demand_kwargs is only for preset names, got {demand_kwargs!r} with {demand!r}")
        return demand
    if not isinstance(demand, str):
        raise TypeError(f"demand must be a preset name or a DemandModel, got {demand!r}")
    if demand not in DEMAND_PRESETS:
        raise ValueError(f"demand must be one of {sorted(DEMAND_PRESETS)} or a DemandModel, got {demand!r}")
    if demand_kwargs is not None and not isinstance(demand_kwargs, dict):
        raise TypeError(f"demand_kwargs must be a dict, got {demand_kwargs!r}")
    try:
        return DEMAND_PRESETS[demand](**(demand_kwargs or {}))
    except TypeError as error:
        raise ValueError(f"demand_kwargs {demand_kwargs!r} do not fit demand {demand!r}: {error}") from None
