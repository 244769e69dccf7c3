"""Train a policy with the differentiable simulator: pathwise gradients of the trajectory cost.

The loss is the mean over a minibatch of training episodes of the cost per day,
counted from epoch ``warmup_epochs`` on (the first ``lead_time // review_period``
epochs by default: no order can reach their days, so their cost only adds noise),
in the env's reward unit (money / scale with ``normalize=True``, so SKUs of every
volume weigh alike; money otherwise). The validation cost, which picks the kept weights
and is reported, leaves out the warm-up of :func:`gym_inventory.evaluation.evaluate`
(:func:`~gym_inventory.evaluation.default_warmup`), so DS and SB3 validation costs and
``gym-inventory evaluate`` count the same days; an explicit ``warmup_epochs`` applies to both. Orders are continuous in training; validation
rounds them to whole units for integer demand, as evaluation does.

Validation episodes (``validation="validate"``, the default) are SB3's: the ``validate`` split of
the problem (:func:`gym_inventory.evaluation.split_problem`: its seed, and a dataset's validation
SKUs), so DS and SB3 validation costs of a problem are costs on the same trajectories.
``validation="training"`` draws them from the training problem with the run's seed instead: the
sweeps' choice (:mod:`agents.sweep.runner`), whose training problem is a study's pool of training
SKUs and whose held-out SKUs are the sweep's own :class:`~gym_inventory.study.Splits`.
"""
from __future__ import annotations

import copy
import math
import time

import numpy as np
import torch

from agents.ds.config import DSConfig
from agents.ds.network import OrderNetwork, default_initial_mu
from agents.ds.policy import DSPolicy
from agents.ds.run_dir import TENSORBOARD_DIR, open_run_dir, run_identity, save_checkpoint, save_policy
from agents.ds.simulation import cost_per_day, default_warmup_epochs, rollout, sample_trajectories
from agents.results import TrainResult
from gym_inventory.config import check_env_kwargs
from gym_inventory.envs import make_simulator
from gym_inventory.evaluation import default_warmup, split_problem
from gym_inventory.params import check_choice, check_int
from gym_inventory.remap import check_kind
from gym_inventory.wrappers.action_remap import mu_bounds


#: Sources of the validation episodes (:func:`train`'s ``validation``).
VALIDATION_SOURCES = ("validate", "training")


def resolve_device(device) -> torch.device:
    """``"cpu"``, ``"cuda"`` or ``"cuda:N"``; ``ValueError`` when CUDA is asked for and absent."""
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}") from None
    if resolved.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} asked for, but torch sees no CUDA device here; use --device cpu")
    return resolved


def build_network(kind: str, simulator, config: DSConfig, seed: int) -> OrderNetwork:
    """The untrained network for ``kind`` on ``simulator``'s problem, initialized from ``seed``."""
    params = simulator.params
    low, high = (bound.astype(float).tolist() for bound in mu_bounds(
        kind, params.lead_time, params.review_period, coefficient_bounds=config.coefficient_bounds,
        bias_bounds=config.bias_bounds))
    low = low if config.mu_low is None else config.mu_low
    high = high if config.mu_high is None else config.mu_high
    columns = None
    if config.observation_parts is not None:
        layout = simulator.observation_layout
        columns = [c for part in config.observation_parts for c in range(simulator.obs_dim)[layout[part]]]
        if not columns:
            raise ValueError(f"observation_parts {config.observation_parts} select no observation entries on this problem")
    initial = default_initial_mu(kind, params, low, high) if config.initial_mu is None else config.initial_mu
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return OrderNetwork(
            kind, simulator.obs_dim, mu_low=low, mu_high=high, initial_mu=initial,
            max_order=simulator.max_order, hidden_sizes=config.hidden_sizes, activation=config.activation,
            final_layer_gain=config.final_layer_gain, input_columns=columns,
        )


def validation_costs(network, batch, warmup_epochs: int, integer: bool) -> tuple[float, float]:
    """``(loss in the training loss's unit, cost per day in money)`` of ``network`` on ``batch``."""
    with torch.no_grad():
        per_day = cost_per_day(rollout(network, batch, integer=integer), batch.params, warmup_epochs)
        return float((per_day / batch.reward_unit).mean()), float(per_day.mean())


def train(
    regularization: str,
    env_kwargs: dict | None = None,
    hyperparams=None,
    *,
    seed: int = 0,
    device="cpu",
    out_dir=None,
    log=None,
    num_threads: int = 1,
    validation: str = "validate",
) -> TrainResult:
    """Train a DS policy for one regularization.

    Args:
        regularization: ``"none"``, ``"base"``, ``"coeff"`` or ``"both"``.
        env_kwargs: ``gym.make`` keyword arguments of the problem (objective ``"cost"``).
        hyperparams: a :class:`~agents.ds.config.DSConfig`, a dict of its fields, or None (defaults).
        seed: seeds the training and validation episodes, the network and the minibatches.
        device: ``"cpu"`` or ``"cuda"``.
        out_dir: a run directory (see :mod:`agents.ds.run_dir`): run.json, weights,
            checkpoints and TensorBoard logs; an interrupted run there resumes. None: nothing written.
        log: optional callable receiving one progress line per validation.
        num_threads: torch's intra-op threads while training (restored afterwards). The
            rollout is thousands of tiny operations per step, which threads only slow down
            (on a busy 2-core machine: 7.7 s with 1 thread, 61 s with 2, for 50 steps).
        validation: where the ``val_trajectories`` validation episodes come from (module
            docstring): ``"validate"`` (the problem's validate split and its seed, as SB3) or
            ``"training"`` (the training problem, drawn from ``seed``: the sweeps').
    """
    check_choice("validation", validation, VALIDATION_SOURCES)
    previous = torch.get_num_threads()
    torch.set_num_threads(check_int("num_threads", num_threads, 1))
    try:
        return _train(regularization, env_kwargs, hyperparams, seed, device, out_dir, log, validation)
    finally:
        torch.set_num_threads(previous)


def _train(regularization, env_kwargs, hyperparams, seed, device, out_dir, log, validation) -> TrainResult:
    started = time.perf_counter()
    say = log if log is not None else (lambda line: None)
    kind = check_kind(regularization)
    config = hyperparams if isinstance(hyperparams, DSConfig) else DSConfig.from_dict(hyperparams)
    env_kwargs = check_env_kwargs(dict(env_kwargs or {}), "env_kwargs")
    seed = check_int("seed", seed, 0)
    device = resolve_device(device)
    probe = make_simulator(1, **env_kwargs)  # the observation layout of the network's input, and the problem
    params = probe.params
    if params.objective != "cost":
        raise ValueError(f"DS minimizes holding + penalty cost; objective must be 'cost', got {params.objective!r}")
    warmup = default_warmup_epochs(params) if config.warmup_epochs is None else config.warmup_epochs
    if warmup >= params.horizon:
        raise ValueError(f"warmup_epochs must be < horizon={params.horizon}, got {warmup!r}")
    # validation counts the days evaluate() counts: one warm-up rule for every printed cost
    val_warmup = default_warmup(params.horizon, params.lead_time) if config.warmup_epochs is None else warmup
    integer = bool(probe.demand_model.integer)

    train_seq, val_seq, torch_seq = np.random.SeedSequence(seed).spawn(3)
    init_seed, shuffle_seed = (int(word) for word in torch_seq.generate_state(2))
    network = build_network(kind, probe, config, init_seed).to(device)
    train_set = sample_trajectories(config.train_trajectories, env_kwargs, np.random.default_rng(train_seq), device)
    if validation == "training":
        val_set = sample_trajectories(config.val_trajectories, env_kwargs, np.random.default_rng(val_seq), device)
    else:
        val_kwargs, val_seed = split_problem(env_kwargs, "validate")
        val_set = sample_trajectories(config.val_trajectories, val_kwargs, np.random.default_rng(val_seed), device)
    optimizer = torch.optim.Adam(network.parameters(), lr=config.learning_rate)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="min", factor=config.lr_factor, patience=config.lr_patience, min_lr=config.min_learning_rate
    )
    batch_size = min(config.batch_size, config.train_trajectories)
    shuffler = torch.Generator().manual_seed(shuffle_seed)
    state = {"step": 0, "best_val": math.inf, "best_step": 0, "bad_evals": 0, "history": [], "queue": []}
    writer = None
    run = None
    if out_dir is not None:
        from torch.utils.tensorboard import SummaryWriter

        run = dict(run_identity(kind, env_kwargs, config.to_dict(), seed), network=network.config, integer=integer,
                   warmup_epochs=warmup)
        saved = open_run_dir(out_dir, run)
        if saved is not None:
            network.load_state_dict(saved["network"])
            optimizer.load_state_dict(saved["optimizer"])
            scheduler.load_state_dict(saved["scheduler"])
            shuffler.set_state(saved["shuffler"])
            state = saved["state"]
            say(f"resuming from the checkpoint at step {state['step']}")
        writer = SummaryWriter(f"{out_dir}/{TENSORBOARD_DIR}", purge_step=state["step"] or None)
    best_weights = copy.deepcopy(network.state_dict()) if "best_weights" not in state else state.pop("best_weights")

    def validate():
        network.eval()
        val_loss, val_cost = validation_costs(network, val_set, val_warmup, integer)
        network.train()
        scheduler.step(val_loss)
        step = state["step"]
        improved = val_loss < state["best_val"]
        if improved:
            state.update(best_val=val_loss, best_step=step, bad_evals=0)
            best_weights.update(copy.deepcopy(network.state_dict()))
        else:
            state["bad_evals"] += 1
        lr = optimizer.param_groups[0]["lr"]
        state["history"].append({"step": step, "val_loss": val_loss, "val_cost_per_day": val_cost, "learning_rate": lr})
        if writer is not None:
            writer.add_scalar("inventory/val_cost_per_day", val_cost, step)
            writer.add_scalar("inventory/val_loss", val_loss, step)
            writer.add_scalar("inventory/learning_rate", lr, step)
            save_checkpoint(out_dir, {
                "network": network.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), "shuffler": shuffler.get_state(),
                "state": dict(state, best_weights=best_weights),
            })
        say(f"step {step:5d}  validation cost/day {val_cost:.4f}  lr {lr:.2e}" + ("  *" if improved else ""))

    if not state["history"]:
        validate()
    stopped_early = state["bad_evals"] > config.patience
    while state["step"] < config.max_steps and not stopped_early:
        if len(state["queue"]) < batch_size:  # a fresh shuffled pass over the training set
            state["queue"] = state["queue"] + torch.randperm(config.train_trajectories, generator=shuffler).tolist()
        index, state["queue"] = state["queue"][:batch_size], state["queue"][batch_size:]
        batch = train_set.select(torch.tensor(index, device=device))
        per_day = cost_per_day(rollout(network, batch), params, warmup)
        loss = (per_day / batch.reward_unit).mean()
        optimizer.zero_grad()
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(network.parameters(), config.max_grad_norm)
        optimizer.step()
        state["step"] += 1
        if writer is not None:
            writer.add_scalar("inventory/train_cost_per_day", float(per_day.detach().mean()), state["step"])
            writer.add_scalar("inventory/train_loss", float(loss.detach()), state["step"])
            writer.add_scalar("inventory/grad_norm", float(grad_norm), state["step"])
        if state["step"] % config.eval_every == 0 or state["step"] == config.max_steps:
            validate()
            stopped_early = state["bad_evals"] > config.patience

    network.load_state_dict(best_weights)
    network.eval()
    train_cost = validation_costs(network, train_set, val_warmup, integer)[1]
    history = state["history"]
    best = next(h for h in history if h["step"] == state["best_step"])
    result = TrainResult(
        policy=DSPolicy(network, integer=integer, device=device), history=history, best_step=state["best_step"],
        best_cost=best["val_cost_per_day"], train_cost=train_cost, initial_cost=history[0]["val_cost_per_day"], steps=state["step"],
        stopped_early=stopped_early, wall_time_s=time.perf_counter() - started,
    )
    if writer is not None:
        writer.close()
        save_policy(out_dir, network, dict(run, result={
            "best_step": result.best_step, "best_val_cost_per_day": result.best_val_cost,
            "train_cost_per_day": result.train_cost,
            "initial_val_cost_per_day": result.initial_val_cost, "steps": result.steps,
            "stopped_early": stopped_early, "wall_time_s": result.wall_time_s,
        }))
    return result
