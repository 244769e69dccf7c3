"""Batched torch episodes for the differentiable simulator (DS).

The problem, the demand paths and the context come from the numpy simulator
(:func:`gym_inventory.envs.make_simulator`, then ``reset``); they are moved to torch
once (:class:`TrajectoryBatch`). :func:`rollout` then replays the episodes with a
policy: at every order epoch it builds exactly the env's observation, asks the
policy for orders (through the shared :func:`gym_inventory.remap.remap`) and advances
every trajectory's :class:`~gym_inventory.core.InventoryState` with the env's own state
step (:func:`gym_inventory.core.advance`, the state part of :func:`gym_inventory.core.step`:
DS needs no per-epoch record) on torch tensors, so the epoch costs are differentiable in the policy's parameters
(``max``/``min`` by their almost-everywhere gradients, as in HDPO). The observation and
the epoch cost are the env's own pure functions (:mod:`gym_inventory.core`). DS minimizes
the cost of the episode's own days (after the warm-up), whatever ``reward_timing`` says:
the reward timing is a credit-assignment device for RL, the cost is the objective.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import torch

from array_api_compat import array_namespace

from gym_inventory.core import InventoryState, advance, epoch_cost, observation as shared_observation
from gym_inventory.dynamics import inventory_position
from gym_inventory.envs import make_simulator
from gym_inventory.evaluation import unreachable_epochs
from gym_inventory.params import InventoryParams

SIMULATION_DTYPE = torch.float64  # the env's own precision: costs match it to rounding
OBSERVATION_DTYPE = torch.float32  # the env's observation dtype


@dataclass(frozen=True)
class TrajectoryBatch:
    """Demand and context of ``n`` episodes, on one torch device.

    Attributes:
        params: the problem parameters (shared by all trajectories).
        demand: ``(n, horizon * review_period)`` float64 units per day (look-ahead days dropped).
        context: ``(n, horizon, obs_dim - lead_time - 1)`` float32, the observation after the pipeline.
        features: ``(n, horizon, 5)`` float64 feat(x) at each decision, units of demand per day.
        scale: ``(n,)`` float64 units per day.
        inverse_scale: ``(n,)`` float64, the pipeline's factor in the observation (1 / scale when
            ``params.normalize``, else 1).
        reward_unit: ``(n,)`` float64 money per unit of reward (scale when normalizing, else 1).
        initial_pipeline: ``(n, lead_time + 1)`` float64 starting state.
        lead_times: ``(n, horizon)`` int64 days from each epoch's order to its arrival (random
            lead times: exogenous draws, so gradients still flow through the orders), or None.
    """

    params: InventoryParams
    demand: torch.Tensor
    context: torch.Tensor
    features: torch.Tensor
    scale: torch.Tensor
    inverse_scale: torch.Tensor
    reward_unit: torch.Tensor
    initial_pipeline: torch.Tensor
    lead_times: torch.Tensor | None = None

    @classmethod
    def from_simulator(cls, simulator, device="cpu") -> "TrajectoryBatch":
        """The episodes a freshly reset :class:`~gym_inventory.simulator.InventorySimulator` holds."""
        params = simulator.params
        if simulator.epoch != 0:
            raise ValueError(f"the simulator must be freshly reset (epoch 0), it is at epoch {simulator.epoch}")
        scale = np.asarray(simulator.scale, dtype=np.float64)

        def tensor(array, dtype=SIMULATION_DTYPE):
            return torch.tensor(np.asarray(array), dtype=dtype, device=device)  # a copy: the episode stays intact

        return cls(
            params=params,
            demand=tensor(simulator.demand_path[:, : params.episode_days]),
            context=tensor(simulator.context, OBSERVATION_DTYPE),
            features=tensor(simulator.feature_path),
            scale=tensor(scale),
            # The simulator's own factor and unit, so observations agree bit for bit.
            inverse_scale=tensor(simulator.inverse_scale),
            reward_unit=tensor(simulator.reward_unit),
            initial_pipeline=tensor(simulator.pipeline),
            lead_times=None if simulator.lead_times is None else tensor(simulator.lead_times, torch.int64),
        )

    @property
    def n_trajectories(self) -> int:
        return self.demand.shape[0]

    @property
    def device(self) -> torch.device:
        return self.demand.device

    def select(self, index) -> "TrajectoryBatch":
        """The trajectories at ``index`` (a tensor of indices or a slice)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return TrajectoryBatch(**{k: v if k == "params" or v is None else v[index] for k, v in values.items()})

    def to(self, device) -> "TrajectoryBatch":
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return TrajectoryBatch(**{k: v if k == "params" or v is None else v.to(device) for k, v in values.items()})


def sample_trajectories(n_trajectories: int, env_kwargs: dict, rng: np.random.Generator, device="cpu") -> TrajectoryBatch:
    """``n_trajectories`` episodes drawn as the env draws them (``gym.make`` keyword arguments)."""
    simulator = make_simulator(n_trajectories, **env_kwargs)
    simulator.reset(rng)
    return TrajectoryBatch.from_simulator(simulator, device)


def observation(pipeline: torch.Tensor, batch: TrajectoryBatch, epoch: int) -> torch.Tensor:
    """The env's observation at ``epoch``, ``(n, obs_dim)`` float32, differentiable in ``pipeline``
    (:func:`gym_inventory.core.observation`, the env's own)."""
    return shared_observation(pipeline, batch.inverse_scale, batch.context[:, epoch], array_namespace(pipeline))


def rollout(policy, batch: TrajectoryBatch, *, integer: bool = False) -> torch.Tensor:
    """Simulate every episode of ``batch`` under ``policy``; return epoch costs ``(n, horizon)`` in money.

    Args:
        policy: an object with ``orders(observation, inventory_position, features, scale,
            integer=...) -> (n,)`` float64 tensor (an :class:`~agents.ds.network.OrderNetwork`).
        batch: the episodes.
        integer: round orders to whole units (evaluation only: rounding has no gradient).
    """
    params = batch.params
    period = params.review_period
    pipeline = batch.initial_pipeline
    state = InventoryState.from_pipeline(pipeline)
    xp = array_namespace(pipeline)
    zero = xp.zeros(pipeline.shape[0], dtype=pipeline.dtype, device=pipeline.device)
    costs = []
    for epoch in range(params.horizon):
        orders = policy.orders(
            observation(pipeline, batch, epoch), inventory_position(pipeline), batch.features[:, epoch],
            batch.scale, integer=integer,
        )
        demand = batch.demand[:, epoch * period : (epoch + 1) * period]
        arrival = None if batch.lead_times is None else batch.lead_times[:, epoch]
        state, out = advance(params, state, orders, [demand[:, day] for day in range(period)], xp, zero, arrival)
        pipeline = state.pipeline(xp)
        # The next epoch reads the columns of the stacked pipeline (as the observation does), so
        # gradients add up in the same order as they always have: training is bit for bit unchanged.
        state = InventoryState.from_pipeline(pipeline, state.epoch)
        holding, penalty = epoch_cost(out)  # the env's epoch cost (gym_inventory.core)
        costs.append(holding + penalty)
    return torch.stack(costs, dim=1)


def default_warmup_epochs(params: InventoryParams) -> int:
    """Epochs whose days no order can reach (:func:`gym_inventory.evaluation.unreachable_epochs`)."""
    return unreachable_epochs(params.lead_time, params.review_period)


def cost_per_day(epoch_costs: torch.Tensor, params: InventoryParams, warmup_epochs: int) -> torch.Tensor:
    """Cost per day of each trajectory over epochs ``warmup_epochs ..`` horizon - 1, ``(n,)``."""
    if not 0 <= warmup_epochs < params.horizon:
        raise ValueError(f"warmup_epochs must be in [0, horizon={params.horizon}), got {warmup_epochs!r}")
    days = (params.horizon - warmup_epochs) * params.review_period
    return epoch_costs[:, warmup_epochs:].sum(dim=1) / days
