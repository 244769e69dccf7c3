"""Demand models (one class each, a common interface) and a registry of preset names.

>>> from gym_inventory.demand import make_demand
>>> make_demand("poisson", {"mean": 5.0})
PoissonDemand(mean=5)
"""
from __future__ import annotations

from gym_inventory.demand.base import MIN_SCALE, DemandModel, DemandPaths, ParameterRange, parameter
from gym_inventory.demand.iid import GammaDemand, IIDDemand, NegativeBinomialDemand, NormalDemand, PoissonDemand
from gym_inventory.demand.population import HeterogeneousDemand
from gym_inventory.demand.processes import AR1Demand, NonStationaryDemand
from gym_inventory.demand.registry import DEMAND_PRESETS, make_demand, register_demand
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

DEMAND_PRESETS.update(
    poisson=PoissonDemand,
    normal=NormalDemand,
    negative_binomial=NegativeBinomialDemand,
    gamma=GammaDemand,
    ar1=AR1Demand,
    nonstationary=NonStationaryDemand,
    heterogeneous=HeterogeneousDemand,
    alternate_days=AlternateDayDemand,
    sku_pool=SKUPoolDemand,
    study_levels=StudyLevelDemand,
    study_ar1=StudyAR1Demand,
    study_iid=StudyIIDDemand,
)
