"""Classical ordering rules, batched over SKUs, in the unwrapped order space (units).

Every class implements :class:`gym_inventory.policy.Policy`: ``policy(state)``
takes a :class:`~gym_inventory.policy.DecisionState` of ``n`` SKUs and returns
``(n,)`` orders in units, so one object serves the single env
(``policy(env.unwrapped.decision_state())``), the batched simulator and
:func:`gym_inventory.evaluate`. The order-up-to forms compute their orders with
the shared :func:`gym_inventory.remap.remap`.

>>> import gymnasium as gym, gym_inventory
>>> from gym_inventory.policies import BaseStock
>>> env = gym.make("InventoryLeadTime-v0", lead_time=2, demand_kwargs={"mean": 5.0})
>>> _ = env.reset(seed=0)
>>> policy = BaseStock(20.0)
>>> order = policy(env.unwrapped.decision_state())
>>> order.shape
(1,)

The optimal policy of a small discrete instance, :class:`gym_inventory.dp.DPPolicy`,
lives with the dynamic program in :mod:`gym_inventory.dp`.
"""
from __future__ import annotations

from gym_inventory.policies.classical import SS, BaseStock, CappedBaseStock, ConstantOrder, Myopic

__all__ = ["SS", "BaseStock", "CappedBaseStock", "ConstantOrder", "Myopic"]
