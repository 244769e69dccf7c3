"""The DS policy network: an MLP over the env's observation, a bounded mu, then the shared remap.

``mu = mu_low + (mu_high - mu_low) * sigmoid(MLP(observation))`` entry by entry, so mu
stays inside its bounds by construction, and ``orders = remap(kind, mu, ...)`` (capped
at ``max_order``) are feasible by construction: >= 0 and within the env's action box.

Default bounds and starting points are the regularization's registry entry
(:data:`gym_inventory.remap.REGULARIZATIONS`, the same as the action wrappers'),
with ``W = lead_time + review_period`` (days of demand one order covers):

======== ============================== ================================ =====================================
kind     mu                             bounds                           initial mu (untrained policy)
======== ============================== ================================ =====================================
none     order, in units of the scale   [0, 4 W]                         P: one epoch of mean demand
base     target level, units of scale   [0, 4 W]                         W: L + P days of mean demand
coeff    5 coefficients on feat(x)      [0, 2 W] each, bias [-2 W, 2 W]  P on ``forecast_next_7``, ~0 elsewhere
both     5 coefficients on feat(x)      [0, 2 W] each, bias [-2 W, 2 W]  W on ``forecast_next_7``, ~0 elsewhere
======== ============================== ================================ =====================================

The demand-feature coefficients are non-negative (orders never fall when a feature
rises); an initial coefficient of 0 on a bound of 0 starts a hair inside
(:data:`gym_inventory.remap.INITIAL_MARGIN` of the range), as the sigmoid needs.
The initial action bias sets the final layer's bias to ``logit((mu0 - low) / (high - low))``
and shrinks its weights by ``final_layer_gain``, so the untrained policy starts near mu0.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from gym_inventory.features import N_FEATURES
from gym_inventory.params import InventoryParams, check_real
from gym_inventory.remap import action_size, check_kind, regularization, remap
from gym_inventory.wrappers import default_bounds

ACTIVATIONS = {"elu": nn.ELU, "relu": nn.ReLU, "tanh": nn.Tanh}


def default_mu_bounds(kind: str, params: InventoryParams) -> tuple[list[float], list[float]]:
    """``(mu_low, mu_high)``, one per entry of mu: the registry's defaults (:func:`gym_inventory.wrappers.default_bounds`)."""
    low, high = default_bounds(check_kind(kind), params.lead_time, params.review_period)
    return low.astype(float).tolist(), high.astype(float).tolist()


def default_initial_mu(kind: str, params: InventoryParams, mu_low=None, mu_high=None) -> list[float]:
    """The untrained policy's mu of the module table (the registry entry's), strictly inside the bounds
    (``mu_low``, ``mu_high``: numbers or one per entry; None: the defaults)."""
    default_low, default_high = default_mu_bounds(kind, params)
    size = action_size(kind, N_FEATURES)
    low = default_low if mu_low is None else _per_entry("mu_low", mu_low, size)
    high = default_high if mu_high is None else _per_entry("mu_high", mu_high, size)
    mu = regularization(kind).initial_mu(params.lead_time, params.review_period, low, high, N_FEATURES)
    return mu.tolist()


def _per_entry(name: str, value, size: int, minimum=-math.inf) -> list[float]:
    values = list(value) if isinstance(value, (list, tuple)) else [value] * size
    if len(values) != size:
        raise ValueError(f"{name} must be a number or a list of {size} numbers, got {value!r}")
    return [check_real(name, v, minimum) for v in values]


class OrderNetwork(nn.Module):
    """Observation -> mu -> orders, for one regularization ``kind``.

    Args:
        kind: ``"none"``, ``"base"``, ``"coeff"`` or ``"both"``.
        obs_dim: length of the env's observation.
        mu_low, mu_high: bounds of mu (numbers or one per entry), mu units of the module table.
        initial_mu: where the untrained policy starts (numbers or one per entry), strictly
            inside the bounds; None: no bias set (the final layer keeps PyTorch's init).
        max_order: cap on every order in units (the env's action bound); None: no cap.
        hidden_sizes: widths of the hidden layers.
        activation: ``"elu"``, ``"relu"`` or ``"tanh"``.
        final_layer_gain: factor on the final layer's initial weights (small: the
            untrained policy's mu barely depends on the observation).
        input_columns: the observation entries the MLP reads (indices); None: all of them.
            The policy is still called with the env's full observation.
    """

    def __init__(
        self,
        kind: str,
        obs_dim: int,
        *,
        mu_low,
        mu_high,
        initial_mu=None,
        max_order: float | None = None,
        hidden_sizes=(64, 64),
        activation: str = "elu",
        final_layer_gain: float = 0.01,
        input_columns=None,
    ):
        super().__init__()
        self.kind = check_kind(kind)
        size = action_size(kind, N_FEATURES)
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {activation!r}")
        if not isinstance(hidden_sizes, (list, tuple)) or not all(isinstance(w, int) and w > 0 for w in hidden_sizes):
            raise ValueError(f"hidden_sizes must be a list of positive integers, got {hidden_sizes!r}")
        low = _per_entry("mu_low", mu_low, size)
        high = _per_entry("mu_high", mu_high, size)
        if any(h <= lo for lo, h in zip(low, high)):
            raise ValueError(f"mu_high must exceed mu_low in every entry, got mu_low={mu_low!r}, mu_high={mu_high!r}")
        self.max_order = None if max_order is None else check_real("max_order", max_order, 0.0, strict=True)
        if input_columns is not None:
            input_columns = sorted({int(c) for c in input_columns})
            if not input_columns or input_columns[0] < 0 or input_columns[-1] >= obs_dim:
                raise ValueError(f"input_columns must be a non-empty list of indices below obs_dim={obs_dim}, got {input_columns!r}")
        self.config = {
            "kind": kind, "obs_dim": int(obs_dim), "mu_low": low, "mu_high": high,
            "initial_mu": None if initial_mu is None else _per_entry("initial_mu", initial_mu, size),
            "max_order": self.max_order, "hidden_sizes": list(hidden_sizes), "activation": activation,
            "final_layer_gain": check_real("final_layer_gain", final_layer_gain, 0.0),
            "input_columns": input_columns,
        }
        self.register_buffer("input_columns", None if input_columns is None else torch.tensor(input_columns))
        layers, width = [], int(obs_dim) if input_columns is None else len(input_columns)
        for hidden in hidden_sizes:
            layers += [nn.Linear(width, hidden), ACTIVATIONS[activation]()]
            width = hidden
        final = nn.Linear(width, size)
        layers.append(final)
        self.mlp = nn.Sequential(*layers)
        self.register_buffer("mu_low", torch.tensor(low, dtype=torch.float32))
        self.register_buffer("mu_range", torch.tensor(high, dtype=torch.float32) - self.mu_low)
        with torch.no_grad():
            final.weight.mul_(final_layer_gain)
            if initial_mu is not None:
                start = self.config["initial_mu"]
                if any(not lo < m < h for lo, m, h in zip(low, start, high)):
                    raise ValueError(f"initial_mu must lie strictly between mu_low={low} and mu_high={high}, got {initial_mu!r}")
                fraction = torch.tensor([(m - lo) / (h - lo) for lo, m, h in zip(low, start, high)])
                final.bias.copy_(torch.logit(fraction))

    @classmethod
    def from_config(cls, config: dict) -> "OrderNetwork":
        """Rebuild a network from its ``config`` (weights not included)."""
        config = dict(config)
        return cls(config.pop("kind"), config.pop("obs_dim"), **config)

    def forward(self, observation: torch.Tensor) -> torch.Tensor:
        """mu, ``(n, action_size)`` float32, inside ``[mu_low, mu_high]``."""
        if self.input_columns is not None:
            observation = observation[:, self.input_columns]
        return self.mu_low + self.mu_range * torch.sigmoid(self.mlp(observation))

    def orders(self, observation, inventory_position, features, scale, *, integer: bool = False) -> torch.Tensor:
        """Orders ``(n,)`` in units (float64): mu through the shared remap, capped at ``max_order``."""
        mu = self(observation).to(inventory_position.dtype)
        return remap(
            self.kind, mu, inventory_position=inventory_position, features=features, scale=scale,
            order_cap=self.max_order, integer=integer,
        )
