"""Problem parameters, kept apart from the state (gymnax's ``EnvParams`` habit).

:class:`InventoryParams` is frozen and validated on construction: every bad value
raises a ``TypeError`` or ``ValueError`` that names the argument and the value.
Sizes and costs have documented limits (:data:`LIMITS`, docs/validation.md): a
request past them would exhaust memory or overflow the costs to infinity.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

REWARD_TIMINGS = ("step", "lead_time_window")
FORECAST_SOURCES = ("expected", "realized")
OBJECTIVES = ("cost", "service")
#: Largest accepted value of each size or cost (memory grows linearly with the sizes; costs stay finite).
LIMITS = {
    "lead_time": 10_000,  # days
    "review_period": 10_000,  # days
    "horizon": 10_000_000,  # order epochs
    "episode_days": 10_000_000,  # horizon x review_period (+ lead time): the days one episode simulates
    "cost": 1e9,  # holding_cost, penalty_cost, stockout_weight, turnover_weight: money per unit-day
    "max_order": 1e15,  # units per order (the action bound; the default follows the mean demand)
    "units": 1e15,  # stock, units in transit and demand of one day given to reset (float32 observations stay finite)
}


def check_int(name: str, value, minimum: int, maximum: int | None = None) -> int:
    """Return ``value`` as an int >= ``minimum`` (and <= ``maximum``) or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum} (the documented limit), got {value!r}")
    return int(value)


def check_real(name: str, value, minimum: float = 0.0, *, strict: bool = False, maximum: float | None = None) -> float:
    """Return ``value`` as a finite float >= ``minimum`` (> when ``strict``; <= ``maximum``) or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if value < minimum or (strict and value == minimum):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {minimum:g}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum:g} (the documented limit), got {value!r}")
    return value


def check_real_array(name: str, value, expected: str = "numeric"):
    """``value`` as a float64 array of finite real numbers, or raise naming ``name`` (``expected``: what it must be).

    Bools, complex numbers, strings and other objects are refused (``TypeError``), not
    converted: ``["7"]``, ``[True]`` and ``[5+1j]`` are not quantities.
    """
    import numpy as np

    shown = _ShortRepr()  # a short repr: a huge input is not spelled out in the message
    try:
        if value is None or isinstance(value, (str, bytes)):
            raise TypeError
        array = np.asarray(value)
    except (TypeError, ValueError):  # ragged nesting
        raise TypeError(f"{name} must be {expected}, got {shown.repr(value)}") from None
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be {expected}: real numbers (not bools, complex numbers or strings), got {shown.repr(value)} "
                        f"of dtype {array.dtype}")
    array = array.astype(np.float64, copy=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {shown.repr(value)}")
    return array


class _ShortRepr:
    """``repr`` cut short (``reprlib``), built only for an error message (every step checks its actions)."""

    def repr(self, value) -> str:
        import reprlib

        shown = reprlib.Repr()
        shown.maxlist, shown.maxstring, shown.maxother = 8, 40, 80
        return shown.repr(value)


#: Bytes the simulator holds per SKU and simulated day (demand paths, features, metrics), with a margin:
#: about 280 measured for Poisson demand (tracemalloc peak of a reset).
BYTES_PER_SKU_DAY = 512


def available_memory() -> int:
    """Bytes of memory this machine can still give (``MemAvailable``; physical memory where unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import os

        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 1 << 62  # unknown: no bound


def check_memory(what: str, nbytes: int) -> None:
    """``MemoryError``-free refusal: ``ValueError`` saying how much ``what`` needs when it exceeds the free memory."""
    free = available_memory()
    if nbytes > free:
        raise ValueError(f"{what} needs about {nbytes / 2**30:.3g} GiB of memory, more than the {free / 2**30:.3g} GiB "
                         f"available; ask for fewer SKUs or days")


def check_units(name: str, array):
    """``array`` if every entry is at most :data:`LIMITS` ``["units"]`` in size, else ``ValueError`` naming ``name``."""
    import numpy as np

    if array.size and float(np.max(np.abs(array))) > LIMITS["units"]:
        raise ValueError(f"{name} must be at most {LIMITS['units']:g} units in size (the documented limit), "
                         f"got {float(np.max(np.abs(array))):g}")
    return array


def check_choice(name: str, value, choices) -> str:
    """Return ``value`` if it is one of ``choices`` or raise naming ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {list(choices)}, got {value!r}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def check_bool(name: str, value) -> bool:
    """Return ``value`` if it is a bool or raise naming ``name``."""
    if not isinstance(value, (bool,)) and type(value).__name__ != "bool_":
        raise TypeError(f"{name} must be a bool, got {value!r}")
    return bool(value)


#: Tolerance of the probabilities' sum around 1.
PROBABILITY_TOLERANCE = 1e-9


@dataclass(frozen=True)
class LeadTimeDistribution:
    """A discrete distribution of lead times, whole days: one for every SKU, or one per SKU.

    Attributes:
        values: distinct lead times, days (>= 0, increasing).
        probabilities: their probabilities (> 0, summing to 1 within 1e-9; stored normalized);
            or, one distribution per SKU, one row per SKU (``(n_skus, len(values))``: each row
            >= 0 and summing to 1, each value possible for some SKU). A simulator of N SKUs
            needs N rows (a single env: 1); SKU i draws from row i.
    """

    values: tuple
    probabilities: tuple

    def __post_init__(self):
        values, probabilities = self.values, self.probabilities
        if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
            raise TypeError(f"lead_time['values'] must be a list of whole days, got {values!r}")
        if len(values) == 0:
            raise ValueError("lead_time['values'] must hold at least one lead time, got an empty list")
        import numpy as np

        days = [check_int("lead_time['values'] entry", value, 0, LIMITS["lead_time"]) for value in values]
        if len(set(days)) != len(days):
            raise ValueError(f"lead_time['values'] must be distinct, got {list(values)!r}")
        weights = check_real_array("lead_time['probabilities']", probabilities, "a list of probabilities")
        if weights.ndim == 2:  # one distribution per SKU
            if weights.shape[0] == 0 or weights.shape[1] != len(days):
                raise ValueError(
                    f"lead_time['probabilities'] per SKU must have one row per SKU and one entry per value ({len(days)}), "
                    f"got shape {weights.shape}"
                )
            if np.any(weights < 0.0):
                raise ValueError(f"lead_time['probabilities'] must be >= 0, got {probabilities!r}")
            sums = weights.sum(axis=1)
            if np.any(np.abs(sums - 1.0) > PROBABILITY_TOLERANCE):
                row = int(np.argmax(np.abs(sums - 1.0)))
                raise ValueError(f"lead_time['probabilities'] row {row} must sum to 1, got {weights[row].tolist()!r}")
            if np.any(weights.max(axis=0) <= 0.0):
                raise ValueError(
                    f"lead_time['probabilities']: every value must be possible for some SKU (leave out values that "
                    f"never occur), got {probabilities!r}"
                )
            order = np.argsort(days)
            weights = weights / sums[:, None]
            object.__setattr__(self, "values", tuple(int(days[i]) for i in order))
            object.__setattr__(self, "probabilities", tuple(tuple(float(row[i]) for i in order) for row in weights))
            return
        if weights.shape != (len(days),):
            raise ValueError(f"lead_time['probabilities'] must have one entry per value ({len(days)}), got {probabilities!r}")
        if np.any(weights <= 0.0):
            raise ValueError(f"lead_time['probabilities'] must be > 0 (leave out values that never occur), got {probabilities!r}")
        if abs(float(weights.sum()) - 1.0) > PROBABILITY_TOLERANCE:
            raise ValueError(f"lead_time['probabilities'] must sum to 1, got {probabilities!r} (sum {float(weights.sum())!r})")
        order = np.argsort(days)
        weights = weights / weights.sum()
        object.__setattr__(self, "values", tuple(int(days[i]) for i in order))
        object.__setattr__(self, "probabilities", tuple(float(weights[i]) for i in order))

    @property
    def per_sku(self) -> int | None:
        """The number of SKUs of a per-SKU distribution (one row each), None for one shared distribution."""
        return len(self.probabilities) if isinstance(self.probabilities[0], tuple) else None

    def sku(self, index: int) -> "LeadTimeDistribution":
        """SKU ``index``'s own distribution (the values it can draw); a shared distribution is every SKU's."""
        if self.per_sku is None:
            return self
        index = check_int("index", index, 0, self.per_sku - 1)
        row = self.probabilities[index]
        kept = [i for i, weight in enumerate(row) if weight > 0.0]
        return LeadTimeDistribution(tuple(self.values[i] for i in kept), tuple(row[i] for i in kept))

    def _shared(self, what: str):
        if self.per_sku is not None:
            raise ValueError(
                f"{what} needs one lead-time distribution; this one has a row per SKU ({self.per_sku} SKUs): "
                "use .sku(i) for SKU i's own"
            )

    @property
    def max(self) -> int:
        """The largest lead time, days: the pipeline holds ``max + 1`` columns."""
        return self.values[-1]

    @property
    def min(self) -> int:
        return self.values[0]

    @property
    def mean(self) -> float:
        self._shared("the mean lead time")
        return math.fsum(v * p for v, p in zip(self.values, self.probabilities))

    @property
    def deterministic(self) -> bool:
        """True for a distribution of one value."""
        return len(self.values) == 1

    def pmf(self) -> np.ndarray:
        """``(max + 1,)`` probabilities of 0 .. max days (a shared distribution only)."""
        import numpy as np

        self._shared("pmf()")
        pmf = np.zeros(self.max + 1)
        pmf[list(self.values)] = self.probabilities
        return pmf

    def sample(self, rng: np.random.Generator, shape) -> np.ndarray:
        """Lead times of ``shape`` orders, int64 days (per SKU: ``shape = (n_skus, epochs)``, SKU i from row i,
        by inversion of one uniform per order)."""
        import numpy as np

        if self.deterministic:
            return np.full(shape, self.values[0], dtype=np.int64)
        values = np.asarray(self.values, dtype=np.int64)
        rows = self.per_sku
        if rows is None:
            return values[rng.choice(len(self.values), size=shape, p=self.probabilities)]
        shape = tuple(shape)
        if len(shape) != 2 or shape[0] != rows:
            raise ValueError(f"lead_time has a distribution per SKU for {rows} SKUs; cannot draw {shape} (n_skus, epochs)")
        cdf = np.cumsum(np.asarray(self.probabilities), axis=1)
        cdf[:, -1] = 1.0
        uniform = rng.random(shape)
        index = (uniform[:, :, None] >= cdf[:, None, :]).sum(axis=2)
        return values[index]

    def as_dict(self) -> dict:
        """The ``lead_time`` keyword argument of this distribution (JSON-friendly)."""
        probabilities = [list(row) for row in self.probabilities] if self.per_sku else list(self.probabilities)
        return {"values": list(self.values), "probabilities": probabilities}


def make_lead_time(value):
    """``(max_lead_time, distribution)`` of a ``lead_time`` argument: an int (distribution None), a
    :class:`LeadTimeDistribution`, or a dict ``{"values": [...], "probabilities": [...]}``
    (``probabilities`` may be left out: equally likely values)."""
    if isinstance(value, LeadTimeDistribution):
        return value.max, value
    if isinstance(value, dict):
        unknown = set(value) - {"values", "probabilities"}
        if unknown or "values" not in value:
            raise ValueError(
                "lead_time as a distribution must be a dict with keys 'values' and 'probabilities' "
                f"(probabilities optional: equally likely values), got {value!r}"
            )
        values, probabilities = value["values"], value.get("probabilities")
        if probabilities is None:
            if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
                raise TypeError(f"lead_time['values'] must be a list of whole days, got {values!r}")
            probabilities = [1.0 / max(len(values), 1)] * len(values)
        distribution = LeadTimeDistribution(values, probabilities)
        return distribution.max, distribution
    if isinstance(value, numbers.Real):
        return check_int("lead_time", value, 0, LIMITS["lead_time"]), None
    raise TypeError(
        f"lead_time must be an integer, got {value!r} (or a distribution {{'values': [...], 'probabilities': [...]}})"
    )


@dataclass(frozen=True)
class InventoryParams:
    """Parameters of one periodic-review inventory problem (units: days, units, money).

    Attributes:
        lead_time: L >= 0, days from an order to its arrival (arrives the morning of day t + L).
            Given a lead-time distribution (``{"values": [...], "probabilities": [...]}`` or a
            :class:`~gym_inventory.leadtime.LeadTimeDistribution`), it becomes the largest
            value (the pipeline's length) and the distribution is ``lead_time_distribution``.
        review_period: P >= 1, days between orders; one env step simulates P days.
        horizon: order epochs in an episode (>= 1); an episode covers ``horizon * P`` days.
        lost_sales: unmet demand is lost (True) or backlogged (False).
        holding_cost: h >= 0, money per unit on hand at the end of a day.
        penalty_cost: p >= 0, money per unit backlogged at the end of a day, or per unit lost.
        reward_timing: ``"step"`` (the step's own P days) or ``"lead_time_window"``
            (the P days starting L days later, the days this order controls).
        objective: ``"cost"`` (holding + penalty) or ``"service"`` (a weighted stockout
            and turnover loss, see :class:`~gym_inventory.envs.InventoryEnv`).
        stockout_weight: weight of a stockout day in the ``"service"`` objective.
        turnover_weight: weight of a day's on-hand, in days of mean demand, in ``"service"``.
        normalize: observations and rewards in units of the SKU's scale (mean daily demand).
        pipeline_unit: units of stock per unit of the observed pipeline (> 0): the observation's
            pipeline entries are divided by it, rewards are not (the study's Coeff/Both networks
            read the pipeline / 100). None: the SKU's scale when ``normalize``, else 1.
        forecast_noise: relative standard deviation of the forecast features (0 = perfect).
        forecast_source: what the forecast features average: ``"expected"`` (the demand
            model's expected demand of each day, known in advance: a non-anticipating
            forecast) or ``"realized"`` (the realized demand of the coming days, as in the
            study's experiment code: an oracle that lets a policy see the future, so
            optimal-policy references no longer bound its cost).
        order_crossing: with a lead-time distribution: orders arrive after independent draws and
            may cross (True), or in the order placed (False, sequential deliveries); see
            :mod:`gym_inventory.leadtime`. No effect on an integer lead time.
        lead_time_distribution: the lead-time distribution, None for a fixed lead time (set
            from ``lead_time``; pass it only with ``lead_time`` equal to its largest value).
    """

    lead_time: int = 2
    review_period: int = 1
    horizon: int = 90
    lost_sales: bool = False
    holding_cost: float = 1.0
    penalty_cost: float = 9.0
    reward_timing: str = "step"
    objective: str = "cost"
    stockout_weight: float = 1.0
    turnover_weight: float = 0.1
    normalize: bool = True
    pipeline_unit: float | None = None
    forecast_noise: float = 0.0
    forecast_source: str = "expected"
    order_crossing: bool = True
    lead_time_distribution: object = None

    def __post_init__(self):
        set_ = object.__setattr__
        lead_time, distribution = make_lead_time(self.lead_time)
        if self.lead_time_distribution is not None:
            given = make_lead_time(self.lead_time_distribution)[1]
            if given is None or (distribution is not None and given != distribution) or given.max != lead_time:
                raise ValueError(
                    f"lead_time_distribution={self.lead_time_distribution!r} does not match lead_time={self.lead_time!r}: "
                    "pass the distribution as lead_time alone"
                )
            distribution = given
        set_(self, "lead_time", lead_time)
        set_(self, "lead_time_distribution", distribution)
        set_(self, "order_crossing", check_bool("order_crossing", self.order_crossing))
        set_(self, "review_period", check_int("review_period", self.review_period, 1, LIMITS["review_period"]))
        set_(self, "horizon", check_int("horizon", self.horizon, 1, LIMITS["horizon"]))
        set_(self, "lost_sales", check_bool("lost_sales", self.lost_sales))
        set_(self, "holding_cost", check_real("holding_cost", self.holding_cost, maximum=LIMITS["cost"]))
        set_(self, "penalty_cost", check_real("penalty_cost", self.penalty_cost, maximum=LIMITS["cost"]))
        set_(self, "reward_timing", check_choice("reward_timing", self.reward_timing, REWARD_TIMINGS))
        set_(self, "objective", check_choice("objective", self.objective, OBJECTIVES))
        set_(self, "stockout_weight", check_real("stockout_weight", self.stockout_weight, maximum=LIMITS["cost"]))
        set_(self, "turnover_weight", check_real("turnover_weight", self.turnover_weight, maximum=LIMITS["cost"]))
        set_(self, "normalize", check_bool("normalize", self.normalize))
        if self.pipeline_unit is not None:
            set_(self, "pipeline_unit", check_real("pipeline_unit", self.pipeline_unit, 0.0, strict=True,
                                                   maximum=LIMITS["max_order"]))
        set_(self, "forecast_noise", check_real("forecast_noise", self.forecast_noise))
        set_(self, "forecast_source", check_choice("forecast_source", self.forecast_source, FORECAST_SOURCES))
        if distribution is not None and self.reward_timing == "lead_time_window":
            raise ValueError(
                "reward_timing='lead_time_window' needs a fixed lead time (the days an order controls); "
                f"got lead_time={distribution.as_dict()!r}: use reward_timing='step'"
            )
        days = self.horizon * self.review_period + self.lead_time
        if days > LIMITS["episode_days"]:
            raise ValueError(
                f"horizon x review_period + lead_time must be <= {LIMITS['episode_days']} days (the documented limit: "
                f"one episode's demand and pipeline are held in memory), got {self.horizon} x {self.review_period} + "
                f"{self.lead_time} = {days}"
            )

    @property
    def episode_days(self) -> int:
        """Days simulated in one episode: ``horizon * review_period``."""
        return self.horizon * self.review_period

    @property
    def stochastic_lead_time(self) -> bool:
        """True when lead times are drawn per order (a distribution, even of one value)."""
        return self.lead_time_distribution is not None

    @property
    def lookahead_days(self) -> int:
        """Extra days of demand an episode needs past its end (L for ``lead_time_window``)."""
        return self.lead_time if self.reward_timing == "lead_time_window" else 0

    @property
    def critical_ratio(self) -> float:
        """p / (p + h), the newsvendor critical fractile (0.5 when both costs are 0)."""
        total = self.holding_cost + self.penalty_cost
        return self.penalty_cost / total if total > 0 else 0.5
