"""DS: train inventory policies with a differentiable simulator (pathwise gradients).

The episode cost is differentiated through the shared dynamics
(:func:`gym_inventory.dynamics.simulate_days`) and the shared remap
(:func:`gym_inventory.remap.remap`) on torch tensors, as in "Direct Backprop" and
HDPO. Modules: :mod:`~agents.ds.simulation` (batched torch episodes),
:mod:`~agents.ds.network` (MLP + regularization head), :mod:`~agents.ds.train`
(Adam, reduce-on-plateau, clipping, early stopping), :mod:`~agents.ds.policy`
(the trained net as a :class:`gym_inventory.policy.Policy`), :mod:`~agents.ds.run_dir`
(run.json, weights, checkpoints).

>>> from agents.ds import train
>>> result = train("base", {"lead_time": 2, "horizon": 20}, {"max_steps": 2, "train_trajectories": 4, "val_trajectories": 4})
>>> result.policy.name
'ds+base'
"""
from agents.ds.config import DSConfig, load_hyperparams
from agents.ds.network import OrderNetwork, default_initial_mu, default_mu_bounds
from agents.ds.policy import DSPolicy
from agents.ds.run_dir import load_policy, read_run
from agents.ds.simulation import TrajectoryBatch, cost_per_day, default_warmup_epochs, rollout, sample_trajectories
from agents.ds.train import train
from agents.results import TrainResult

__all__ = [
    "DSConfig",
    "DSPolicy",
    "OrderNetwork",
    "TrainResult",
    "TrajectoryBatch",
    "cost_per_day",
    "default_initial_mu",
    "default_mu_bounds",
    "default_warmup_epochs",
    "load_hyperparams",
    "load_policy",
    "read_run",
    "rollout",
    "sample_trajectories",
    "train",
]
