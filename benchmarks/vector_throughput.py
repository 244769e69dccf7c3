"""SKU-steps per second: the natively batched InventoryVectorEnv against a Python loop over single envs.

    python -m benchmarks.vector_throughput [--sizes 1 64 4096 65536] [--seconds 2] [--horizon 90]

For each number of SKUs N, in one run:

* ``vector``: ``gym.make_vec("InventoryLeadTime-v0", num_envs=N, vectorization_mode="vector_entry_point")``
  stepped with a constant order, autoresets included (every ``horizon`` steps all N
  SKUs draw a new episode);
  ``(no resets)`` counts only the steps that do not end an episode (the cost of drawing
  the next episode's demand and features left out);
* ``vector+both``: the same under the vector ``both`` regularization wrapper (mu -> orders
  through :func:`gym_inventory.remap.remap`), autoresets included;
* ``loop``: N ``gym.make`` single envs stepped one after another in a Python loop, reset
  on truncation (measured up to N = 4096; larger N reuse the 4096 rate, since a single
  env's cost per step does not depend on N).

Each measurement runs whole episodes for at least ``--seconds``; the best of
``--repeats`` is kept. Ratios are vector / loop in the same run.
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import gymnasium as gym
import numpy as np

import gym_inventory  # noqa: F401  (registers the env)
from gym_inventory.wrappers import regularize

ENV_ID = "InventoryLeadTime-v0"
LOOP_MAX_SKUS = 4096


def timed_episodes(step_episode, seconds: float, repeats: int) -> tuple[float, float]:
    """Best rates of ``step_episode`` over ``repeats`` runs of >= ``seconds``.

    ``step_episode()`` runs one episode and returns the seconds spent in steps that did
    not reset. Returns (episodes per second, episodes per second of those steps alone).
    """
    best, best_between = 0.0, 0.0
    for _ in range(repeats):
        episodes, between, start = 0, 0.0, time.perf_counter()
        while True:
            between += step_episode()
            episodes += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        best, best_between = max(best, episodes / elapsed), max(best_between, episodes / between)
    return best, best_between


def vector_rate(num_envs: int, horizon: int, seconds: float, repeats: int, kind: str | None) -> tuple[float, float]:
    """SKU-steps per second of the vector env: autoresets included, and between resets."""
    # SAME_STEP: an episode is `horizon` steps, the last of which resets (NEXT_STEP adds a reset step).
    envs = gym.make_vec(ENV_ID, num_envs=num_envs, vectorization_mode="vector_entry_point", horizon=horizon,
                        autoreset_mode="SameStep")
    if kind is None:
        action = np.full((num_envs, 1), 5.0, dtype=np.float32)
    else:
        envs = regularize(envs, kind)
        # Both: order up to 3.6 x the 7-day forecast of daily demand (a base-stock-like target).
        action = np.zeros((num_envs,) + envs.single_action_space.shape, dtype=np.float32)
        action[:, 2] = 3.6
    envs.reset(seed=0)
    clock = time.perf_counter

    def episode() -> float:
        between = 0.0
        for _ in range(horizon - 1):
            start = clock()
            envs.step(action)
            between += clock() - start
        envs.step(action)  # the last step of the episode resets every SKU
        return between * horizon / (horizon - 1)

    episodes, episodes_between = timed_episodes(episode, seconds, repeats)
    return episodes * horizon * num_envs, episodes_between * horizon * num_envs


def loop_rate(num_envs: int, horizon: int, seconds: float, repeats: int) -> float:
    """SKU-steps per second of a Python loop over ``num_envs`` single envs, resets included."""
    envs = [gym.make(ENV_ID, horizon=horizon) for _ in range(num_envs)]
    for index, env in enumerate(envs):
        env.reset(seed=index)
    action = np.array([5.0], dtype=np.float32)

    def episode() -> float:
        start = time.perf_counter()
        for _ in range(horizon):
            for env in envs:
                _, _, terminated, truncated, _ = env.step(action)
                if terminated or truncated:
                    env.reset()
        return time.perf_counter() - start

    return timed_episodes(episode, seconds, repeats)[0] * horizon * num_envs


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 64, 4096, 65536])
    parser.add_argument("--seconds", type=float, default=2.0, help="minimum time per measurement")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--horizon", type=int, default=90, help="order epochs per episode")
    args = parser.parse_args(argv)
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, gymnasium {gym.__version__}, "
        f"{os.cpu_count()} cpus (load average {os.getloadavg()[0]:.1f} at start: other work slows every rate); "
        f"horizon {args.horizon}, Poisson(5) demand, L=2, P=1"
    )
    print(f"{'N':>7} {'vector':>12} {'(no resets)':>12} {'vector+both':>12} {'loop':>10} {'vector/loop':>12} {'both/loop':>10}")
    loop = None
    for num_envs in args.sizes:
        vector, between = vector_rate(num_envs, args.horizon, args.seconds, args.repeats, None)
        both, _ = vector_rate(num_envs, args.horizon, args.seconds, args.repeats, "both")
        note = ""
        if num_envs <= LOOP_MAX_SKUS or loop is None:
            loop = loop_rate(min(num_envs, LOOP_MAX_SKUS), args.horizon, args.seconds, args.repeats)
        else:
            note = f"  (loop rate of N={LOOP_MAX_SKUS})"
        print(
            f"{num_envs:>7} {vector:>12,.0f} {between:>12,.0f} {both:>12,.0f} {loop:>10,.0f} "
            f"{vector / loop:>11.1f}x {both / loop:>9.1f}x{note}"
        )
    print("SKU-steps per second; '(no resets)': the vector env's steps between autoresets only")


if __name__ == "__main__":
    main()
