"""The benchmark's named instances and suites.

An :class:`Instance` is a training problem (``train_env_kwargs``, what a learner
trains on), one or more evaluation :class:`Case` s (what it is scored on, each
against its own reference, :mod:`gym_inventory.bench.optima`) and the evaluation
options (trajectories, horizon, warm-up, seed) that every policy scored on it
shares, so that policies meet the same demand paths (common random numbers).

Families (names are stable; ``INSTANCES`` holds them all):

* ``zipkin_L{L}_p{p}``: Poisson(5) lost sales, h = 1, L in 1..4, p in 4, 9, 19, 39
  (Zipkin 2008); optimum by the DP (:mod:`gym_inventory.dp`); ``published`` holds
  Zipkin's table.
* ``hdpo_L{L}_p{p}``: Normal(5, 1.6) clipped at 0, backlog, h = 1, L in 1, 4, 7, 10,
  p in 4, 9, 19, 39 (the backlog benchmark of HDPO, Alvo, Russo and Kanoria);
  optimum analytic (:func:`gym_inventory.optimal.optimal_base_stock`).
* ``poisson_L{L}_P{P}_p{p}``: Poisson backlog with review period P (P = 1: integer
  demand, analytic; P > 1: base stock is still optimal for IID backlog demand,
  its cost averages the P windows of L + 1 .. L + P days).
* ``multi_sku``: one policy trained on Poisson SKUs whose mean is drawn per SKU in
  [1, 100] (means, and so variances, over two orders of magnitude), scored on
  six fixed SKUs (means 1 .. 100), each against its own analytic optimum.
* ``study_<setting>``: the study's synthetic settings (:mod:`gym_inventory.study`, every
  preset of ``SETTINGS``): trained on its training SKU pool, scored on its test SKUs (and
  the costed days the study counts) against the study's reference: an optimum for
  setting 1 (``dp_exact``) and setting 4 (critical fractile), the best non-anticipating
  classical policy for settings 2 and 3 (a best known reference, not an optimum).

Suites: ``lite`` (a handful of instances: one algorithm runs it on 2 cores well under
an hour at small budgets), ``zipkin``, ``hdpo``, ``study`` and ``full`` (all).
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Zipkin (2008), Operations Research 56(5), Table 1: optimal cost per period, Poisson(5),
#: h = 1, lost sales; L -> costs for p = 4, 9, 19, 39 (as in tests/test_dp.py).
ZIPKIN_PUBLISHED = {
    1: (4.04, 5.44, 6.68, 7.84),
    2: (4.40, 6.09, 7.66, 9.11),
    3: (4.60, 6.53, 8.36, 10.04),
    4: (4.73, 6.84, 8.89, 10.79),
}
#: HDPO's backlog benchmark (Normal(5, 1.6), h = 1): optimal cost, L -> p = 4, 9, 19, 39 (REFERENCE.md).
HDPO_PUBLISHED = {
    1: (3.17, 3.97, 4.67, 5.29),
    4: (5.01, 6.28, 7.38, 8.37),
    7: (6.33, 7.94, 9.33, 10.58),
    10: (7.43, 9.31, 10.96, 12.42),
}
PENALTIES = (4, 9, 19, 39)
#: The multi-SKU instance: training means per SKU, and the means of its evaluation SKUs.
MULTI_SKU_MEANS = (1.0, 100.0)
MULTI_SKU_TEST_MEANS = (1.0, 2.5, 6.3, 16.0, 40.0, 100.0)
MULTI_SKU_LEAD_TIME = 2


@dataclass(frozen=True)
class Case:
    """One evaluation problem of an instance (gym.make kwargs) with a label."""

    label: str
    env_kwargs: dict = field(repr=False)


@dataclass(frozen=True)
class Instance:
    """A named benchmark problem (see the module docstring).

    Attributes:
        name: the stable name.
        family: ``"zipkin"``, ``"hdpo"``, ``"poisson"``, ``"multi_sku"`` or ``"study"``.
        description: one line.
        train_env_kwargs: gym.make kwargs a learner trains on.
        cases: the evaluation problems; an instance's gap is the mean of its cases' gaps.
        reference: how the reference is obtained: ``"dp"``, ``"analytic"`` or ``"study"``.
        published: the published optimal cost per day (one case), or None.
        n_trajectories, horizon, warmup_epochs, seed, cost_days: evaluation options shared by
            every scored policy (horizon None: the case's own horizon; cost_days as in
            :func:`gym_inventory.evaluate`).
        exact_reference: the study's reference is an optimum (DP and closed-form references always are).
    """

    name: str
    family: str
    description: str
    train_env_kwargs: dict = field(repr=False)
    cases: tuple = field(repr=False)
    reference: str
    published: float | None = None
    n_trajectories: int = 100
    horizon: int | None = 1000
    warmup_epochs: int | None = 100
    seed: int = 20_261_127
    cost_days: str = "epoch"
    exact_reference: bool = True

    @property
    def exact(self) -> bool:
        """True when the reference is the exact optimum (DP, closed form, or an optimal study reference)."""
        return self.exact_reference

    def evaluation_options(self) -> dict:
        """Keyword arguments of :func:`gym_inventory.evaluate` for this instance."""
        return dict(n_trajectories=self.n_trajectories, horizon=self.horizon, warmup_epochs=self.warmup_epochs,
                    seed=self.seed, cost_days=self.cost_days)


def _single(name, family, description, env_kwargs, reference, published=None) -> Instance:
    return Instance(name, family, description, env_kwargs, (Case(name, env_kwargs),), reference, published)


def _zipkin() -> list:
    out = []
    for lead_time, published in ZIPKIN_PUBLISHED.items():
        for p, value in zip(PENALTIES, published):
            env = dict(lead_time=lead_time, lost_sales=True, holding_cost=1.0, penalty_cost=float(p),
                       demand="poisson", demand_kwargs={"mean": 5.0})
            out.append(_single(f"zipkin_L{lead_time}_p{p}", "zipkin",
                               f"Poisson(5) lost sales, L = {lead_time}, h = 1, p = {p} (Zipkin 2008)", env, "dp", value))
    return out


def _hdpo() -> list:
    out = []
    for lead_time, published in HDPO_PUBLISHED.items():
        for p, value in zip(PENALTIES, published):
            env = dict(lead_time=lead_time, lost_sales=False, holding_cost=1.0, penalty_cost=float(p),
                       demand="normal", demand_kwargs={"mean": 5.0, "std": 1.6})
            out.append(_single(f"hdpo_L{lead_time}_p{p}", "hdpo",
                               f"Normal(5, 1.6) backlog, L = {lead_time}, h = 1, p = {p} (HDPO)", env, "analytic", value))
    return out


def _poisson() -> list:
    out = []
    for lead_time, review_period, p in ((3, 1, 19), (2, 2, 9), (1, 3, 9), (2, 7, 19)):
        env = dict(lead_time=lead_time, review_period=review_period, lost_sales=False, holding_cost=1.0,
                   penalty_cost=float(p), demand="poisson", demand_kwargs={"mean": 7.0})
        out.append(_single(f"poisson_L{lead_time}_P{review_period}_p{p}", "poisson",
                           f"Poisson(7) backlog, L = {lead_time}, review every {review_period} day(s), h = 1, p = {p}",
                           env, "analytic"))
    return out


def _multi_sku() -> Instance:
    common = dict(lead_time=MULTI_SKU_LEAD_TIME, lost_sales=False, holding_cost=1.0, penalty_cost=19.0, demand="poisson")
    # one action bound for training and every evaluation SKU, so a trained policy means the same orders
    bound = 4.0 * (MULTI_SKU_LEAD_TIME + 1) * MULTI_SKU_MEANS[1]
    train = dict(common, demand_kwargs={"mean": list(MULTI_SKU_MEANS)}, max_order=bound)
    cases = tuple(Case(f"mean_{mean:g}", dict(common, demand_kwargs={"mean": mean}, max_order=bound))
                  for mean in MULTI_SKU_TEST_MEANS)
    return Instance("multi_sku", "multi_sku",
                    "one policy for Poisson SKUs with means 1..100, L = 2, p = 19, scored per SKU against its own optimum",
                    train, cases, "analytic")


#: The study's reference kinds that are optima (gym_inventory.study.reference: status "optimum").
_OPTIMAL_STUDY_REFERENCES = ("critical_fractile", "dp_exact")


def _study() -> list:
    from gym_inventory.study import SETTINGS, Splits

    out = []
    for name, setting in SETTINGS.items():
        splits = Splits.of(setting)
        out.append(Instance(
            f"study_{name}", "study", f"the study's {name}: {setting.description}", splits.train_env_kwargs(),
            (Case(name, dict(setting.env_kwargs)),), "study", None,
            n_trajectories=splits.test_skus, horizon=None, warmup_epochs=splits.warmup_epochs, seed=splits.seed("test"),
            cost_days=splits.cost_days, exact_reference=setting.reference in _OPTIMAL_STUDY_REFERENCES,
        ))
    return out


def _build() -> dict:
    instances = _zipkin() + _hdpo() + _poisson() + [_multi_sku()] + _study()
    return {instance.name: instance for instance in instances}


#: Every instance by name.
INSTANCES = _build()
#: Suite name -> instance names.
SUITES = {
    "lite": ("zipkin_L1_p4", "zipkin_L2_p9", "hdpo_L1_p4", "hdpo_L4_p9", "poisson_L2_P2_p9"),
    "zipkin": tuple(n for n, i in INSTANCES.items() if i.family == "zipkin"),
    "hdpo": tuple(n for n, i in INSTANCES.items() if i.family == "hdpo"),
    "study": tuple(n for n, i in INSTANCES.items() if i.family == "study"),
    "full": tuple(INSTANCES),
}


def get_instance(name: str) -> Instance:
    """The instance called ``name``."""
    if not isinstance(name, str) or name not in INSTANCES:
        raise ValueError(f"instance must be one of {sorted(INSTANCES)}, got {name!r}")
    return INSTANCES[name]


def get_suite(name: str) -> list:
    """The instances of suite ``name`` (``lite``, ``zipkin``, ``hdpo``, ``study``, ``full``), or of a
    comma-separated list of instance names."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"suite must be one of {sorted(SUITES)} or instance names separated by commas, got {name!r}")
    if name in SUITES:
        return [INSTANCES[n] for n in SUITES[name]]
    names = [part.strip() for part in name.split(",")]
    unknown = [n for n in names if n not in INSTANCES]
    if unknown:
        raise ValueError(f"suite must be one of {sorted(SUITES)} or instance names separated by commas; "
                         f"unknown: {', '.join(unknown)}")
    return [INSTANCES[n] for n in dict.fromkeys(names)]
