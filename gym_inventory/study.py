"""The study's synthetic settings as its authors' code runs them: presets, splits and reference costs.

Read line by line from the public experiment code of DeepStock (Xie et al., arXiv
2603.19621; GitHub xieyaqi188/DRL_inventory_Alibaba, commit d70d908). Common to every
setting (``config/global.yaml``, ``rl/inv_env.py``, ``ds/simulation.py``): a review period of
2 days, a lead time of 1 day, backlog, per-day cost 0.1 x overage + 0.9 x underage,
initial inventory 0 on hand and nothing in transit, days 0 and 1 run with order 0 (the
warm-up: the first order is placed on day 2), each order credited with the cost of the 2
days starting 1 day after it (``reward_timing="lead_time_window"``), observations and
rewards in units (``normalize=False``).

========== ============================================ ====== ===== ===== ===== ====== ============
name       demand (``gene_syn_data_*.py``)              epochs train val   test  cap    network input
========== ============================================ ====== ===== ===== ===== ====== ============
setting1   ONE level sequence shared by all SKUs:       14     10    10    100   100    epoch index
           ``low = int(clip(N(10, 4), 0, 100))`` (seed                                  ``day // 2``
           42), demand uniform on {low_t .. low_t + 4}
setting2   AR(1) on the clipped previous demand,        14     5     5     100   100    the four
           phi U(0.3, 0.9), base U(5, 10), sd U(2, 8),                                  demand
           8 generated days dropped                                                     features
setting3   the same AR(1)                               14     5     5     100   100    yesterday's
                                                                                        demand
setting4   N(100, sd) clipped at 0 on days 3, 5, 7, ...; 2      5     5     500   200    the sd
           5 sds U(5, 20) (seed 42) shared by all        (8, 16,
           splits, 100 test SKUs per sd                  32, 64)
========== ============================================ ====== ===== ===== ===== ====== ============

* Horizon: settings 1-3 run the authors' 31 days (0..30): 2 warm-up days, then 14 order
  epochs (orders on days 2, 4, ..., 28). Setting 4 runs ``(P + L) + P x H`` days, ``H`` epochs;
  ``setting4`` is ``H = 2`` (the script's shipped value) and ``setting4_h{2,8,16,32,64}`` are
  all the horizons the authors ran (``get_setting("setting4", horizon=H)`` builds any other).
* The env starts at the first order (the authors' day 2): the demand source
  (:class:`~gym_inventory.demand.study.StudyDemand`) lays the authors' series out so that
  days 0 and 1 are the last two days of the history, and the simulator runs them with no
  order from ``initial_inventory=0`` (the source's ``warmup_days``), so the first observation
  holds the backlog of those two days, exactly as the authors' first decision sees it.
* Costed days: the authors average the per-day cost over days 3..30 (``ignore_period_num =
  L + P``), the lead-time windows of their 14 orders, i.e. the sum of this env's rewards; the
  presets' evaluation counts exactly those (``cost_days="lead_time_window"``, a field of
  :class:`StudySetting` and :class:`Splits`). The env's records (and the trainers' validation)
  count each epoch's own 2 days (days 2..29): day 2's cost does not depend on the policy (the
  first order arrives on day 3), day 30 is the second day of the last order's window.
* feat(x), the Coeff and Both inputs (the authors' ``reg_input1..4``): the means of days
  t-28..t-1 and t-7..t-1, and of days t-5..t+1 and t-26..t+1 (one day of look-ahead)
  plus additive N(0, 3) noise (:func:`~gym_inventory.demand.study.study_demand_features`);
  the env's ``forecast_*`` options do not apply (the source supplies feat(x)).
* Network input (``network_inputs``: parts of the observation): ``["pipeline", "dynamic"]``,
  the pipeline and the authors' ``feat1`` (the dynamic feature of each setting). As the
  authors do, none/base networks read raw values and coeff/both networks feat1 min-max
  normalized over the SKU's series with the pipeline divided by the order cap
  (:meth:`StudySetting.network_env_kwargs`, used by ``Splits.of(setting, regularization=kind)``).
* Settings 2 and 3 come from one generator; the code does not say which ``PERFECT_FEATURES``
  flag each used. Inferred here: setting 2 gives the network the four demand features (flag
  off), setting 3 yesterday's demand (flag on, a sufficient statistic of a known AR(1)).
* Order cap (``max_order``): 100 in settings 1-3, the shipped ``max_replenish`` (its comment:
  "evaluated based on lead-time and max demand"; setting 1's largest daily demand is 20, so
  the L + P = 3 days an order covers need at most 60). Setting 4, by the same rule: an
  order's 3 days hold one demand day of at most about 100 + 4 x 19.3 = 177 units: 200.
* Coeff/Both (``regularization``): the authors' order is ``28 x sum_i clip(c_i, 0, 1) x
  feat_i + bias``: coefficients in ``[0, 28]`` per feature (non-negative: orders monotone in
  every demand feature) and a bias in units; the presets pass ``coefficient_bounds=(0, 28)``
  and ``bias_bounds=(-100, 100)`` (the authors' DS leaves the bias free, their RL action box
  puts it in [0, 1]; +-100 units is the package's choice, one order cap either way).

Splits (:class:`Splits`): the training SKUs are a seeded pool
(:class:`~gym_inventory.demand.study.SKUPoolDemand`) replayed by every trainer; the
validation and test SKUs are drawn from the same source with other seeds (all three spawned
from one ``data_seed``). Setting 1's level sequence and setting 4's sds are the authors'
(seed 42) in every split, as in their data; the per-SKU noise is drawn from the split seeds.

The package's own variants (``variant1`` .. ``variant4``; not the study's): independent
per-SKU non-stationary levels, an AR(1) on a latent level, relative-noise 7- and 28-day
realized look-aheads (a far stronger oracle), per-SKU sds, 16 epochs from an initial
stock of ``(L + P) x scale``. Results computed on them are the package's, never the study's.

Reference costs (:func:`reference`; nothing is chosen on the test SKUs, and each says whether
it is an optimum or a heuristic):

* setting 1: the exact optimum ``dp_exact``, a DP over the TRUE per-day distributions
  (:func:`exact_dp`; a base stock per epoch: a policy that knows the day, as the network does
  through its time feature), and the authors' reference ``dp_empirical``, the same DP over the
  empirical per-day distribution of the training SKUs (``dp_inventory.py``; a heuristic);
* settings 2-3: ``best_non_anticipating`` (base stock in units of the SKU's scale or an
  order-up-to level proportional to the trailing 7-day mean, factors and family chosen on the
  validation SKUs; a heuristic), and ``dp_empirical`` (the authors' DP script run on these
  data: inferred, the code does not say which reference they used here; a heuristic, since an
  AR(1) day's distribution depends on the previous day);
* setting 4: the critical fractile (the optimum): ``S = mean + z sd``, ``z = Phi^-1(0.9)`` per
  SKU (every order covers one demand day; backlog; base stock is myopically optimal).

"Optimum" is among non-anticipating policies: the look-ahead features (days t-5..t+1 and
t-26..t+1) carry day t+1's demand behind N(0, 3) noise, an oracle a coeff/both policy could
in principle use to go slightly below it.

``best_classical`` adds the family proportional to the look-ahead feature (it anticipates).
Costs count the study's costed days (``cost_days="lead_time_window"``: the 2 days each order
controls, days 3 .. 2 + 2 x epochs; see :func:`gym_inventory.evaluate`).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from gym_inventory.envs.inventory_env import make_simulator
from gym_inventory.evaluation import COST_DAYS, problem_of
from gym_inventory.features import FEATURE_NAMES
from gym_inventory.params import check_choice, check_int
from gym_inventory.policy import DecisionState, Policy

#: What every faithful setting shares (the authors' experiment code).
COMMON = {
    "lead_time": 1, "review_period": 2, "lost_sales": False, "holding_cost": 0.1, "penalty_cost": 0.9,
    "reward_timing": "lead_time_window", "normalize": False, "initial_inventory": 0.0,
}
#: Order epochs of settings 1-3: orders on days 2, 4, ..., 28 of the authors' 31 days.
STUDY_EPOCHS = 14
#: Setting 4's horizons in order epochs (all the authors ran).
SETTING4_HORIZONS = (2, 8, 16, 32, 64)
#: The network's inputs in every setting: the pipeline and the authors' feat1 (the source's dynamic features).
NETWORK_INPUTS = ("pipeline", "dynamic")
#: The authors' Coeff/Both scale: 28 x clip(c, 0, 1) per demand feature, a bias in units.
STUDY_REGULARIZATION = {"coefficient_bounds": (0.0, 28.0), "bias_bounds": (-100.0, 100.0)}
SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class StudySetting:
    """One synthetic setting: the problem (gym.make kwargs of the demand source) and its split sizes.

    ``authors``: True for the study's settings as its code runs them, False for the package's
    own variants. ``network_inputs``: the observation parts the study's networks read.
    ``regularization``: keyword options of the coeff/both regularizations in the study.
    """

    name: str
    description: str
    env_kwargs: dict = field(repr=False)
    train_skus: int | None = 10  # None: fresh SKUs every episode (an unlimited training set)
    val_skus: int = 100
    test_skus: int = 100
    warmup_epochs: int = 0
    reference: str = "best_classical"  # one of REFERENCE_KINDS
    cost_days: str = "lead_time_window"  # the days evaluation costs count (gym_inventory.evaluate's cost_days)
    authors: bool = True
    network_inputs: tuple = NETWORK_INPUTS
    regularization: dict = field(default_factory=lambda: dict(STUDY_REGULARIZATION), repr=False)

    def replace(self, **changes) -> "StudySetting":
        return dataclasses.replace(self, **changes)

    def network_env_kwargs(self, regularization: str | None = None) -> dict:
        """gym.make kwargs of the problem as a ``regularization`` arm's network sees it.

        In the study's settings the coeff/both networks read the authors' scaled inputs: the
        dynamic context min-max normalized over each SKU's series (the source's
        ``dynamic_scaling="minmax"``) and the pipeline divided by the order cap
        (``pipeline_unit=max_order``); none/base (and None, and the variants) read them raw.
        The demand, the costs and every reference are the same in both.
        """
        from gym_inventory.remap import regularization as registry_entry

        if regularization is None or not self.authors or not registry_entry(regularization).per_feature:
            return self.env_kwargs
        env = dict(self.env_kwargs, pipeline_unit=float(self.env_kwargs["max_order"]))
        env["demand_kwargs"] = dict(env.get("demand_kwargs") or {}, dynamic_scaling="minmax")
        return env


def _study(name, description, demand, demand_kwargs, train, test, *, horizon=STUDY_EPOCHS, max_order=100.0,
           reference="best_classical"):
    env = dict(COMMON, horizon=horizon, max_order=max_order, demand=demand, demand_kwargs=demand_kwargs)
    return StudySetting(name, description, env, train_skus=train, val_skus=train, test_skus=test, reference=reference)


def _setting4(horizon: int) -> StudySetting:
    return _study(f"setting4_h{horizon}", f"IID normal demand on alternate days, 5 shared sds, {horizon} epochs",
                  "study_iid", {"horizon": horizon}, 5, 500, horizon=horizon, max_order=200.0,
                  reference="critical_fractile")


def _variant(name, description, demand, demand_kwargs, train_skus, reference="best_classical", forecast_noise=0.2):
    env = dict(COMMON, horizon=16, demand=demand, demand_kwargs=demand_kwargs, forecast_noise=forecast_noise,
               forecast_source="realized", normalize=True)
    env.pop("initial_inventory")
    return StudySetting(name, description, env, train_skus=train_skus, reference=reference, authors=False, cost_days="epoch",
                        network_inputs=("pipeline", "features", "static", "dynamic"), regularization={})


_AR1 = {"phi": [0.3, 0.9], "base": [5.0, 10.0], "noise_std": [2.0, 8.0], "warmup": 8}
#: The study's settings by name (their env configs are ``gym_inventory/configs/<name>.yaml``).
SETTINGS = {
    s.name: s for s in (
        _study("setting1", "one shared level sequence, integer uniform noise per SKU, time feature, 10 training SKUs",
               "study_levels", {}, 10, 100, reference="dp_exact"),
        _study("setting2", "AR(1) on the clipped previous demand, the four demand features, 5 training SKUs",
               "study_ar1", {"perfect_feature": False}, 5, 100, reference="best_non_anticipating"),
        _study("setting3", "AR(1) on the clipped previous demand, yesterday's demand, 5 training SKUs",
               "study_ar1", {"perfect_feature": True}, 5, 100, reference="best_non_anticipating"),
        _setting4(2).replace(name="setting4"),
        *(_setting4(h) for h in SETTING4_HORIZONS),
    )
}
#: The package's own variants (not the study's: see the module docstring).
VARIANTS = {
    s.name: s for s in (
        _variant("variant1", "independent non-stationary demand, 10 training SKUs", "nonstationary",
                 {"level_mean": 10.0, "level_std": 4.0, "spread": 5.0}, 10),
        _variant("variant2", "AR(1) demand, noisy forecasts, 5 training SKUs", "ar1", _AR1, 5),
        _variant("variant3", "AR(1) demand, perfect forecasts, 5 training SKUs", "ar1", _AR1, 5, forecast_noise=0.0),
        _variant("variant4", "IID normal demand on alternate days, per-SKU sd, 10 training SKUs", "alternate_days",
                 {"mean": 100.0, "std": [5.0, 20.0], "offset": 1}, 10, reference="critical_fractile"),
    )
}


def get_setting(name: str, **changes) -> StudySetting:
    """The preset ``name`` (a study setting or a package variant); other keywords change its fields.

    ``horizon=H`` changes the horizon: setting 4 (any ``H >= 1``; the authors ran
    :data:`SETTING4_HORIZONS`) and the variants; settings 1-3 are the authors' 31 days.
    """
    presets = {**SETTINGS, **VARIANTS}
    if name not in presets:
        raise ValueError(f"setting must be one of {sorted(presets)}, got {name!r}")
    setting = presets[name]
    if "horizon" in changes:
        horizon = check_int("horizon", changes.pop("horizon"), 1)
        env = dict(setting.env_kwargs, horizon=horizon)
        if setting.env_kwargs["demand"] == "study_iid":
            env["demand_kwargs"] = dict(env["demand_kwargs"], horizon=horizon)
        elif setting.authors:
            raise ValueError(f"horizon is fixed in {name} (the authors' 31 days: {STUDY_EPOCHS} epochs), got {horizon!r}")
        base = name.split("_h")[0]
        setting = setting.replace(name=f"{base}_h{horizon}", env_kwargs=env)
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
        cost_days: the days the costs count (:func:`gym_inventory.evaluate`): ``"epoch"`` or
            ``"lead_time_window"`` (the study's costed days).
    """

    env_kwargs: dict
    train_skus: int | None = 10
    val_skus: int = 100
    test_skus: int = 100
    data_seed: int = 0
    warmup_epochs: int = 0
    cost_days: str = "epoch"

    def __post_init__(self):
        if self.train_skus is not None:
            check_int("train_skus", self.train_skus, 1)
        check_int("val_skus", self.val_skus, 2)
        check_int("test_skus", self.test_skus, 2)
        check_int("data_seed", self.data_seed, 0)
        check_int("warmup_epochs", self.warmup_epochs, 0)
        check_choice("cost_days", self.cost_days, COST_DAYS)
        make_simulator(1, **self.env_kwargs)  # validates the problem now, not in a worker

    @classmethod
    def of(cls, setting: StudySetting, data_seed: int = 0, regularization: str | None = None) -> "Splits":
        """The splits of ``setting``; with a ``regularization``, as that arm's network sees the problem
        (:meth:`StudySetting.network_env_kwargs`: the same SKUs, demand and costs)."""
        return cls(setting.network_env_kwargs(regularization), setting.train_skus, setting.val_skus, setting.test_skus, data_seed,
                   setting.warmup_epochs, setting.cost_days)

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
            env["max_order"] = float(problem_of(self.env_kwargs).max_order)
        return env

    def evaluate(self, policy: Policy, split: str, *, name: str | None = None):
        """:func:`gym_inventory.evaluate` of ``policy`` on the validation or test SKUs."""
        from gym_inventory.evaluation import evaluate

        if split not in ("val", "test"):
            raise ValueError(f"split must be 'val' or 'test' (training SKUs are the trainer's), got {split!r}")
        n = self.val_skus if split == "val" else self.test_skus
        return evaluate(policy, self.env_kwargs, n_trajectories=n, warmup_epochs=self.warmup_epochs,
                        seed=self.seed(split), name=name, cost_days=self.cost_days)


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
    """A reference cost: ``cost`` (per day, test SKUs) of ``policy``; ``candidates``: name -> (val, test).

    ``status`` says what the reference is: ``"optimum"`` (no policy does better in expectation
    on the problem, ``exact`` is then True) or ``"heuristic"`` (a good policy, beatable).
    """

    policy_name: str
    cost: float
    exact: bool
    candidates: dict
    policy: Policy | None = field(default=None, repr=False, compare=False)
    status: str = "heuristic"


#: Reference kinds of :func:`reference`.
REFERENCE_KINDS = ("best_classical", "best_non_anticipating", "critical_fractile", "dp_exact", "dp_empirical")
#: Classical families of settings 1-3: (name, feature index or None for the scale, factors in days of demand).
#: The last reads the look-ahead feature (``forecast_next_7``; in the study's settings the mean of
#: days t-5..t+1): it anticipates, and ``best_non_anticipating`` leaves it out.
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
    """The reference cost of a problem on its test SKUs; nothing is chosen on the test SKUs.

    ``kind``: ``"critical_fractile"`` (setting 4's optimum); ``"dp_exact"`` (setting 1's
    optimum, :func:`exact_dp`); ``"dp_empirical"`` (the authors' reference, :func:`empirical_dp`,
    a heuristic: a DP over an estimate); ``"best_classical"`` (the best classical family, each
    factor and the family chosen on the validation SKUs, a heuristic); ``"best_non_anticipating"``
    (the same without the family that reads the look-ahead feature).
    """
    check_choice("reference kind", kind, REFERENCE_KINDS)
    single = None
    if kind == "critical_fractile":
        single, status = CriticalFractileBaseStock(splits.env_kwargs), "optimum"
    elif kind == "dp_exact":
        single, status = PeriodicDPPolicy(exact_dp(splits.env_kwargs), "dp_exact"), "optimum"
    elif kind == "dp_empirical":
        single, status = PeriodicDPPolicy(empirical_dp(splits), "dp_empirical"), "heuristic"
    if single is not None:
        val, test = splits.evaluate(single, "val").cost, splits.evaluate(single, "test").cost
        return Reference(single.name, test, status == "optimum", {single.name: (val, test)}, single, status)
    from gym_inventory.evaluation import evaluate_copies

    params = problem_of(splits.env_kwargs).params
    window = params.lead_time + params.review_period
    factors = np.round(np.arange(0.5, 3.0001, 0.05) * window, 6)  # days of demand, 0.5 W .. 3 W
    candidates, policies = {}, {}
    families = _FAMILIES[:2] if kind == "best_non_anticipating" else _FAMILIES
    for name, feature in families:
        options = dict(warmup_epochs=splits.warmup_epochs, copies=factors.size, cost_days=splits.cost_days)
        val = evaluate_copies(_family_policy(feature, factors, splits.val_skus), splits.env_kwargs,
                              n_trajectories=splits.val_skus, seed=splits.seed("val"), **options)
        best = int(np.argmin([e.cost for e in val]))
        test = evaluate_copies(_family_policy(feature, factors[best:best + 1], splits.test_skus), splits.env_kwargs,
                               n_trajectories=splits.test_skus, seed=splits.seed("test"),
                               warmup_epochs=splits.warmup_epochs, copies=1, cost_days=splits.cost_days)[0]
        label = f"{name}({factors[best]:g})"
        candidates[label] = (val[best].cost, test.cost)
        policies[label] = _family_policy(feature, factors[best])
    best_name = min(candidates, key=lambda key: candidates[key][0])  # chosen on validation, never on test
    return Reference(best_name, candidates[best_name][1], False, candidates, policies[best_name])


# ------------------------------------------------------------------- the study's DPs
def day_pmf(values) -> np.ndarray:
    """The probability mass function of one day's demand over ``0, 1, 2, ...`` units, from equally
    likely integer ``values`` (the authors' empirical distribution rounds each value)."""
    counts = np.bincount(np.rint(np.asarray(values, dtype=np.float64)).astype(int).clip(0))
    return counts / counts.sum()


@dataclass(frozen=True)
class PeriodicDPSolution:
    """A finite-horizon DP over per-day demand distributions (review every 2 days, lead time 1, backlog).

    Attributes:
        orders: ``(epochs, positions)`` optimal whole-unit order at each epoch and inventory position.
        levels: ``(epochs,)`` the order-up-to level of each epoch where no cap binds (a base stock
            per epoch: the value function is convex, so the policy orders up to it).
        positions: the integer inventory positions of the grid.
        expected_cost: expected cost per costed day from the empty start (the days the DP counts,
            the authors' lead-time windows: days 3 .. 2 + 2 x epochs), under the DP's distributions.
    """

    orders: np.ndarray
    levels: np.ndarray
    positions: np.ndarray
    expected_cost: float


def solve_periodic_dp(pmfs: list, epochs: int, *, holding_cost: float = 0.1, penalty_cost: float = 0.9,
                      max_order: int = 100, low: int = -200, high: int = 300) -> PeriodicDPSolution:
    """Exact DP of the study's problem for per-day demand pmfs of days ``0 .. 2 + 2 x epochs``.

    Days 0 and 1 run with no order from an empty start; the order of epoch ``k`` is placed on day
    ``t = 2 + 2k`` (before its demand) and arrives on day ``t + 1``; the epoch is charged the
    cost of days ``t + 1`` and ``t + 2`` (the authors' costed days; ``h x on-hand + p x backlog``
    at the end of each day), and the next decision sees the position ``y - d_t - d_{t+1}``,
    ``y`` the position after ordering. Orders are whole units in ``0 .. max_order``; positions
    are kept in ``low .. high`` (far outside what the study's demand reaches).
    """
    epochs = check_int("epochs", epochs, 1)
    if len(pmfs) < 3 + 2 * epochs:
        raise ValueError(f"pmfs must hold {3 + 2 * epochs} days (0 .. {2 + 2 * epochs}), got {len(pmfs)}")
    positions = np.arange(low, high + 1)

    def expected(values: np.ndarray, pmf: np.ndarray) -> np.ndarray:
        """E[values(y - D)] for every position y, D ~ pmf (values of positions below the grid: the lowest)."""
        index = np.clip(np.arange(positions.size)[:, None] - np.arange(pmf.size)[None, :], 0, None)
        return values[index] @ pmf

    day_cost = holding_cost * np.maximum(positions, 0) - penalty_cost * np.minimum(positions, 0)
    future = np.zeros(positions.size)
    orders = np.zeros((epochs, positions.size), dtype=int)
    levels = np.zeros(epochs)
    for epoch in reversed(range(epochs)):
        t = 2 + 2 * epoch
        two = np.convolve(pmfs[t], pmfs[t + 1])
        three = np.convolve(two, pmfs[t + 2])
        after = expected(day_cost, two) + expected(day_cost, three) + expected(future, two)  # by position y
        levels[epoch] = positions[int(np.argmin(after))]
        best = np.full(positions.size, np.inf)
        for order in range(max_order + 1):  # y = x + order, kept on the grid
            shifted = np.full(positions.size, np.inf)
            shifted[: positions.size - order] = after[order:]
            better = shifted < best
            best[better], orders[epoch, better] = shifted[better], order
        future = best
    start = np.convolve(pmfs[0], pmfs[1])  # x0 = -(d0 + d1)
    expected_cost = float(future[np.clip(-np.arange(start.size) - low, 0, None)] @ start) / (2 * epochs)
    return PeriodicDPSolution(orders, levels, positions, expected_cost)


class PeriodicDPPolicy(Policy):
    """The order table of a :class:`PeriodicDPSolution`: the order at the epoch and the (rounded) position."""

    def __init__(self, solution: PeriodicDPSolution, name: str = "dp"):
        self.solution = solution
        self.name = name

    def __call__(self, state: DecisionState) -> np.ndarray:
        positions = self.solution.positions
        epoch = min(state.epoch, self.solution.orders.shape[0] - 1)
        index = np.clip(np.rint(state.inventory_position).astype(int) - positions[0], 0, positions.size - 1)
        return self.solution.orders[epoch, index].astype(np.float64)


def study_days(simulator) -> np.ndarray:
    """The authors' series (days 0, 1, 2, ...) of a study setting's episode: the two warm-up days, then the path."""
    first = simulator._first_day - simulator.demand_model.warmup_days
    return simulator._demand[:, first:]


def exact_dp(env_kwargs: dict) -> PeriodicDPSolution:
    """Setting 1's optimum: the DP over the TRUE per-day distributions (day t uniform on
    ``low_t .. low_t + 4``, the shared level sequence); a policy that knows the day, as the
    study's network does through its time feature."""
    from gym_inventory.demand import make_demand

    env = env_kwargs
    model = make_demand(env["demand"], env.get("demand_kwargs"))
    if not hasattr(model, "day_support"):
        raise ValueError(f"the exact DP needs setting 1's per-day distributions (demand 'study_levels'), got {model!r}")
    epochs = env["horizon"]
    pmfs = [day_pmf(model.day_support(day)) for day in range(3 + 2 * epochs)]
    return solve_periodic_dp(pmfs, epochs, holding_cost=env["holding_cost"], penalty_cost=env["penalty_cost"],
                             max_order=int(env["max_order"]))


def empirical_dp(splits: "Splits") -> PeriodicDPSolution:
    """The authors' reference (``dp_inventory.py``): the same DP over the EMPIRICAL per-day
    distribution of the training SKUs (each day: their demands, rounded, equally likely)."""
    env = splits.env_kwargs
    simulator = make_simulator(splits.train_skus, **splits.train_env_kwargs())
    simulator.reset(np.random.default_rng(0))  # a pass over the pool: every training SKU once
    days = study_days(simulator)
    epochs = env["horizon"]
    pmfs = [day_pmf(days[:, day]) for day in range(3 + 2 * epochs)]
    return solve_periodic_dp(pmfs, epochs, holding_cost=env["holding_cost"], penalty_cost=env["penalty_cost"],
                             max_order=int(env["max_order"]))


def gap(cost: float, reference_cost: float) -> float:
    """Relative excess ``cost / reference - 1`` (inf for an infinite cost)."""
    if not math.isfinite(cost):
        return math.inf
    return cost / reference_cost - 1.0
