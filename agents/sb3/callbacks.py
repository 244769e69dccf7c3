"""Training callbacks: validation on SKU trajectories (best model, early stop) and periodic checkpoints.

Both act at the start of a rollout (SB3's ``on_rollout_start``): the policy has just
been updated and, for off-policy algorithms, every transition collected so far is in
the replay buffer, so a checkpoint taken there is a consistent state to resume from.
"""
from __future__ import annotations

import copy
import math
from typing import Callable

from stable_baselines3.common.callbacks import BaseCallback

from gym_inventory.evaluation import evaluate
from gym_inventory.params import check_int

#: Metrics of :class:`gym_inventory.evaluation.Evaluation` logged under ``inventory/``.
LOGGED_METRICS = ("cost", "ci", "fill_rate", "stockout_rate", "turnover_time")


class ValidationCallback(BaseCallback):
    """Every ``eval_freq`` env steps, evaluate the deterministic policy on the validation trajectories.

    The trained model is scored as a :class:`gym_inventory.policy.Policy` (built by
    ``make_policy(model)``, e.g. :class:`agents.sb3.policy.SB3Policy`) with
    :func:`gym_inventory.evaluate` on ``n_trajectories`` trajectories of ``horizon``
    epochs drawn from ``seed`` -- the same trajectories at every validation. Logged
    through ``self.logger.record`` (so TensorBoard gets them): ``inventory/val_cost``
    (money per day), ``inventory/val_ci``, ``inventory/gap_to_best_classical_pct``
    (100 x (cost / reference_cost - 1)), ``inventory/fill_rate``,
    ``inventory/stockout_rate``, ``inventory/turnover_time`` (days) and
    ``inventory/best_val_cost``.

    The weights with the lowest validation cost (and the observation-normalization
    statistics of that moment) are kept in ``best_weights``/``best_obs_rms``; with
    ``patience`` set, training stops after that many validations without improvement
    (ARS's loop does not read callbacks' answers: :func:`agents.sb3.train.train` then
    learns in chunks of ``eval_freq`` steps, setting ``validate_at_end`` False for them,
    and stops between chunks).

    Args:
        make_policy: ``model -> Policy``.
        env_kwargs: ``gym.make`` keyword arguments of the validation problem.
        eval_freq: env steps between validations (one also runs at the start and at the end).
        n_trajectories, horizon, seed: the validation set (``horizon`` None: the env's).
        reference_cost: cost per day of the best classical policy on the same set, or None.
        patience: validations without improvement before stopping; None: never stop early.
        state: a ``state`` dict saved from an earlier run of this callback (resuming).
        log: optional callable receiving one line per validation.
    """

    def __init__(self, make_policy: Callable, env_kwargs: dict, *, eval_freq: int, n_trajectories: int = 128,
                 horizon: int | None = None, seed: int = 0, reference_cost: float | None = None,
                 patience: int | None = None, state: dict | None = None, log: Callable | None = None):
        super().__init__()
        self.make_policy = make_policy
        self.env_kwargs = dict(env_kwargs)
        self.eval_freq = check_int("eval_freq", eval_freq, 1)
        self.evaluate_options = dict(n_trajectories=n_trajectories, horizon=horizon, seed=seed)
        self.reference_cost = reference_cost
        self.patience = None if patience is None else check_int("patience", patience, 0)
        self.log = log
        self.state = state or {"history": [], "best_cost": math.inf, "best_step": None, "bad_evals": 0, "next_eval": 0}
        if self.state["best_cost"] is None:  # a checkpoint stores an infinite cost as null (strict JSON)
            self.state["best_cost"] = math.inf
        self.best_weights = None
        self.best_obs_rms = None
        self.policy = None
        self.validate_at_end = True

    @property
    def stopped_early(self) -> bool:
        return self.patience is not None and self.state["bad_evals"] > self.patience

    def _init_callback(self) -> None:
        self.policy = self.make_policy(self.model)

    def _on_step(self) -> bool:
        return not self.stopped_early

    def _on_rollout_start(self) -> None:
        if self.num_timesteps >= self.state["next_eval"]:
            self.validate()

    def _on_training_end(self) -> None:
        if self.validate_at_end:
            self.finish()

    def finish(self) -> None:
        """The validation at the end of training (none when the last one ran at this step)."""
        history = self.state["history"]
        if not history or history[-1]["step"] != self.num_timesteps:
            self.validate()

    def validate(self) -> dict:
        """Evaluate now, log, keep the best weights; returns the record added to ``state["history"]``."""
        step = self.num_timesteps
        result = evaluate(self.policy, self.env_kwargs, **self.evaluate_options)
        record = {"step": step, **{name: getattr(result, name) for name in LOGGED_METRICS}}
        if self.reference_cost is not None and self.reference_cost > 0:
            record["gap_pct"] = 100.0 * (result.cost / self.reference_cost - 1.0)
        improved = result.cost < self.state["best_cost"]
        if improved:
            self.state.update(best_cost=result.cost, best_step=step, bad_evals=0)
            self.best_weights = copy.deepcopy(self.model.policy.state_dict())
            normalizer = self.model.get_vec_normalize_env()
            self.best_obs_rms = None if normalizer is None else copy.deepcopy(normalizer.obs_rms)
        else:
            self.state["bad_evals"] += 1
        self.state["history"].append(record)
        self.state["next_eval"] = (step // self.eval_freq + 1) * self.eval_freq
        for name in LOGGED_METRICS:
            self.logger.record(f"inventory/{'val_' if name in ('cost', 'ci') else ''}{name}", record[name])
        if "gap_pct" in record:
            self.logger.record("inventory/gap_to_best_classical_pct", record["gap_pct"])
        self.logger.record("inventory/best_val_cost", self.state["best_cost"])
        self.logger.dump(step)
        if self.log is not None:
            gap = f"  gap {record['gap_pct']:+.2f}%" if "gap_pct" in record else ""
            self.log(f"step {step:8d}  validation cost/day {result.cost:.4f} (+-{result.ci:.4f}){gap}"
                     f"  fill rate {result.fill_rate:.3f}" + ("  *" if improved else ""))
        return record

    def restore_best(self) -> None:
        """Load the best weights (and normalization statistics) into the model."""
        if self.best_weights is None:
            return
        self.model.policy.load_state_dict(self.best_weights)
        normalizer = self.model.get_vec_normalize_env()
        if normalizer is not None and self.best_obs_rms is not None:
            normalizer.obs_rms = copy.deepcopy(self.best_obs_rms)
        if hasattr(self.model, "weights") and hasattr(self.model, "n_delta"):  # ARS keeps a flat copy
            import torch

            self.model.weights = torch.nn.utils.parameters_to_vector(self.model.policy.parameters()).detach()


class CheckpointCallback(BaseCallback):
    """Every ``save_freq`` env steps (at the start of a rollout), call ``save(model)``.

    ``start`` is the step count the run resumes from (no checkpoint is due before
    ``start + save_freq``).
    """

    def __init__(self, save: Callable, save_freq: int, start: int = 0):
        super().__init__()
        self.save = save
        self.save_freq = check_int("save_freq", save_freq, 1)
        self.next_save = (start // self.save_freq + 1) * self.save_freq

    def _on_step(self) -> bool:
        return True

    def _on_rollout_start(self) -> None:
        if self.num_timesteps >= self.next_save:
            self.save(self.model)
            self.next_save = (self.num_timesteps // self.save_freq + 1) * self.save_freq
