"""Initial action bias: make an untrained SB3 policy start at a chosen mu.

A fresh policy's actions are near 0 in SB3's [-1, 1] units, i.e. the middle of mu's
bounds: with the Base regularization and the default bounds [0, 4 (L + P)], a target
of 2 (L + P) days of demand, twice what is sensible; without a regularization, orders
of 2 (L + P) days of demand every epoch. The first thousands of steps are then spent
unlearning absurd orders. :func:`set_initial_mu` sets the bias of the layer that
produces the action so that the deterministic action is ``initial_mu`` (in mu units,
converted through the [-1, 1] rescale) and shrinks that layer's weights by ``gain``
(0: the untrained policy orders exactly ``initial_mu`` whatever it observes).

=========================================== =============================== =====================
algorithm                                   layer                           output
=========================================== =============================== =====================
DDPG, TD3                                   last ``Linear`` of ``actor.mu`` tanh (and the target actor)
SAC, TQC                                    ``actor.mu`` (mean of the Gaussian)  tanh
PPO, A2C, TRPO, RecurrentPPO                ``policy.action_net`` (mean)    clipped to [-1, 1]
ARS                                         last ``Linear`` of ``policy.action_net``  tanh if squashed
=========================================== =============================== =====================
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from agents.ds.network import default_initial_mu
from gym_inventory.params import check_real

#: Largest |action| the bias aims at under tanh: atanh(1) is infinite.
MAX_UNIT = 1.0 - 1e-6


def resolve_initial_mu(initial_mu, kind: str, params, size: int, low=None, high=None) -> np.ndarray | None:
    """``initial_mu`` as ``(size,)`` mu: ``"auto"`` gives the registry's default (:func:`agents.ds.default_initial_mu`:
    P or L + P days of demand, strictly inside the bounds ``low``, ``high`` of mu; None: the defaults),
    a number or list is taken as given, None stays None."""
    if initial_mu is None:
        return None
    if initial_mu == "auto":
        return np.asarray(default_initial_mu(kind, params, low, high), dtype=np.float64)
    values = np.atleast_1d(np.asarray(initial_mu, dtype=np.float64))
    if values.ndim != 1 or values.size not in (1, size):
        raise ValueError(f"initial_mu must be a number or a list of {size} numbers for {kind!r}, got {initial_mu!r}")
    return np.broadcast_to(values, (size,)).copy()


def set_initial_mu(model, initial_mu, rescale, *, gain: float = 0.01) -> None:
    """Set ``model``'s final layer so its deterministic action is ``initial_mu``.

    Args:
        model: an SB3 or sb3-contrib model of :data:`agents.sb3.algorithms.ALGORITHMS`.
        initial_mu: ``(size,)`` target mu, strictly inside the mu bounds of ``rescale``.
        rescale: the :class:`agents.sb3.env.MuRescale` of the env.
        gain: factor on the layer's initial weights (>= 0).
    """
    gain = check_real("final_layer_gain", gain, 0.0)
    low, high = rescale.mu_space.low, rescale.mu_space.high
    mu = np.asarray(initial_mu, dtype=np.float64)
    if mu.shape != low.shape or not np.all((low < mu) & (mu < high)):
        raise ValueError(
            f"initial_mu must have {low.size} entries strictly between the mu bounds low={low.tolist()} and "
            f"high={high.tolist()}, got {mu.tolist()}"
        )
    unit = np.clip(rescale.to_unit(mu.astype(np.float32)), -MAX_UNIT, MAX_UNIT)
    layer, squashed = _action_layer(model)
    target = np.arctanh(unit) if squashed else unit
    with torch.no_grad():
        if layer.bias is None:
            raise ValueError(
                f"{type(model).__name__}'s policy has no bias on its action layer; for ARS set "
                "policy_kwargs: {with_bias: true}, or initial_mu: null"
            )
        layer.weight.mul_(gain)
        layer.bias.copy_(torch.as_tensor(target, dtype=layer.bias.dtype))
    _sync_copies(model)


def _last_linear(module: nn.Module) -> nn.Linear:
    return [m for m in module.modules() if isinstance(m, nn.Linear)][-1]


def _action_layer(model) -> tuple[nn.Linear, bool]:
    """The layer producing the action (before any tanh) and whether a tanh follows it."""
    policy = model.policy
    actor = getattr(model, "actor", None)
    if actor is not None and isinstance(getattr(actor, "mu", None), nn.Sequential):  # DDPG, TD3
        return _last_linear(actor.mu), True
    if actor is not None and isinstance(getattr(actor, "mu", None), nn.Linear):  # SAC, TQC
        return actor.mu, True
    action_net = getattr(policy, "action_net", None)
    if isinstance(action_net, nn.Linear):  # PPO, A2C, TRPO, RecurrentPPO
        return action_net, bool(getattr(policy, "squash_output", False))
    if isinstance(action_net, nn.Sequential):  # ARS
        return _last_linear(action_net), bool(getattr(policy, "squash_output", False))
    raise TypeError(f"cannot find the action layer of {type(model).__name__} with policy {type(policy).__name__}")


def _sync_copies(model) -> None:
    """Copies of the actor that must start equal to it (target actor; ARS's flat weight vector)."""
    actor_target = getattr(model, "actor_target", None)
    if actor_target is not None:
        actor_target.load_state_dict(model.actor.state_dict())
    if hasattr(model, "weights") and hasattr(model, "n_delta"):  # ARS searches around this vector
        model.weights = nn.utils.parameters_to_vector(model.policy.parameters()).detach()
