"""One training run of a sweep trial, for DS or any algorithm of :func:`agents.train`, as a policy.

Every trainer receives the training problem (gym.make kwargs of the training SKU pool),
hyperparameters, a budget and a seed, and returns a
:class:`gym_inventory.policy.Policy` that the sweep evaluates on the validation and
test SKUs with :func:`gym_inventory.evaluate`, whatever the method.
"""
from __future__ import annotations

import importlib

DS = "ds"


def sb3_available() -> bool:
    """True once the SB3 side (``agents.train`` and its policy adapter) is installed in this checkout."""
    return importlib.util.find_spec("agents.train") is not None or hasattr(importlib.import_module("agents"), "train")


def check_hyperparams(algo: str, kind: str, hyperparams: dict, env_kwargs: dict) -> None:
    """Raise ``ValueError`` when ``hyperparams`` do not fit ``algo`` (before any worker starts)."""
    if algo == DS:
        from agents.ds import DSConfig

        DSConfig.from_dict(hyperparams, f"hyperparameters of the {algo} sweep")
        return
    agents = _sb3()
    agents.check_hyperparams(algo, hyperparams)


def train_policy(algo: str, kind: str, env_kwargs: dict, hyperparams: dict, *, budget: int, seed: int,
                 log_dir=None) -> tuple:
    """Train one policy; return ``(policy, info)`` with ``info`` a JSON-ready dict of the run's facts.

    Args:
        algo: ``"ds"`` or an algorithm name of :func:`agents.train`.
        kind: the regularization.
        env_kwargs: the training problem.
        hyperparams: the algorithm's hyperparameters (already translated).
        budget: gradient steps (DS) or environment steps (SB3).
        seed: the run's seed.
        log_dir: the run directory (TensorBoard, checkpoints, the trained policy); None: nothing written.
    """
    if algo == DS:
        from agents.ds import train

        result = train(kind, env_kwargs, dict(hyperparams, max_steps=budget), seed=seed, out_dir=log_dir)
        info = {"steps": result.steps, "best_step": result.best_step, "stopped_early": result.stopped_early,
                "train_cost": result.train_cost}
        return result.policy, info
    agents = _sb3()
    model, record = agents.train(algo, kind, env_kwargs, hyperparams, total_timesteps=budget, seed=seed,
                                 log_dir=log_dir)
    return agents.policy_from_model(model, env_kwargs, regularization=kind), _json_ready(record)


def _sb3():
    agents = importlib.import_module("agents")
    if not hasattr(agents, "train"):
        raise ValueError("SB3 algorithms need agents.train (the agents issue), which this checkout does not have yet; use --algo ds")
    return agents


def _json_ready(record) -> dict:
    if isinstance(record, dict):
        return {str(k): v for k, v in record.items() if isinstance(v, (int, float, str, bool, type(None)))}
    return {}
