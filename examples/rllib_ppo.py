"""RLlib (Ray 2.60) PPO on ``InventoryLeadTime-v0`` with the normalized action space.

    pip install "ray[rllib]==2.60.0"       # pins gymnasium==1.2.2: use a separate environment
    python examples/rllib_ppo.py           # 10 training iterations of 4000 steps
    python examples/rllib_ppo.py --iterations 2

RLlib's env runners are separate processes (Ray actors): they build the env with
``gym.make`` from its id, so the id carries its module, ``"gym_inventory:InventoryLeadTime-v0"``,
which makes each worker import (and register) the package itself. ``env_config`` holds
the keyword arguments of ``gym.make``; ``normalize_action=True`` gives actions in [-1, 1],
affine to [0, max_order] units. The script prints RLlib's mean episode return per
iteration and then the mean cost per day of the trained policy (its mean action) beside
the cost of ordering the mean demand every day, on the same demand paths.
"""
from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np

ENV_ID = "gym_inventory:InventoryLeadTime-v0"  # the module prefix: remote workers import gym_inventory
ENV_CONFIG = {"normalize_action": True}        # gym.make keyword arguments


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import ray
    import torch
    from ray.rllib.algorithms.ppo import PPOConfig
    from ray.rllib.core.columns import Columns

    from gym_inventory.compat import cost_per_day

    ray.init(num_cpus=2, include_dashboard=False)
    config = (
        PPOConfig()
        .environment(ENV_ID, env_config=ENV_CONFIG)
        .env_runners(num_env_runners=1, num_envs_per_env_runner=4)
        .training(train_batch_size_per_learner=4000, minibatch_size=128, num_epochs=10, lr=3e-4)
        .debugging(seed=args.seed)
    )
    algo = config.build_algo()
    for iteration in range(args.iterations):
        result = algo.train()
        print(f"iteration {iteration + 1}: mean episode return {result['env_runners']['episode_return_mean']:.1f}")

    module = algo.get_module()
    env = gym.make(ENV_ID, **ENV_CONFIG)

    def act(obs):
        with torch.no_grad():
            out = module.forward_inference({Columns.OBS: torch.tensor(obs[None], dtype=torch.float32)})
        mean = out[Columns.ACTION_DIST_INPUTS][0, : env.action_space.shape[0]].numpy()  # Gaussian: mean, log std
        return np.clip(mean, -1.0, 1.0)

    mean_demand = env.unwrapped.demand_model.max_daily_mean
    constant = np.array([2.0 * mean_demand / env.unwrapped.max_order - 1.0], np.float32)
    ppo = cost_per_day(env, act, episodes=20, seed=10_000)
    mean_order = cost_per_day(env, lambda obs: constant, episodes=20, seed=10_000)
    print(f"cost per day: RLlib PPO {ppo:.2f}, order the mean demand every day {mean_order:.2f}")
    algo.stop()
    ray.shutdown()


if __name__ == "__main__":
    main()
