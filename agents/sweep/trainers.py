"""One training run of a sweep trial, for DS or any algorithm of :func:`agents.train`, as a policy.

Every trainer receives the training problem (gym.make kwargs of the training SKU pool),
hyperparameters, a budget and a seed, and returns a
:class:`gym_inventory.policy.Policy` that the sweep evaluates on the validation and
test SKUs with :func:`gym_inventory.evaluate`, whatever the method.

Learning or initialization? Both trainers validate the untrained policy at step 0 and keep
the best validation; ``info`` records ``best_step`` (the step at which the kept policy was
found: 0 means the untrained policy was never beaten), ``initial_cost`` (the validation cost
at step 0) and ``kept_cost`` (the kept policy's), both on the trainer's validation episodes.
"""
from __future__ import annotations

DS = "ds"


def check_hyperparams(algo: str, hyperparams: dict) -> None:
    """Raise ``ValueError`` when ``hyperparams`` do not fit ``algo`` (before any worker starts)."""
    if algo == DS:
        from agents.ds import DSConfig

        DSConfig.from_dict(hyperparams, f"hyperparameters of the {algo} sweep")
        return
    from agents.sb3.algorithms import load_hyperparams

    load_hyperparams(algo, hyperparams)


def default_hyperparams(algo: str) -> dict:
    """The algorithm's shipped defaults (``agents/hyperparams/<algo>.yml``)."""
    if algo == DS:
        from agents.ds import load_hyperparams

        return load_hyperparams().to_dict()
    from agents.sb3.algorithms import load_hyperparams

    return load_hyperparams(algo)


def train_policy(algo: str, kind: str, env_kwargs: dict, hyperparams: dict, *, budget: int, seed: int,
                 log_dir=None) -> tuple:
    """Train one policy; return ``(policy, info)`` with ``info`` a JSON-ready dict of the run's facts.

    ``info``'s costs are :class:`agents.results.TrainResult`'s, one meaning for every trainer:
    ``kept_cost`` and ``initial_cost`` on the trainer's validation episodes (the kept and the
    untrained policy), ``train_cost`` the kept policy on the training episodes (None for SB3,
    which does not measure it).

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

        # validation="training": early stopping on the training pool (the sweep's Splits hold the other SKUs)
        result = train(kind, env_kwargs, dict(hyperparams, max_steps=budget), seed=seed, out_dir=log_dir,
                       validation="training")
        return result.policy, {"steps": result.steps, "best_step": result.best_step,
                               "stopped_early": result.stopped_early, "train_cost": result.train_cost,
                               "initial_cost": result.initial_cost, "kept_cost": result.best_cost}
    from agents.sb3.train import train

    # reference=False: the sweep compares with its own reference, once, not at every trial.
    result = train(algo, kind, env_kwargs, hyperparams, total_timesteps=budget, seed=seed, log_dir=log_dir,
                   reference=False)
    # best_cost: the validation inside training, on the training pool's SKUs.
    initial = next((record["cost"] for record in result.history if record["step"] == 0), result.initial_cost)
    return result.policy, {"steps": result.steps, "best_step": result.best_step,
                           "stopped_early": result.stopped_early, "train_cost": result.train_cost,
                           "initial_cost": initial, "kept_cost": result.best_cost}
