"""``gym-inventory demo`` (the job of ``make demo``): DDPG, PPO and DS, with and without Both, briefly trained.

    gym-inventory demo [--out demo_output] [--ddpg-timesteps 20000] [--ppo-timesteps 100000] [--ds-steps 300] [--smoke]

On the study's setting 1 (:mod:`gym_inventory.study`: non-stationary demand, review
every 2 days, lead time 1, cost 0.1 overage / 0.9 underage, 16 order epochs), each
method learns from the setting's 10 training SKUs with its default hyperparameters
(no tuning) for a short budget; the six policies and the reference -- the best
classical policy, its parameter chosen on 100 validation SKUs -- are evaluated on
the same 100 test SKUs (common random numbers). The demo prints a table and writes
``demo.png`` (test cost of each policy; order against inventory position, the
ordering behaviour, beside the reference's), ``demo.csv`` and ``demo.json`` into the
output directory; a file there holding something else is replaced with a note
saying so. ``--smoke`` runs tiny budgets in seconds: it checks the pipeline, not the
results.

Why setting 1 and not the package's default problem (Poisson demand, where base stock
is optimal)? There the forecasts are non-anticipating (``forecast_source="expected"``):
each SKU's constant mean, which leaves Coeff and Both nothing to read that Base does
not. Setting 1 is the study's problem with the study's features, noisy means of the
realized future demand (``forecast_source="realized"``, an oracle); its reference
policies read the same features as the learned ones, so the gaps compare like with
like (but not with a non-anticipating optimum).
"""
from __future__ import annotations

import os

HELP = "train DDPG, PPO and DS with and without the Both regularization briefly; compare them with the best classical policy"

METHODS = ("ds", "ddpg", "ppo")
REGULARIZATIONS = ("none", "both")
SETTING = "setting1"
SMOKE = {"ddpg_timesteps": 256, "ppo_timesteps": 256, "ds_steps": 4, "val_skus": 8, "test_skus": 8}
#: With --smoke, SB3 hyperparameters small enough for the tiny budget (one short rollout, few updates).
SMOKE_SB3 = {"ddpg": {"learning_starts": 64, "batch_size": 32}, "ppo": {"n_steps": 16, "batch_size": 64, "n_epochs": 1}}


def add_arguments(parser) -> None:
    parser.add_argument("--out", default="demo_output", metavar="DIR", help="output directory (default demo_output)")
    parser.add_argument("--ddpg-timesteps", type=int, default=20_000, help="env steps per DDPG run (default 20000)")
    parser.add_argument("--ppo-timesteps", type=int, default=100_000,
                        help="env steps per PPO run (default 100000; PPO steps are much cheaper than DDPG's)")
    parser.add_argument("--ds-steps", type=int, default=300, help="gradient steps per DS run (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    parser.add_argument("--smoke", action="store_true", help="tiny budgets: a seconds-long check of the pipeline")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args) -> int:
    from gym_inventory.params import check_int

    budgets = dict(SMOKE, smoke=True) if args.smoke else {
        "ddpg_timesteps": check_int("--ddpg-timesteps", args.ddpg_timesteps, 1),
        "ppo_timesteps": check_int("--ppo-timesteps", args.ppo_timesteps, 1), "ds_steps": check_int("--ds-steps", args.ds_steps, 1)}
    seed = check_int("--seed", args.seed, 0)
    out = os.fspath(args.out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise ValueError(f"--out {out!r} is a file, not a directory")
    rows, behaviour, reference = run_demo(budgets, seed, progress=not args.quiet)
    print(format_table(rows, reference, budgets))
    os.makedirs(out, exist_ok=True)
    for name, content in render_files(rows, behaviour, reference, budgets).items():
        write_file(os.path.join(out, name), content)
    print(f"wrote {out}/demo.png (costs and ordering behaviour), {out}/demo.csv, {out}/demo.json")
    return 0


def splits_of(budgets: dict):
    from gym_inventory.study import Splits, get_setting

    sizes = {k: budgets[k] for k in ("val_skus", "test_skus") if k in budgets}
    return Splits.of(get_setting(SETTING, **sizes))


def run_demo(budgets: dict, seed: int, progress: bool = True) -> tuple:
    """Train the six policies and evaluate them with the reference; ``(rows, behaviour, reference)``."""
    import torch
    from tqdm import tqdm

    from gym_inventory.study import reference

    torch.set_num_threads(1)  # small networks: one thread is fastest, and leaves a core to the env
    splits = splits_of(budgets)
    ref = reference(splits)
    baseline = splits.evaluate(ref.policy, "test", name=f"best classical: {ref.policy_name}")
    rows = [_row("reference", "-", baseline, baseline.cost, steps=0, seconds=0.0)]
    behaviour = {baseline.name: ordering_behaviour(ref.policy, splits)}
    runs = [(method, kind) for method in METHODS for kind in REGULARIZATIONS]
    outer = tqdm(runs, desc="demo", unit="run", disable=not progress)
    for method, kind in outer:
        outer.set_postfix_str(f"{method}+{kind}")
        policy, steps, seconds = train_one(method, kind, splits, budgets, seed, progress)
        evaluation = splits.evaluate(policy, "test", name=f"{method}+{kind}")
        rows.append(_row(method, kind, evaluation, baseline.cost, steps=steps, seconds=seconds))
        behaviour[evaluation.name] = ordering_behaviour(policy, splits)
        outer.write(f"{method}+{kind}: test cost/day {evaluation.cost:.3f} "
                    f"(gap {100 * (evaluation.cost / baseline.cost - 1):+.1f}% to the best classical policy), {seconds:.0f} s")
    return rows, behaviour, {"policy": ref.policy_name, "test_cost": baseline.cost, "candidates": ref.candidates}


def train_one(method: str, kind: str, splits, budgets: dict, seed: int, progress: bool) -> tuple:
    """Train one policy on the training SKUs, a progress bar over its validations; ``(policy, steps, seconds)``."""
    import time

    from tqdm import tqdm

    started = time.perf_counter()
    train_env = splits.train_env_kwargs()
    n_train = splits.train_skus
    if method == "ds":
        from agents.ds import train

        steps = budgets["ds_steps"]
        every = max(1, steps // 10)
        hyper = {"max_steps": steps, "eval_every": every, "train_trajectories": n_train, "val_trajectories": n_train,
                 "batch_size": n_train}
        with tqdm(total=steps // every + 1, desc=f"  {method}+{kind}", unit="val", leave=False, disable=not progress) as bar:
            result = train(kind, train_env, hyper, seed=seed, log=lambda line: bar.update(1))
        return result.policy, result.steps, time.perf_counter() - started
    from agents.sb3.train import train

    steps = budgets[f"{method}_timesteps"]
    every = max(1, steps // 10)
    hyper = dict(SMOKE_SB3[method] if budgets.get("smoke") else {}, eval_freq=every, val_trajectories=n_train)
    with tqdm(total=steps // every, desc=f"  {method}+{kind}", unit="val", leave=False, disable=not progress) as bar:
        result = train(method, kind, train_env, hyper, total_timesteps=steps, seed=seed, reference=False,
                       log=lambda line: bar.update(1))
    return result.policy, result.steps, time.perf_counter() - started


def _row(method, kind, evaluation, reference_cost: float, *, steps: int, seconds: float) -> dict:
    return {"method": method, "regularization": kind, "name": evaluation.name, "cost": evaluation.cost,
            "ci": evaluation.ci, "gap_pct": 100 * (evaluation.cost / reference_cost - 1), "fill_rate": evaluation.fill_rate,
            "stockout_rate": evaluation.stockout_rate, "train_steps": steps, "train_seconds": seconds}


def ordering_behaviour(policy, splits, n_skus: int = 32) -> dict:
    """Inventory position before ordering and the order, in units of each SKU's scale, on test SKUs."""
    import numpy as np

    from gym_inventory.envs import make_simulator
    from gym_inventory.evaluation import policy_orders

    simulator = make_simulator(n_skus, **splits.env_kwargs)
    simulator.reset(np.random.default_rng(splits.seed("test")))
    policy.reset(n_skus)
    positions, orders = [], []
    for _ in range(simulator.params.horizon):
        state = simulator.decision_state()
        order = policy_orders(policy, state, n_skus, simulator.max_order)
        positions.append(state.inventory_position / state.scale)
        orders.append(order / state.scale)
        simulator.step(order)
    return {"inventory_position": np.concatenate(positions).tolist(), "order": np.concatenate(orders).tolist()}


def format_table(rows: list, reference: dict, budgets: dict) -> str:
    splits = splits_of(budgets)
    lines = ["Study setting 1: non-stationary demand, P=2, L=1, cost 0.1 overage / 0.9 underage, 16 epochs; "
             f"{splits.train_skus} training SKUs, {splits.test_skus} test SKUs",
             f"{'policy':<44} {'test cost/day':>15} {'gap':>8} {'fill rate':>9} {'steps':>7} {'train s':>8}"]
    for row in rows:
        lines.append(f"{row['name']:<44} {row['cost']:8.3f} +-{row['ci']:5.3f} {row['gap_pct']:+7.1f}% "
                     f"{row['fill_rate']:9.3f} {row['train_steps']:7d} {row['train_seconds']:8.1f}")
    return "\n".join(lines)


def render_files(rows: list, behaviour: dict, reference: dict, budgets: dict) -> dict:
    """File name -> bytes: demo.png, demo.csv, demo.json."""
    import csv
    import io
    import json

    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    summary = {"setting": SETTING, "budgets": budgets, "reference": reference, "rows": rows}
    return {"demo.png": plot(rows, behaviour, splits_of(budgets).test_skus), "demo.csv": text.getvalue().encode(),
            "demo.json": (json.dumps(summary, indent=2) + "\n").encode()}


def plot(rows: list, behaviour: dict, test_skus: int) -> bytes:
    """The figure as PNG bytes: costs (left), order against inventory position (right)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, (costs, orders) = plt.subplots(1, 2, figsize=(13, 4.8))
    names = [row["name"] for row in rows]
    colors = ["black"] + [f"C{i}" for i in range(len(rows) - 1)]
    costs.barh(names, [row["cost"] for row in rows], xerr=[row["ci"] for row in rows], color=colors, alpha=0.8)
    costs.axvline(rows[0]["cost"], color="black", ls="--", lw=1)
    costs.invert_yaxis()
    costs.set_xlabel(f"test cost per day (95% CI), the same {test_skus} test SKUs for every policy")
    costs.set_title("learned policies (short budget, default hyperparameters) and the best classical", fontsize=10)
    for (name, data), color in zip(behaviour.items(), colors):
        orders.scatter(data["inventory_position"], data["order"], s=5 if color == "black" else 3,
                       alpha=0.6 if color == "black" else 0.3, color=color, label=name)
    orders.set_xlabel("inventory position before ordering (days of mean demand: units / scale)")
    orders.set_ylabel("order (days of mean demand)")
    orders.set_title("ordering behaviour on test SKUs", fontsize=10)
    orders.legend(fontsize=7, markerscale=3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def write_file(path: str, content: bytes) -> None:
    """Write ``content``; say so when it replaces a file that held something else."""
    if os.path.exists(path):
        with open(path, "rb") as handle:
            if handle.read() == content:
                return
        print(f"note: replacing {path} (it held an earlier or different result)")
    with open(path + ".tmp", "wb") as handle:
        handle.write(content)
    os.replace(path + ".tmp", path)
