"""The study's synthetic settings: presets, train/validation/test splits and reference costs.

Following the public experiment code of DeepStock (Xie et al., arXiv 2603.19621):
a review period of 2 days, a lead time of 1 day, backlogged demand, cost weights
0.1 on overage and 0.9 on underage (``holding_cost=0.1``, ``penalty_cost=0.9``), few
training SKUs and 100 test SKUs. Orders are credited with the P days they control
(``reward_timing="lead_time_window"``, the authors' look-ahead reward).

========== ============================================================ ======== ========= =====================
name       demand                                                       horizon  train SKUs reference
========== ============================================================ ======== ========= =====================
setting1   independent non-stationary: level ~ N(10, 4) clipped, + U(0, 5) 16     10        best classical
setting2   AR(1): phi U(0.3, 0.9), base U(5, 10), noise sd U(2, 8), 8-day   16     5         best classical
           warm-up; noisy forecast features (``forecast_noise=0.2``)
setting3   the same AR(1) with perfect forecast features (noise 0)      16       5         best classical
setting4   normal, mean 100, per-SKU sd U(5, 20), demand on alternate   16       10        critical fractile
           days (2..64 epochs: ``get_setting("setting4", horizon=H)``)
========== ============================================================ ======== ========= =====================

Forecast features (``forecast_source="realized"`` in every setting, as in the authors'
code; the env's default is ``"expected"``): ``forecast_next_7`` and ``forecast_next_28``
are the means of the *realized* demand of the next 7 and 28 days, times ``1 + 0.2 e``
(the study's "noisy means"; setting 3: noise 0, perfect foresight of those means). They
are an oracle with noise: a policy reading them sees the future. In settings 1-3 the
reference is the best classical policy over the very same features (one family orders
up to a multiple of the 7-day forecast), so comparisons within a setting are fair;
costs are not comparable with those of non-anticipating policies or optima. Setting 4's
reference, the per-SKU critical fractile, reads each SKU's mean and sd and no forecast:
it is the optimum among non-anticipating policies, so a learned policy could in
principle go below it only through the oracle.

Horizons are in order epochs: the authors' 31 days with a review every 2 days are
``ceil(31 / 2) = 16`` epochs (32 days). No epoch is left out of the costs
(``warmup_epochs = 0``): the first order lands on day 1.

Settings 2 and 3 differ in the forecast features, the variant this package adds:
the Coeff and Both regularizations multiply feat(x), so how informative the forecast
is decides how much they can gain; perfect foresight of the next 7- and 28-day means
(noise 0) is the upper bound, the authors' noisy means the case they ran. Both use the
authors' 5 training SKUs. (With ``forecast_source="expected"`` the AR(1) forecasts
would be each SKU's constant base level and the two variants would say nothing.)

Splits (:class:`Splits`): the training SKUs are a seeded pool
(:class:`~gym_inventory.demand.study.SKUPoolDemand`) replayed by every trainer; the
validation and test SKUs are drawn from the source model with other seeds
(all three seeds spawned from one ``data_seed``), so the sets are disjoint.

Reference costs (:func:`reference`): setting 4 has an exact optimum, the per-SKU
critical-fractile base stock ``S = mean + z std`` with ``z = Phi^-1(0.9)`` (every
order covers one demand day; backlog; base stock is myopically optimal). Settings 1-3
have none; their reference is the best classical policy: base stock in units of the
SKU's scale, or an order-up-to level proportional to the trailing 7-day mean or to
the 7-day forecast, each family's factor chosen on the validation SKUs, the
reference being the family with the lowest cost on the test SKUs.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from gym_inventory.envs.inventory_env import make_simulator
from gym_inventory.features import FEATURE_NAMES
from gym_inventory.params import check_int
from gym_inventory.policy import DecisionState, Policy

#: What every setting shares (the authors' experiment code).
COMMON = {
    "lead_time": 1, "review_period": 2, "lost_sales": False, "holding_cost": 0.1, "penalty_cost": 0.9,
    "reward_timing": "lead_time_window",
}
#: Setting 4's horizons in order epochs.
SETTING4_HORIZONS = (2, 4, 8, 16, 32, 64)
SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class StudySetting:
    """One synthetic setting: the problem (gym.make kwargs of the demand source) and its split sizes."""

    name: str
    description: str
    env_kwargs: dict = field(repr=False)
    train_skus: int | None = 10  # None: fresh SKUs every episode (an unlimited training set)
    val_skus: int = 100
    test_skus: int = 100
    warmup_epochs: int = 0
    reference: str = "best_classical"  # or "critical_fractile"

    def replace(self, **changes) -> "StudySetting":
        return dataclasses.replace(self, **changes)


def _setting(name, description, demand, demand_kwargs, train_skus, reference="best_classical", forecast_noise=0.2):
    # The authors' features are noisy means of the realized future demand (an oracle); set it
    # explicitly: the env's default forecasts are non-anticipating ("expected").
    env = dict(COMMON, horizon=16, demand=demand, demand_kwargs=demand_kwargs, forecast_noise=forecast_noise,
               forecast_source="realized")
    return StudySetting(name, description, env, train_skus=train_skus, reference=reference)


_AR1 = {"phi": [0.3, 0.9], "base": [5.0, 10.0], "noise_std": [2.0, 8.0], "warmup": 8}
#: The shipped settings by name (their env configs are ``gym_inventory/configs/<name>.yaml``).
SETTINGS = {
    s.name: s for s in (
        _setting("setting1", "independent non-stationary demand, 10 training SKUs", "nonstationary",
                 {"level_mean": 10.0, "level_std": 4.0, "spread": 5.0}, 10),
        _setting("setting2", "AR(1) demand, noisy forecasts, 5 training SKUs", "ar1", _AR1, 5),
        _setting("setting3", "AR(1) demand, perfect forecasts, 5 training SKUs", "ar1", _AR1, 5, forecast_noise=0.0),
        _setting("setting4", "IID normal demand on alternate days, per-SKU sd, 10 training SKUs", "alternate_days",
                 {"mean": 100.0, "std": [5.0, 20.0], "offset": 1}, 10, reference="critical_fractile"),
    )
}


def get_setting(name: str, **changes) -> StudySetting:
    """The preset ``name``; ``horizon=H`` changes the horizon, other keywords the setting's fields."""
    if name not in SETTINGS:
        raise ValueError(f"setting must be one of {sorted(SETTINGS)}, got {name!r}")
    setting = SETTINGS[name]
    if "horizon" in changes:
        horizon = check_int("horizon", changes.pop("horizon"), 1)
        setting = setting.replace(name=f"{name}_h{horizon}", env_kwargs=dict(setting.env_kwargs, horizon=horizon))
    return setting.replace(**changes) if changes else setting


# ---------------------------------------------------------------------------------- splits
@dataclass(frozen=True)
class Splits:
    """Disjoint seeded train / validation / test SKU sets of one problem.

    Attributes:
        env_kwargs: gym.make kwargs of the demand source (validation and test SKUs come from it).
        train_skus: SKUs in the training pool; None: fresh SKUs every episode.
        val_skus, test_skus: SKUs evaluated on each split.
        data_seed: spawns the three split seeds; keep it fixed to compare methods on the same SKUs.
        warmup_epochs: epochs left out of the evaluation costs.
    """

    env_kwargs: dict
    train_skus: int | None = 10
    val_skus: int = 100
    test_skus: int = 100
    data_seed: int = 0
    warmup_epochs: int = 0

    def __post_init__(self):
        if self.train_skus is not None:
            check_int("train_skus", self.train_skus, 1)
        check_int("val_skus", self.val_skus, 2)
        check_int("test_skus", self.test_skus, 2)
        check_int("data_seed", self.data_seed, 0)
        check_int("warmup_epochs", self.warmup_epochs, 0)
        make_simulator(1, **self.env_kwargs)  # validates the problem now, not in a worker

    @classmethod
    def of(cls, setting: StudySetting, data_seed: int = 0) -> "Splits":
        return cls(setting.env_kwargs, setting.train_skus, setting.val_skus, setting.test_skus, data_seed,
                   setting.warmup_epochs)

    def seed(self, split: str) -> int:
        """The integer seed of ``split`` (``"train"``, ``"val"`` or ``"test"``)."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {list(SPLITS)}, got {split!r}")
        sequence = np.random.SeedSequence(self.data_seed).spawn(len(SPLITS))[SPLITS.index(split)]
        return int(sequence.generate_state(1)[0])

    def train_env_kwargs(self) -> dict:
        """gym.make kwargs of the training problem: the source, or a pool of ``train_skus`` of its SKUs."""
        env = dict(self.env_kwargs)
        if self.train_skus is None:
            return env
        source = env.pop("demand", "poisson")
        if not isinstance(source, str):
            raise TypeError(f"a training pool needs a demand preset name, got {source!r}")
        env["demand"] = "sku_pool"
        env["demand_kwargs"] = {"source": source, "source_kwargs": env.pop("demand_kwargs", None) or {},
                                "n_skus": self.train_skus, "seed": self.seed("train")}
        if "max_order" not in env:  # the source's action bound, not the pool's (they agree; keep it explicit)
            env["max_order"] = float(make_simulator(1, **self.env_kwargs).max_order)
        return env

    def evaluate(self, policy: Policy, split: str, *, name: str | None = None):
        """:func:`gym_inventory.evaluate` of ``policy`` on the validation or test SKUs."""
        from gym_inventory.evaluation import evaluate

        if split not in ("val", "test"):
            raise ValueError(f"split must be 'val' or 'test' (training SKUs are the trainer's), got {split!r}")
        n = self.val_skus if split == "val" else self.test_skus
        return evaluate(policy, self.env_kwargs, n_trajectories=n, warmup_epochs=self.warmup_epochs,
                        seed=self.seed(split), name=name)


# ---------------------------------------------------------------------------- references
class CriticalFractileBaseStock(Policy):
    """Setting 4's optimum: order up to ``demand_mean + z demand_std`` per SKU, ``z = Phi^-1(p / (p + h))``.

    Reads each SKU's ``demand_mean`` and ``demand_std`` from the observation's static
    features (:class:`~gym_inventory.demand.study.AlternateDayDemand`).
    """

    name = "critical_fractile"

    def __init__(self, env_kwargs: dict):
        probe = make_simulator(1, **env_kwargs)
        names = probe.observation_names
        missing = [n for n in ("demand_mean", "demand_std") if n not in names]
        if missing:
            raise ValueError(f"the critical-fractile reference needs static features {missing} (demand 'alternate_days')")
        self.mean_column, self.std_column = names.index("demand_mean"), names.index("demand_std")
        self.z = float(stats.norm.ppf(probe.params.critical_ratio))

    def __call__(self, state: DecisionState) -> np.ndarray:
        from gym_inventory.remap import remap

        observation = np.asarray(state.observation, dtype=np.float64)
        level = observation[:, self.mean_column] + self.z * observation[:, self.std_column]
        return remap("base", level[:, None], inventory_position=state.inventory_position, features=state.features,
                     scale=np.ones_like(level), xp=np)


@dataclass(frozen=True)
class Reference:
    """A reference cost: ``cost`` (per day, test SKUs) of ``policy``; ``candidates``: name -> (val, test)."""

    policy_name: str
    cost: float
    exact: bool
    candidates: dict
    policy: Policy | None = field(default=None, repr=False, compare=False)


#: Classical families of settings 1-3: (name, feature index or None for the scale, factors in days of demand).
_FAMILIES = (
    ("base_stock_x_scale", None),
    ("order_up_to_x_mean_last_7", FEATURE_NAMES.index("mean_last_7")),
    ("order_up_to_x_forecast_next_7", FEATURE_NAMES.index("forecast_next_7")),
)


def _family_policy(feature, factors, n: int | None = None):
    """One family's policy: ``factors.size`` candidates laid out copy by copy over ``n`` SKUs each,
    or, with ``n=None``, the single candidate ``factors`` (a number) for any number of SKUs."""
    from gym_inventory.policies import BaseStock

    values = np.asarray(factors, dtype=np.float64) if n is None else np.repeat(factors, n)
    if feature is None:
        return BaseStock(values, in_scale_units=True)
    coefficients = np.zeros(values.shape + (len(FEATURE_NAMES),))
    coefficients[..., feature] = values
    return BaseStock(coefficients=coefficients)


def reference(splits: Splits, kind: str = "best_classical") -> Reference:
    """The reference cost of a problem on its test SKUs (see the module docstring)."""
    if kind == "critical_fractile":
        policy = CriticalFractileBaseStock(splits.env_kwargs)
        val, test = splits.evaluate(policy, "val").cost, splits.evaluate(policy, "test").cost
        return Reference(policy.name, test, True, {policy.name: (val, test)}, policy)
    if kind != "best_classical":
        raise ValueError(f"reference kind must be 'best_classical' or 'critical_fractile', got {kind!r}")
    from gym_inventory.evaluation import evaluate_copies

    params = make_simulator(1, **splits.env_kwargs).params
    window = params.lead_time + params.review_period
    factors = np.round(np.arange(0.5, 3.0001, 0.05) * window, 6)  # days of demand, 0.5 W .. 3 W
    candidates, policies = {}, {}
    for name, feature in _FAMILIES:
        options = dict(warmup_epochs=splits.warmup_epochs, copies=factors.size)
        val = evaluate_copies(_family_policy(feature, factors, splits.val_skus), splits.env_kwargs,
                              n_trajectories=splits.val_skus, seed=splits.seed("val"), **options)
        best = int(np.argmin([e.cost for e in val]))
        test = evaluate_copies(_family_policy(feature, factors[best:best + 1], splits.test_skus), splits.env_kwargs,
                               n_trajectories=splits.test_skus, seed=splits.seed("test"),
                               warmup_epochs=splits.warmup_epochs, copies=1)[0]
        label = f"{name}({factors[best]:g})"
        candidates[label] = (val[best].cost, test.cost)
        policies[label] = _family_policy(feature, factors[best])
    best_name = min(candidates, key=lambda key: candidates[key][1])
    return Reference(best_name, candidates[best_name][1], False, candidates, policies[best_name])


def gap(cost: float, reference_cost: float) -> float:
    """Relative excess ``cost / reference - 1`` (inf for an infinite cost)."""
    if not math.isfinite(cost):
        return math.inf
    return cost / reference_cost - 1.0
