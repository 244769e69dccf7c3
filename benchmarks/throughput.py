"""Steps per second through ``gym.make``: InventoryLeadTime-v0 against CartPole-v1, in one run.

    python -m benchmarks.throughput [--steps N] [--repeats R]

Each env takes the same loop (step a fixed action, reset on truncation/termination);
the best of R repeats is kept, and the ratio to CartPole-v1 is printed.
"""
from __future__ import annotations

import argparse
import platform
import time

import gymnasium as gym
import numpy as np

import gym_inventory  # noqa: F401


def steps_per_second(env_id: str, action, steps: int, repeats: int, **kwargs) -> float:
    env = gym.make(env_id, **kwargs)
    env.reset(seed=0)
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                env.reset()
        best = max(best, steps / (time.perf_counter() - start))
    env.close()
    return best


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, numpy {np.__version__}, gymnasium {gym.__version__}")
    reference = steps_per_second("CartPole-v1", 1, args.steps, args.repeats)
    rows = [("CartPole-v1", reference)]
    order = np.array([5.0], dtype=np.float32)
    for label, kwargs in [
        ("InventoryLeadTime-v0 (backlog, L=2, P=1)", {}),
        ("InventoryLeadTime-v0 (lost sales, L=2, P=1)", {"lost_sales": True}),
        ("InventoryLeadTime-v0 (backlog, L=4, P=3)", {"lead_time": 4, "review_period": 3}),
    ]:
        rows.append((label, steps_per_second("InventoryLeadTime-v0", order, args.steps, args.repeats, **kwargs)))
    print(f"{'environment':<46} {'steps/s':>12} {'vs CartPole':>12}")
    for label, rate in rows:
        print(f"{label:<46} {rate:>12,.0f} {rate / reference:>11.2f}x")


if __name__ == "__main__":
    main()
