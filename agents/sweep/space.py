"""Search spaces of the sweeps: YAML files shipped in ``agents/search_spaces/<algo>.yml``.

A file holds::

    budget: 300                 # default --timesteps: env steps (SB3) or gradient steps (DS)
    fixed:                      # hyperparameters every trial uses, on top of the algorithm's defaults
      patience: 30
    search:                     # one Optuna distribution per hyperparameter
      learning_rate: {type: float, low: 4.0e-4, high: 0.1, log: true}
      batch_size: {type: categorical, choices: [5, 10]}
      net_width: {type: int, low: 32, high: 128, log: true}

``type`` is ``float`` or ``int`` (``low``, ``high``, optional ``log`` or ``step``) or
``categorical`` (``choices``). Two names are translated for every algorithm
(:func:`translate`):

* ``net_width``: the width of every hidden layer (``net_depth`` layers, 2 unless
  ``fixed`` says otherwise): DS ``hidden_sizes``, SB3 ``policy_kwargs.net_arch``;
* ``initial_action_bias``: where the untrained policy starts, as a fraction of the
  upper bound of its raw action mu (:func:`agents.ds.default_mu_bounds`): the order
  (none) or order-up-to level (base) in units of the SKU's scale, or the coefficient
  on the 7-day forecast (coeff, both; the other coefficients start at 0). With
  ``initial_action_bias_of: order_cap`` (the study's spaces) it is mapped as the
  authors' code does: the untrained order (none), order-up-to level (base) or Coeff/Both
  bias is the fraction times the order cap ``max_order`` in units (their DS fills the
  output bias with ``initial_action_bias x max_replenish``), i.e. mu = fraction x
  max_order / scale with the training SKUs' mean scale, and every demand-feature
  coefficient starts at the fraction of its range (their RL sets every output of the
  [0, 1] action box to the fraction: ``clip(c, 0, 1) = fraction``, 28 x fraction here).
  Their DS's coefficients start at f x 100, clipped to 1 where their clip passes no
  gradient; the package starts DS like their RL (a documented difference), and their
  RL's bias starts at ``fraction`` units (its box is [0, 1]) where the package uses
  the DS mapping. The bounds are the regularization's (``coefficient_bounds``,
  ``bias_bounds``, from ``fixed`` or ``regularization_options``).

* ``lr_min`` (SB3 algorithms): the learning rate decays linearly from ``learning_rate`` to
  ``lr_min`` over the first ``lr_fraction`` (default 1) of training, then stays there, and
  ``clip_range_decay`` (PPO-family) takes the clip range linearly to ``clip_range_decay``
  times its value over the same fraction: the authors' ``get_linear_fn(learning_rate,
  lr_min, lr_fraction)`` and ``get_linear_fn(clip_range, 0.5 clip_range, lr_fraction)``
  (written as the schedules of :data:`agents.sb3.algorithms.SCHEDULED`).

Every other name is a hyperparameter of the algorithm, checked by its trainer.
"""
from __future__ import annotations

import os

import optuna

from gym_inventory.params import check_int

SPACE_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "search_spaces")
SPECIAL = ("net_width", "net_depth", "initial_action_bias", "initial_action_bias_of", "lr_min", "lr_fraction",
           "clip_range_decay")
#: ``initial_action_bias_of`` values: ``"mu_range"`` (default) or ``"order_cap"`` (the authors' mapping).
BIAS_MAPPINGS = ("mu_range", "order_cap")
_TYPES = ("float", "int", "categorical")


def space_file(algo: str) -> str:
    """The shipped search-space file of ``algo``."""
    return os.path.join(SPACE_DIR, f"{algo}.yml")


#: The study's own search spaces (the authors' ranges, for the study's presets): ``study/<algo>.yml``.
STUDY_SPACE_DIR = os.path.join(SPACE_DIR, "study")
STUDY_ALGORITHMS = ("ds", "ddpg", "ppo")


def study_space_file(algo: str) -> str:
    """The study's search-space file of ``algo`` (``"ds"``, ``"ddpg"`` or ``"ppo"``)."""
    if algo not in STUDY_ALGORITHMS:
        raise ValueError(f"the study searched {list(STUDY_ALGORITHMS)}, got {algo!r}")
    return os.path.join(STUDY_SPACE_DIR, f"{algo}.yml")


def shipped_algorithms() -> list[str]:
    """Algorithms with a shipped search space."""
    return sorted(name[:-4] for name in os.listdir(SPACE_DIR) if name.endswith(".yml"))


def load_space(path) -> dict:
    """Read and check a search-space YAML; returns ``{"budget", "fixed", "search"}`` (``ValueError`` if wrong)."""
    from agents.sb3.algorithms import read_yaml

    return check_space(read_yaml(path, "search space"), f"search space {os.fspath(path)!r}")


def check_space(data, source: str = "search space") -> dict:
    """Validate a search-space mapping (see the module docstring)."""
    if not isinstance(data, dict):
        raise ValueError(f"{source} must be a mapping with 'search' (and optional 'fixed', 'budget'), got {data!r}")
    unknown = sorted(set(data) - {"budget", "fixed", "search"})
    if unknown:
        raise ValueError(f"{source} has unknown top-level keys {unknown}; known: ['budget', 'fixed', 'search']")
    fixed = data.get("fixed") or {}
    search = data.get("search") or {}
    if not isinstance(fixed, dict) or not isinstance(search, dict) or not search:
        raise ValueError(f"{source}: 'fixed' must be a mapping and 'search' a non-empty mapping")
    overlap = sorted(set(fixed) & set(search))
    if overlap:
        raise ValueError(f"{source}: {overlap} are both fixed and searched")
    for name, entry in search.items():
        distribution(name, entry, source)
    budget = data.get("budget")
    return {"budget": None if budget is None else check_int("budget", budget, 1), "fixed": dict(fixed), "search": dict(search)}


def distribution(name: str, entry, source: str = "search space") -> optuna.distributions.BaseDistribution:
    """The Optuna distribution of one ``search`` entry."""
    if not isinstance(entry, dict) or entry.get("type") not in _TYPES:
        raise ValueError(f"{source}: {name} must be a mapping with type one of {list(_TYPES)}, got {entry!r}")
    kind = entry["type"]
    allowed = {"float": {"type", "low", "high", "log", "step"}, "int": {"type", "low", "high", "log", "step"},
               "categorical": {"type", "choices"}}[kind]
    extra = sorted(set(entry) - allowed)
    if extra:
        raise ValueError(f"{source}: {name} ({kind}) has unknown keys {extra}; allowed: {sorted(allowed)}")
    try:
        if kind == "categorical":
            choices = entry.get("choices")
            if not isinstance(choices, list) or not choices:
                raise ValueError("choices must be a non-empty list")
            return optuna.distributions.CategoricalDistribution(choices)
        if "low" not in entry or "high" not in entry:
            raise ValueError("low and high are required")
        options = {k: entry[k] for k in ("log", "step") if k in entry}
        if kind == "int":
            return optuna.distributions.IntDistribution(int(entry["low"]), int(entry["high"]), **options)
        return optuna.distributions.FloatDistribution(float(entry["low"]), float(entry["high"]), **options)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{source}: {name}: {error}") from None


def suggest(trial: optuna.Trial, space: dict) -> dict:
    """Sample every ``search`` entry of ``space`` through ``trial``; returns name -> value."""
    values = {}
    for name, entry in space["search"].items():
        dist = distribution(name, entry)
        if isinstance(dist, optuna.distributions.CategoricalDistribution):
            values[name] = trial.suggest_categorical(name, dist.choices)
        elif isinstance(dist, optuna.distributions.IntDistribution):
            values[name] = trial.suggest_int(name, dist.low, dist.high, step=dist.step, log=dist.log)
        else:
            values[name] = trial.suggest_float(name, dist.low, dist.high, step=dist.step, log=dist.log)
    return values


def corner(space: dict) -> dict:
    """One point of the space (low ends, first choices), to check a space before a sweep starts."""
    values = {}
    for name, entry in space["search"].items():
        dist = distribution(name, entry)
        values[name] = dist.choices[0] if isinstance(dist, optuna.distributions.CategoricalDistribution) else dist.low
    return values


def translate(algo: str, kind: str, values: dict, env_kwargs: dict, policy_kwargs: dict | None = None) -> dict:
    """Hyperparameters for ``algo``'s trainer from ``fixed`` + sampled ``values`` (special names translated).

    Args:
        algo: ``"ds"`` or an SB3 / sb3-contrib algorithm name.
        kind: the regularization (decides the shape of ``initial_action_bias``).
        values: fixed and sampled values, by name.
        env_kwargs: the training problem (decides mu's bounds).
        policy_kwargs: the algorithm's default ``policy_kwargs``, kept beside a searched ``net_arch``.
    """
    from agents.ds import default_initial_mu
    from gym_inventory.evaluation import problem_of
    from gym_inventory.features import FEATURE_NAMES
    from gym_inventory.remap import regularization
    from gym_inventory.wrappers.action_remap import mu_bounds

    hyper = {k: v for k, v in values.items() if k not in SPECIAL}
    depth = check_int("net_depth", values.get("net_depth", 2), 1)
    if "net_width" in values:
        layers = [check_int("net_width", values["net_width"], 1)] * depth
        if algo == "ds":
            hyper["hidden_sizes"] = layers
        else:
            hyper["policy_kwargs"] = dict(hyper.get("policy_kwargs") or policy_kwargs or {}, net_arch=layers)
    if "lr_min" in values or "clip_range_decay" in values:
        _schedules(algo, values, hyper)
    if "initial_action_bias" in values:
        fraction = float(values["initial_action_bias"])
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"initial_action_bias must be a fraction in (0, 1), got {fraction!r}")
        mapping = values.get("initial_action_bias_of", "mu_range")
        if mapping not in BIAS_MAPPINGS:
            raise ValueError(f"initial_action_bias_of must be one of {list(BIAS_MAPPINGS)}, got {mapping!r}")
        problem = problem_of(env_kwargs)
        params = problem.params
        per_feature = regularization(kind).per_feature
        options = values.get("regularization_options") or values  # SB3: nested; DS: top-level
        low, high = (b.astype(float).tolist() for b in mu_bounds(
            kind, params.lead_time, params.review_period, coefficient_bounds=options.get("coefficient_bounds"),
            bias_bounds=options.get("bias_bounds")))
        if mapping == "order_cap":
            # the authors: the untrained order (none) or target (base) and the Coeff/Both bias are the
            # fraction x max_replenish units; every demand-feature coefficient is the fraction of its range
            mu = [lo + fraction * (hi - lo) for lo, hi in zip(low, high)]
            mu[-1] = fraction * problem.max_order / _mean_scale(env_kwargs)
            if not low[-1] < mu[-1] < high[-1]:
                raise ValueError(f"initial_action_bias={fraction!r} x max_order={problem.max_order:g} lies outside "
                                 f"mu's bounds [{low[-1]:g}, {high[-1]:g}] (in units of the scale) for {kind!r}")
        else:
            # the registry's initial mu, its leading entry (none/base) or forecast coefficient at the fraction
            mu = default_initial_mu(kind, params, low, high)
            lead = FEATURE_NAMES.index("forecast_next_7") if per_feature else 0
            mu[lead] = fraction * high[lead]
        hyper["initial_mu"] = mu
    return hyper


def _schedules(algo: str, values: dict, hyper: dict) -> None:
    """Write ``lr_min`` / ``clip_range_decay`` (with ``lr_fraction``) into ``hyper`` as linear schedules."""
    from gym_inventory.params import check_real

    if algo == "ds":
        raise ValueError("lr_min and clip_range_decay are SB3 schedules; DS decays its learning rate with lr_factor")
    fraction = check_real("lr_fraction", values.get("lr_fraction", 1.0), 0.0, strict=True)
    if "lr_min" in values:
        if "learning_rate" not in values:
            raise ValueError("lr_min needs a learning_rate to decay from (fixed or searched)")
        hyper["learning_rate"] = {"initial": check_real("learning_rate", values["learning_rate"], 0.0, strict=True),
                                  "final": check_real("lr_min", values["lr_min"], 0.0, strict=True),
                                  "end_fraction": fraction}
    if "clip_range_decay" in values:
        if "clip_range" not in values:
            raise ValueError("clip_range_decay needs a clip_range to decay from (fixed or searched)")
        clip = check_real("clip_range", values["clip_range"], 0.0, strict=True)
        decay = check_real("clip_range_decay", values["clip_range_decay"], 0.0, strict=True)
        hyper["clip_range"] = {"initial": clip, "final": clip * decay, "end_fraction": fraction}


def _mean_scale(env_kwargs: dict) -> float:
    """The mean scale (units per day) of the training problem's SKUs: a pool's own SKUs, else 64 drawn ones."""
    import numpy as np

    from gym_inventory.envs import make_simulator

    pool = (env_kwargs.get("demand_kwargs") or {}).get("n_skus") if env_kwargs.get("demand") == "sku_pool" else None
    simulator = make_simulator(pool or 64, **env_kwargs)
    simulator.reset(np.random.default_rng(0))
    return float(np.mean(simulator.scale))
