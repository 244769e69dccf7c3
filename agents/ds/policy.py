"""A trained DS network as a :class:`gym_inventory.policy.Policy`: numpy decision states in, numpy orders out."""
from __future__ import annotations

import numpy as np
import torch

from agents.ds.network import OrderNetwork
from agents.ds.simulation import OBSERVATION_DTYPE, SIMULATION_DTYPE
from gym_inventory.policy import DecisionState, Policy


class DSPolicy(Policy):
    """Orders from an :class:`~agents.ds.network.OrderNetwork`, for one env or a batch of SKUs.

    ``policy(env.unwrapped.decision_state())`` gives the order of one env; a batched
    :class:`~gym_inventory.policy.DecisionState` gives ``(n_skus,)`` orders. The network
    sees exactly what it saw in training (the env's observation) and its mu goes
    through the shared remap, so the orders equal those of the DS rollout.

    Args:
        network: the trained network (put in eval mode, never trained through this object).
        integer: round orders to whole units (use True for integer demand; training
            never rounds, evaluation does).
        device: where the network runs.
        name: the name shown in tables.
    """

    def __init__(self, network: OrderNetwork, *, integer: bool = False, device="cpu", name: str | None = None):
        self.network = network.to(device).eval()
        self.integer = bool(integer)
        self.device = torch.device(device)
        self.name = name or f"ds+{network.kind}"

    def orders_tensor(self, observation, inventory_position, features, scale) -> torch.Tensor:
        """Orders as a float64 tensor from tensors (the batched evaluation path, no gradient)."""
        with torch.no_grad():
            return self.network.orders(observation, inventory_position, features, scale, integer=self.integer)

    def __call__(self, state: DecisionState) -> np.ndarray:
        observation = np.asarray(state.observation)
        obs_dim = self.network.config["obs_dim"]
        if observation.ndim != 2 or observation.shape[1] != obs_dim:
            raise ValueError(
                f"state.observation must have shape (n_skus, {obs_dim}) for this DS policy "
                f"(trained with lead_time and context of that size), got shape {observation.shape}"
            )

        def tensor(array, dtype=SIMULATION_DTYPE):
            return torch.as_tensor(np.asarray(array), dtype=dtype, device=self.device)

        orders = self.orders_tensor(
            tensor(observation, OBSERVATION_DTYPE), tensor(state.inventory_position), tensor(state.features),
            tensor(state.scale),
        )
        return orders.cpu().numpy().astype(np.float64)

    def __repr__(self) -> str:
        return f"DSPolicy(kind={self.network.kind!r}, integer={self.integer})"
