"""Real SKU data: panels of SKU-day sales, validated, with censored demand inferred and splits.

>>> from gym_inventory.data import generate_panel, load_panel
>>> dataset = load_panel(generate_panel(n_skus=20, n_days=200, seed=0), split_by="sku")
>>> dataset.split("train")  # a DemandModel: gym.make(..., demand=dataset, split="train")
PanelDataset('<DataFrame>', split='train', series=16, all days)

The schema is in :mod:`gym_inventory.data.schema`, the censored-demand method in
:mod:`gym_inventory.data.censored`; :func:`evaluate_panel` runs a policy over every
series of a panel in bounded memory.
"""
from __future__ import annotations

from gym_inventory.data.build import Panel, build_panel
from gym_inventory.data.censored import CENSORED_METHODS, infer_censored_demand
from gym_inventory.data.dataset import PanelDataset
from gym_inventory.data.evaluate import PanelEvaluation, evaluate_panel
from gym_inventory.data.generate import generate_panel, write_panel
from gym_inventory.data.load import load_panel
from gym_inventory.data.m5 import load_m5, m5_to_panel
from gym_inventory.data.schema import PanelProblem, check_source, read_panel

__all__ = [
    "CENSORED_METHODS",
    "Panel",
    "PanelDataset",
    "PanelEvaluation",
    "PanelProblem",
    "build_panel",
    "evaluate_panel",
    "generate_panel",
    "infer_censored_demand",
    "load_m5",
    "load_panel",
    "m5_to_panel",
    "write_panel",
]
