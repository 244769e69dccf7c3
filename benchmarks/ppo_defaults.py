"""Off-the-shelf SB3 PPO (default hyperparameters) on the bare env with the normalized action space.

The check of issue 15: with ``gym.make("InventoryLeadTime-v0", normalize_action=True)``
(actions in [-1, 1], affine to [0, max_order] units), ``PPO("MlpPolicy", env)`` with
every hyperparameter at SB3's default ends below the cost of ordering the mean demand
every day. Both policies are scored on the same demand paths (episode seeds), as mean
cost per day over whole episodes::

    python -m benchmarks.ppo_defaults                      # 49152 steps (24 PPO rollouts): about a minute
    python -m benchmarks.ppo_defaults --raw-actions        # the same PPO on actions in units, for contrast

prints the two costs per day, their ratio and the training time.
"""
from __future__ import annotations

import argparse
import time

import gymnasium as gym
import numpy as np

import gym_inventory  # noqa: F401  (registers the env)
from gym_inventory.compat import cost_per_day

ENV_ID = "InventoryLeadTime-v0"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=49_152, help="PPO training steps (env steps)")
    parser.add_argument("--raw-actions", action="store_true", help="actions in units [0, max_order] instead")
    parser.add_argument("--episodes", type=int, default=100, help="evaluation episodes (90 days each)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from stable_baselines3 import PPO

    normalize_action = not args.raw_actions
    env = gym.make(ENV_ID, normalize_action=normalize_action)  # Poisson(5) demand, L = 2, h = 1, p = 9, 90 days
    start = time.perf_counter()
    model = PPO("MlpPolicy", env, seed=args.seed, device="cpu")  # SB3's defaults, nothing tuned
    model.learn(total_timesteps=args.steps)
    seconds = time.perf_counter() - start

    mean_demand = env.unwrapped.demand_model.max_daily_mean
    # The normalized action that orders the mean demand: affine map of [0, max_order] onto [-1, 1].
    units = np.array([mean_demand], dtype=np.float32)
    constant = 2.0 * units / env.unwrapped.max_order - 1.0 if normalize_action else units
    evaluation_seed = 10_000 + args.seed  # demand paths unseen in training
    ppo = cost_per_day(env, lambda obs: model.predict(obs, deterministic=True)[0], episodes=args.episodes,
                       seed=evaluation_seed)
    mean_order = cost_per_day(env, lambda obs: constant, episodes=args.episodes, seed=evaluation_seed)
    print(f"SB3 PPO defaults, normalize_action={normalize_action}, {args.steps} steps ({seconds:.0f} s), "
          f"{args.episodes} evaluation episodes:")
    print(f"  PPO cost per day:                    {ppo:.2f}")
    print(f"  order the mean demand ({mean_demand:g}) every day: {mean_order:.2f}")
    print(f"  ratio PPO / mean order:              {ppo / mean_order:.3f}")


if __name__ == "__main__":
    main()
