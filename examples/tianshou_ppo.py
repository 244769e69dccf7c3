"""Tianshou 2.0 PPO on ``InventoryLeadTime-v0`` with the normalized action space.

    pip install "tianshou==2.0.1"          # pins pandas 2.3.x: use a separate environment
    python examples/tianshou_ppo.py        # 20 epochs of 5000 steps
    python examples/tianshou_ppo.py --epochs 2 --epoch-steps 2048
    python examples/tianshou_ppo.py --no-initial-bias  # without the initial action bias of docs/compat.md

Tianshou's ``DummyVectorEnv`` steps ``gym.make("InventoryLeadTime-v0", normalize_action=True)``
envs (actions in [-1, 1], affine to [0, max_order] units; the env's ``TimeLimit`` ends
episodes after ``horizon`` epochs), its ``Collector`` gathers the transitions and
``PPO.run_training`` trains a Gaussian actor and a critic; the actor's output starts at
ordering the mean demand (the initial action bias of docs/compat.md). The script prints Tianshou's
test returns and then the mean cost per day of the trained policy beside the cost of
ordering the mean demand every day, on the same demand paths.
"""
from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np
import torch
from tianshou.algorithm import PPO
from tianshou.algorithm.modelfree.reinforce import ProbabilisticActorPolicy
from tianshou.algorithm.optim import AdamOptimizerFactory
from tianshou.data import Batch, Collector, VectorReplayBuffer
from tianshou.env import DummyVectorEnv
from tianshou.trainer import OnPolicyTrainerParams
from tianshou.utils.net.common import Net
from tianshou.utils.net.continuous import ContinuousActorProbabilistic, ContinuousCritic
from torch import nn
from torch.distributions import Independent, Normal

import gym_inventory  # noqa: F401  (registers InventoryLeadTime-v0)
from gym_inventory.compat import cost_per_day

ENV_ID = "InventoryLeadTime-v0"


def make_env() -> gym.Env:
    return gym.make(ENV_ID, normalize_action=True)  # Poisson(5) demand, L = 2, h = 1, p = 9, 90 days


def policy_action(policy, obs: np.ndarray) -> np.ndarray:
    """The trained policy's action (its mean: ``deterministic_eval=True``) for one observation."""
    with torch.no_grad():
        result = policy(Batch(obs=obs[None], info={}))
    return policy.map_action(result.act[0].numpy())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--epoch-steps", type=int, default=5000)
    parser.add_argument("--num-envs", type=int, default=4)
    parser.add_argument("--no-initial-bias", action="store_true", help="start at the middle of the action bounds")
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)

    train_envs = DummyVectorEnv([make_env for _ in range(args.num_envs)])
    test_envs = DummyVectorEnv([make_env for _ in range(2)])
    train_envs.seed(args.seed)
    test_envs.seed(args.seed + 1000)
    env = make_env()
    obs_dim = env.observation_space.shape[0]
    actor = ContinuousActorProbabilistic(
        preprocess_net=Net(state_shape=obs_dim, hidden_sizes=(64, 64), activation=nn.Tanh),
        action_shape=env.action_space.shape, unbounded=True,
    )
    if not args.no_initial_bias:
        # The recipe of docs/compat.md: start the untrained policy at ordering the mean demand
        # (a0 = 2 x mean / max_order - 1) instead of the middle of [0, max_order].
        a0 = 2.0 * env.unwrapped.demand_model.max_daily_mean / env.unwrapped.max_order - 1.0
        last = [module for module in actor.mu.modules() if isinstance(module, nn.Linear)][-1]
        with torch.no_grad():
            last.weight.mul_(0.01)
            last.bias.fill_(a0)
    critic = ContinuousCritic(preprocess_net=Net(state_shape=obs_dim, hidden_sizes=(64, 64), activation=nn.Tanh))

    def dist(loc_scale):
        loc, scale = loc_scale
        return Independent(Normal(loc, scale), 1)

    policy = ProbabilisticActorPolicy(actor=actor, dist_fn=dist, action_space=env.action_space,
                                      deterministic_eval=True)
    algorithm = PPO(policy=policy, critic=critic, optim=AdamOptimizerFactory(lr=3e-4), return_scaling=True)
    training_collector = Collector(algorithm, train_envs, VectorReplayBuffer(2048, args.num_envs))
    test_collector = Collector(algorithm, test_envs)
    result = algorithm.run_training(OnPolicyTrainerParams(
        training_collector=training_collector, test_collector=test_collector, max_epochs=args.epochs,
        epoch_num_steps=args.epoch_steps, collection_step_num_env_steps=2048, update_step_num_repetitions=10,
        batch_size=64, test_step_num_episodes=2, show_progress=False,
    ))
    print(result)
    policy.eval()
    constant = np.array([2.0 * env.unwrapped.demand_model.max_daily_mean / env.unwrapped.max_order - 1.0], np.float32)
    ppo = cost_per_day(env, lambda obs: policy_action(policy, obs), episodes=20, seed=10_000)
    mean_order = cost_per_day(env, lambda obs: constant, episodes=20, seed=10_000)
    print(f"cost per day: Tianshou PPO {ppo:.2f}, order the mean demand every day {mean_order:.2f}")


if __name__ == "__main__":
    main()
