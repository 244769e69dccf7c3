"""SKU-steps per second: the natively batched InventoryVectorEnv against bare numpy arithmetic and a loop of single envs.

    python -m benchmarks.vector_throughput [--sizes 1 64 4096 65536] [--seconds 2] [--horizon 90]

For each number of SKUs N, in one run:

* ``arithmetic``: the bare numpy arithmetic of the same step (:func:`arithmetic_step`: the
  transition of one day with L = 2, the costs, the reward, every recorded number and the
  observation, on preallocated columns), demand and context drawn beforehand, no env,
  no resets: the reference the env's rates are a fraction of;
* ``vector``: ``gym.make_vec("InventoryLeadTime-v0", num_envs=N, vectorization_mode="vector_entry_point")``
  stepped with a constant order, autoresets included (every ``horizon`` steps all N
  SKUs draw a new episode: demand, features, context); ``vec/arith`` is its share of
  ``arithmetic``;
  ``(no resets)`` counts only the steps that do not end an episode;
  ``reset ms``: what the autoreset adds to an episode (its time with resets minus without);
* ``vector+both``: the same under the vector ``both`` regularization wrapper (mu -> orders
  through :func:`gym_inventory.remap.remap`), autoresets included;
* ``loop``: N ``gym.make`` single envs stepped one after another in a Python loop, reset
  on truncation (measured up to N = 4096; larger N reuse the 4096 rate, since a single
  env's cost per step does not depend on N).

Each measurement runs whole episodes for at least ``--seconds``; the best of
``--repeats`` is kept. Ratios are taken in the same run. The last lines compare the
largest N with 4096 (the target: no slowdown at large N, at least 90%).
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


def arithmetic_step(state: dict, demand: np.ndarray, order: np.ndarray, context: np.ndarray, holding_cost: float,
                    penalty_cost: float, inverse_scale: np.ndarray) -> tuple:
    """One epoch of P = 1 day, L = 2, backlog, in plain numpy: the numbers the env's step computes.

    ``state``: ``net``, ``in_0``, ``in_1`` columns (updated). Returns the observation
    ``(N, 3 + C)`` float32, the reward and the record values (order, demand, sales, backlog,
    unmet, on hand, inventory position, holding, penalty, cost, stockout day, on-hand days).
    """
    net = state["net"]
    net_after = net + state["in_0"] - demand
    on_hand = np.maximum(net_after, 0.0)
    shortage = on_hand - net_after
    sales = demand + np.maximum(-net, 0.0) - shortage
    holding = holding_cost * on_hand
    penalty = penalty_cost * shortage
    cost = holding + penalty
    reward = cost * -inverse_scale
    unmet = np.minimum(shortage, demand)
    stockout = np.sign(unmet)
    state["net"], state["in_0"], state["in_1"] = net_after, state["in_1"], order
    position = net_after + state["in_0"] + order
    observation = np.empty((net.shape[0], 3 + context.shape[1]), dtype=np.float32)
    observation[:, 0] = net_after * inverse_scale
    observation[:, 1] = state["in_0"] * inverse_scale
    observation[:, 2] = order * inverse_scale
    observation[:, 3:] = context
    return observation, reward, (order, demand, sales, shortage, unmet, on_hand, position, holding, penalty, cost,
                                 stockout, on_hand)


def arithmetic_rate(num_envs: int, horizon: int, seconds: float, repeats: int) -> float:
    """SKU-steps per second of :func:`arithmetic_step`, Poisson(5) demand drawn beforehand."""
    rng = np.random.default_rng(0)
    demand = rng.poisson(5.0, size=(horizon, num_envs)).astype(np.float64)
    context = rng.random((horizon, num_envs, 9)).astype(np.float32)  # the env's 9 context entries (Poisson)
    order = np.full(num_envs, 5.0)
    inverse_scale = np.full(num_envs, 1.0 / 5.0)
    state = {"net": np.full(num_envs, 15.0), "in_0": np.zeros(num_envs), "in_1": np.zeros(num_envs)}

    def episode() -> float:
        start = time.perf_counter()
        for epoch in range(horizon):
            arithmetic_step(state, demand[epoch], order, context[epoch], 1.0, 9.0, inverse_scale)
        return time.perf_counter() - start

    return timed_episodes(episode, seconds, repeats)[0] * horizon * num_envs


def reset_profile(num_envs: int, horizon: int, repeats: int = 20) -> dict:
    """Milliseconds (best of ``repeats``) of the parts of one reset of ``num_envs`` SKUs, and of numpy's own
    Poisson sampler on the same days for comparison."""
    from gym_inventory.envs import make_simulator
    from gym_inventory.features import FORECAST_DAYS, HISTORY_DAYS, forecast_features

    simulator = make_simulator(num_envs, horizon=horizon)
    model, rng = simulator.demand_model, np.random.default_rng(0)
    days = HISTORY_DAYS + horizon + FORECAST_DAYS
    paths = model.sample(rng, num_envs, days)
    decision_days = HISTORY_DAYS + np.arange(horizon)
    block = np.empty((5, horizon, num_envs))  # reused, as the simulator reuses its block

    def best(function) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        return 1e3 * min(times)

    return {
        "draw": best(lambda: model.sample(rng, num_envs, days)),
        "numpy_poisson": best(lambda: rng.poisson(5.0, size=(num_envs, days))),
        "features": best(lambda: forecast_features(paths.demand, decision_days, paths.scale, 0.0, rng, paths.expected,
                                                   out=block)),
        "reset": best(lambda: simulator.reset(rng)),
    }


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
    print(f"{'N':>7} {'arithmetic':>12} {'vector':>12} {'vec/arith':>9} {'(no resets)':>12} {'reset ms':>9} "
          f"{'vector+both':>12} {'loop':>10} {'vector/loop':>12} {'both/loop':>10}")
    loop, rows = None, {}
    for num_envs in args.sizes:
        arithmetic = arithmetic_rate(num_envs, args.horizon, args.seconds, args.repeats)
        vector, between = vector_rate(num_envs, args.horizon, args.seconds, args.repeats, None)
        both, _ = vector_rate(num_envs, args.horizon, args.seconds, args.repeats, "both")
        reset_ms = 1e3 * args.horizon * num_envs * (1.0 / vector - 1.0 / between)
        rows[num_envs] = (arithmetic, vector, between)
        note = ""
        if num_envs <= LOOP_MAX_SKUS or loop is None:
            loop = loop_rate(min(num_envs, LOOP_MAX_SKUS), args.horizon, args.seconds, args.repeats)
        else:
            note = f"  (loop rate of N={LOOP_MAX_SKUS})"
        print(
            f"{num_envs:>7} {arithmetic:>12,.0f} {vector:>12,.0f} {vector / arithmetic:>8.0%} {between:>12,.0f} "
            f"{reset_ms:>9.1f} {both:>12,.0f} {loop:>10,.0f} {vector / loop:>11.1f}x {both / loop:>9.1f}x{note}"
        )
    print("SKU-steps per second; 'vec/arith': the vector env with resets as a share of the bare arithmetic (target >= 50% "
          "at N=4096); '(no resets)': its steps between autoresets only")
    if 4096 in rows:
        arithmetic, vector, between = rows[4096]
        parts = reset_profile(4096, args.horizon)
        step_ms = 1e3 * 4096 / between
        print(f"N=4096, one episode: {args.horizon} steps {args.horizon * step_ms:.1f} ms, bare arithmetic "
              f"{1e3 * 4096 * args.horizon / arithmetic:.1f} ms; simulator reset {parts['reset']:.1f} ms (best of 20): "
              f"demand draw {parts['draw']:.1f} ms (numpy's Poisson sampler on the same days {parts['numpy_poisson']:.1f} ms), "
              f"features {parts['features']:.1f} ms")
    largest = max(rows)
    if 4096 in rows and largest > 4096:
        (arith_ref, vector_ref, between_ref), (arith, vector, between) = rows[4096], rows[largest]
        print(f"N={largest} against N=4096 (target >= 90% with resets): vector with resets {vector / vector_ref:.0%}, "
              f"without {between / between_ref:.0%}; bare arithmetic {arith / arith_ref:.0%}")


if __name__ == "__main__":
    main()
