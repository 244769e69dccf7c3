"""The study's first mechanism: does DDPG's critic converge better with a regularization?

    python -m benchmarks.q_convergence --steps 20000 --chunk 2000            # setting 1, none vs base
    python -m benchmarks.q_convergence --regs none base both --steps 200000 --chunk 10000   # the authors' budget

DDPG learns Q(s, a); the study argues that a regularization (Base, Both) makes its critic
easier to fit. Every ``--chunk`` env steps of training, on fixed validation trajectories of
the setting (the validation SKUs' seed), :func:`q_versus_return` compares the critic's
Q(s_t, pi(s_t)) with the realized discounted return of the current policy from s_t (the env's
rewards, discounted by the model's gamma, summed to the end of the episode). It writes
TensorBoard scalars (``--out/<reg>/``: ``q/mean_q``, ``q/mean_return``, ``q/mean_abs_error``,
``q/val_cost``), ``q_convergence.csv`` and ``q_convergence.png`` (to ``--results``).

The return is truncated at the horizon while SB3 bootstraps through time-limit truncation,
so Q(s_t) estimates more than the truncated return near the end of an episode; the error is
reported over the first half of the epochs (``--first-epochs``), where the truncation weighs
least, and over all of them.
"""
from __future__ import annotations

import argparse
import csv
import os

import numpy as np


def q_versus_return(model, policy, env_kwargs: dict, *, n_trajectories: int, seed: int, gamma: float,
                    first_epochs: int | None = None) -> dict:
    """Critic vs realized discounted return of the current deterministic policy on fixed trajectories."""
    import torch

    from gym_inventory.envs import make_simulator

    simulator = make_simulator(n_trajectories, **env_kwargs)
    simulator.reset(np.random.default_rng(seed))
    policy.reset(n_trajectories)
    horizon = simulator.params.horizon
    q_values, rewards = np.zeros((n_trajectories, horizon)), np.zeros((n_trajectories, horizon))
    for epoch in range(horizon):
        state = simulator.decision_state()
        observation = policy.model_observation(np.asarray(state.observation, dtype=np.float32))
        action, _ = model.predict(observation, deterministic=True)
        with torch.no_grad():
            q = model.critic.q1_forward(torch.as_tensor(observation, dtype=torch.float32, device=model.device),
                                        torch.as_tensor(action, dtype=torch.float32, device=model.device))
        q_values[:, epoch] = q.cpu().numpy()[:, 0]
        orders = np.clip(np.asarray(policy(state), dtype=np.float64), 0.0, simulator.max_order)
        rewards[:, epoch] = simulator.step(orders)[1]
    returns = np.zeros_like(rewards)
    running = np.zeros(n_trajectories)
    for epoch in reversed(range(horizon)):
        running = rewards[:, epoch] + gamma * running
        returns[:, epoch] = running
    head = slice(0, first_epochs or max(1, horizon // 2))
    return {"mean_q": float(q_values.mean()), "mean_return": float(returns.mean()),
            "mean_abs_error": float(np.abs(q_values - returns).mean()),
            "mean_abs_error_first": float(np.abs(q_values[:, head] - returns[:, head]).mean()),
            "val_cost": float(-rewards.sum(axis=1).mean() / (simulator.params.review_period * horizon))}


def run(setting_name: str, kind: str, steps: int, chunk: int, seed: int, out: str, n_val: int, hyperparams: dict) -> list:
    from torch.utils.tensorboard import SummaryWriter

    from agents.sb3.algorithms import load_hyperparams, split_options
    from agents.sb3.env import make_vec_env
    from agents.sb3.policy import SB3Policy
    from agents.sb3.train import build_model
    from gym_inventory.study import Splits, get_setting

    splits = Splits.of(get_setting(setting_name))
    train_env = splits.train_env_kwargs()
    hyper = load_hyperparams("ddpg", hyperparams)
    options, _ = split_options(hyper)
    venv = make_vec_env(kind, train_env, seed=seed, n_envs=options["n_envs"], normalize_observation=False,
                        regularization_options=options["regularization_options"], observation_parts=options["observation_parts"])
    model = build_model("ddpg", kind, train_env, hyper, venv, seed=seed)
    writer = SummaryWriter(os.path.join(out, kind))
    rows, first = [], True
    while True:
        policy = SB3Policy(model, kind, train_env, regularization_options=options["regularization_options"],
                           observation_parts=options["observation_parts"], name=f"ddpg+{kind}")
        numbers = q_versus_return(model, policy, splits.env_kwargs, n_trajectories=n_val, seed=splits.seed("val"),
                                  gamma=model.gamma)
        step = int(model.num_timesteps)
        for name, value in numbers.items():
            writer.add_scalar(f"q/{name}", value, step)
        rows.append(dict(regularization=kind, step=step, **numbers))
        print(f"ddpg+{kind} step {step}: " + ", ".join(f"{k} {v:.3f}" for k, v in numbers.items()), flush=True)
        if step >= steps:
            break
        model.learn(min(chunk, steps - step), reset_num_timesteps=first)
        first = False
    writer.close()
    return rows


def plot(rows: list, path: str, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, (values, errors) = plt.subplots(1, 2, figsize=(11, 4))
    for index, kind in enumerate(dict.fromkeys(row["regularization"] for row in rows)):
        mine = [row for row in rows if row["regularization"] == kind]
        steps = [row["step"] for row in mine]
        values.plot(steps, [row["mean_q"] for row in mine], color=f"C{index}", label=f"{kind}: Q(s, pi(s))")
        values.plot(steps, [row["mean_return"] for row in mine], color=f"C{index}", ls="--", label=f"{kind}: realized return")
        errors.plot(steps, [row["mean_abs_error_first"] for row in mine], color=f"C{index}", label=kind)
    values.set_xlabel("env steps")
    values.set_ylabel("mean over validation states")
    values.legend(fontsize=7)
    errors.set_xlabel("env steps")
    errors.set_ylabel("mean |Q - return| (first half of the epochs)")
    errors.set_yscale("log")
    errors.legend(fontsize=7)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setting", default="setting1")
    parser.add_argument("--regs", nargs="+", default=["none", "base"])
    parser.add_argument("--steps", type=int, default=20000, help="env steps of DDPG training per regularization")
    parser.add_argument("--chunk", type=int, default=2000, help="env steps between diagnostics")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--val-trajectories", type=int, default=100)
    parser.add_argument("--out", default=os.path.join("runs", "q_convergence"), help="TensorBoard logs")
    parser.add_argument("--results", default="docs/results")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.chunk < 1 or args.val_trajectories < 2:
        parser.error("--steps and --chunk must be >= 1 and --val-trajectories >= 2")
    import torch

    torch.set_num_threads(1)
    rows = []
    for kind in args.regs:
        rows += run(args.setting, kind, args.steps, args.chunk, args.seed, args.out, args.val_trajectories,
                    # the study's DDPG discounts near 1 (gamma U(0.98, 1)) with one env, not the package's defaults
                    {"observation_parts": ["pipeline", "dynamic"], "gamma": 0.99, "n_envs": 1})
    os.makedirs(args.results, exist_ok=True)
    stem = os.path.join(args.results, f"q_convergence_{args.setting}")
    with open(stem + ".csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    plot(rows, stem + ".png", f"DDPG on {args.setting}: critic vs realized discounted return ({args.steps} env steps, seed {args.seed})")
    print(f"wrote {stem}.csv, {stem}.png and TensorBoard logs in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
