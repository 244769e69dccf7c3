"""Hyperparameters of the DS trainer: one frozen, validated dataclass, mirrored by ``agents/hyperparams/ds.yml``."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

from agents.ds.network import ACTIVATIONS
from gym_inventory.config import read_yaml
from gym_inventory.params import check_choice, check_int, check_real

#: Names of the parts of the env's observation (``InventorySimulator.observation_layout``).
OBSERVATION_PARTS = ("pipeline", "features", "static", "dynamic")
#: The shipped default file (its values equal :class:`DSConfig`'s defaults).
DEFAULT_HYPERPARAMS_FILE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "hyperparams", "ds.yml")


@dataclass(frozen=True)
class DSConfig:
    """Hyperparameters of :func:`agents.ds.train` (counts are trajectories, gradient steps or evaluations).

    Attributes:
        train_trajectories: training episodes, drawn once and reused (the DS data budget).
        val_trajectories: validation episodes, drawn once, for early stopping and the LR schedule.
        batch_size: training episodes per gradient step (capped at ``train_trajectories``);
            minibatches run through shuffled passes over the training set.
        max_steps: gradient steps at most.
        eval_every: gradient steps between validations (and checkpoints).
        patience: validations without improvement before stopping early.
        learning_rate: Adam's initial learning rate.
        lr_factor: ReduceLROnPlateau's factor on the validation cost.
        lr_patience: validations without improvement before the learning rate drops.
        min_learning_rate: floor of the learning-rate schedule.
        max_grad_norm: gradients are clipped to this global norm.
        warmup_epochs: order epochs excluded from the loss and the validation cost at the
            start of every episode; None: the loss leaves out ``lead_time // review_period``
            epochs (days no order can reach) and the validation cost the warm-up of
            :func:`gym_inventory.evaluation.evaluate` (``default_warmup``), so DS validation
            costs are comparable with ``evaluate`` and SB3 validation.
        hidden_sizes: widths of the MLP's hidden layers.
        activation: ``"elu"``, ``"relu"`` or ``"tanh"``.
        mu_low, mu_high: bounds of mu (a number or one per entry); None: the defaults of
            :mod:`agents.ds.network`.
        coefficient_bounds: ``[low, high]`` of the demand-feature coefficients (coeff, both);
            None: the regularization's default (non-negative). Not with ``mu_low``/``mu_high``.
        bias_bounds: ``[low, high]`` of the bias coefficient (coeff, both); None: the default.
        initial_mu: the untrained policy's mu (initial action bias); None: the default of
            :mod:`agents.ds.network`.
        final_layer_gain: factor on the final layer's initial weights.
        observation_parts: the parts of the env's observation the network reads, names of
            ``observation_layout`` (``"pipeline"``, ``"features"``, ``"static"``, ``"dynamic"``);
            None: all. ``["pipeline"]``: the inventory pipeline only, what a base-stock
            policy sees. With the env's ``forecast_source="realized"`` the forecast
            features are future demand (an oracle); leaving out ``"features"`` hides them.
    """

    train_trajectories: int = 512
    val_trajectories: int = 512
    batch_size: int = 64
    max_steps: int = 1500
    eval_every: int = 25
    patience: int = 24
    learning_rate: float = 3e-3
    lr_factor: float = 0.5
    lr_patience: int = 4
    min_learning_rate: float = 1e-5
    max_grad_norm: float = 1.0
    warmup_epochs: int | None = None
    hidden_sizes: tuple = (64, 64)
    activation: str = "elu"
    mu_low: float | list | None = None
    mu_high: float | list | None = None
    coefficient_bounds: list | None = None
    bias_bounds: list | None = None
    initial_mu: float | list | None = None
    final_layer_gain: float = 0.01
    observation_parts: list | None = None

    def __post_init__(self):
        set_ = object.__setattr__
        for name in ("train_trajectories", "val_trajectories", "batch_size", "max_steps", "eval_every"):
            set_(self, name, check_int(name, getattr(self, name), 1))
        for name in ("patience", "lr_patience"):
            set_(self, name, check_int(name, getattr(self, name), 0))
        set_(self, "learning_rate", check_real("learning_rate", self.learning_rate, 0.0, strict=True))
        set_(self, "lr_factor", check_real("lr_factor", self.lr_factor, 0.0, strict=True))
        if self.lr_factor >= 1.0:
            raise ValueError(f"lr_factor must be < 1, got {self.lr_factor!r}")
        set_(self, "min_learning_rate", check_real("min_learning_rate", self.min_learning_rate, 0.0))
        set_(self, "max_grad_norm", check_real("max_grad_norm", self.max_grad_norm, 0.0, strict=True))
        if self.warmup_epochs is not None:
            set_(self, "warmup_epochs", check_int("warmup_epochs", self.warmup_epochs, 0))
        if not isinstance(self.hidden_sizes, (list, tuple)):
            raise TypeError(f"hidden_sizes must be a list of positive integers, got {self.hidden_sizes!r}")
        set_(self, "hidden_sizes", tuple(check_int("hidden_sizes", w, 1) for w in self.hidden_sizes))
        check_choice("activation", self.activation, tuple(ACTIVATIONS))
        set_(self, "final_layer_gain", check_real("final_layer_gain", self.final_layer_gain, 0.0))
        if self.observation_parts is not None:
            parts = self.observation_parts
            if not isinstance(parts, (list, tuple)) or not parts:
                raise TypeError(f"observation_parts must be a non-empty list of {list(OBSERVATION_PARTS)} or null, got {parts!r}")
            set_(self, "observation_parts", [check_choice("observation_parts", part, OBSERVATION_PARTS) for part in parts])
        for name in ("coefficient_bounds", "bias_bounds"):
            value = getattr(self, name)
            if value is not None and (self.mu_low is not None or self.mu_high is not None):
                raise ValueError(f"give mu_low/mu_high or {name}, not both (got {name}={value!r})")
        for name in ("mu_low", "mu_high", "initial_mu", "coefficient_bounds", "bias_bounds"):
            value = getattr(self, name)
            if isinstance(value, tuple):
                set_(self, name, list(value))

    @classmethod
    def from_dict(cls, values, source: str = "hyperparams") -> "DSConfig":
        """Build from a mapping; unknown keys raise ``ValueError`` naming them and ``source``."""
        if values is None:
            values = {}
        if not isinstance(values, dict):
            raise ValueError(f"{source} must be a mapping of DS hyperparameters, got {values!r}")
        known = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"{source} has unknown DS hyperparameters {unknown}; known: {known}")
        return cls(**values)

    def to_dict(self) -> dict:
        """Plain JSON/YAML values (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    def replace(self, **changes) -> "DSConfig":
        return dataclasses.replace(self, **changes)


def load_hyperparams(path=None) -> DSConfig:
    """Read a YAML of DS hyperparameters (missing keys take the defaults); None: the shipped defaults."""
    path = DEFAULT_HYPERPARAMS_FILE if path is None else os.fspath(path)
    return DSConfig.from_dict(read_yaml(path, "hyperparameter file"), f"hyperparameter file {path!r}")
