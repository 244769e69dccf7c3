"""The registry of demand preset names: :data:`DEMAND_PRESETS`, :func:`make_demand`, :func:`register_demand`.

It imports no model (models that build on a preset, like :class:`~gym_inventory.demand.SKUPoolDemand`,
import it); :mod:`gym_inventory.demand` fills in the shipped presets.
"""
from __future__ import annotations

from typing import Callable

from gym_inventory.demand.base import DemandModel

#: Preset name -> factory taking the preset's keyword arguments (filled by :mod:`gym_inventory.demand`).
DEMAND_PRESETS: dict[str, Callable[..., DemandModel]] = {}


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
