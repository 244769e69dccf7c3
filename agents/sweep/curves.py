"""Best-so-far curves: the test cost of the trial chosen by validation, against the number of trials.

After n trials, the chosen trial is the one with the lowest validation cost among the
first n (the earliest on ties; failed trials have an infinite validation cost and are
never chosen unless every trial so far failed, when the curve is NaN). The curve
reports that trial's test cost, as the study reports a tuned method.

The band: over repeated sweeps when there are several (quantiles across them), else
over random orders of the one sweep's trials (a bootstrap over trial order, valid for
random search where trials are exchangeable).
"""
from __future__ import annotations

import csv
import json
import math
import os

import numpy as np

QUANTILES = (0.1, 0.5, 0.9)
TOLERANCE = 0.02


def best_so_far(val_costs, test_costs) -> np.ndarray:
    """``(n,)``: entry k is the test cost of the lowest-validation trial among trials 0..k."""
    val = np.asarray(val_costs, dtype=np.float64)
    test = np.asarray(test_costs, dtype=np.float64)
    if val.shape != test.shape or val.ndim != 1:
        raise ValueError(f"val_costs and test_costs must be 1-D of one length, got shapes {val.shape} and {test.shape}")
    val = np.where(np.isnan(val), np.inf, val)
    curve = np.full(val.shape, np.nan)
    best = None
    for k, cost in enumerate(val):
        if math.isfinite(cost) and (best is None or cost < val[best]):
            best = k
        if best is not None:
            curve[k] = test[best]
    return curve


def order_curves(val_costs, test_costs, n_orders: int = 200, seed: int = 0) -> np.ndarray:
    """``(n_orders, n)`` best-so-far curves of random permutations of the trials."""
    val = np.asarray(val_costs, dtype=np.float64)
    test = np.asarray(test_costs, dtype=np.float64)
    rng = np.random.default_rng(seed)
    curves = np.empty((n_orders, val.size))
    for row in range(n_orders):
        order = rng.permutation(val.size)
        curves[row] = best_so_far(val[order], test[order])
    return curves


def trials_to_reach(curve, reference: float, tolerance: float = TOLERANCE):
    """The first number of trials whose best-so-far cost is within ``tolerance`` of ``reference``; None if never."""
    hits = np.flatnonzero(np.asarray(curve) <= (1.0 + tolerance) * reference)
    return int(hits[0]) + 1 if hits.size else None


def curve_record(label: str, sweeps: list, reference: float | None = None, *, n_orders: int = 200, seed: int = 0) -> dict:
    """One method's curve, band and summary numbers from ``sweeps``: a list of ``(val_costs, test_costs)``.

    Returns a JSON-ready dict: ``n_trials`` (1..n), ``observed`` (the first sweep's own
    order, or the median across sweeps), ``low``/``median``/``high`` (the band),
    ``final_cost`` (median over sweeps of the cost after all trials) and, with a
    reference, ``final_gap`` and ``trials_to_reach`` (in the observed curve, and the
    median over orders or sweeps; None when not reached).
    """
    if not sweeps:
        raise ValueError(f"{label}: no sweeps given")
    own = [best_so_far(val, test) for val, test in sweeps]
    n = min(curve.size for curve in own)
    if n == 0:
        raise ValueError(f"{label}: a sweep has no finished trials")
    if len(own) == 1:
        sample = order_curves(*sweeps[0], n_orders=n_orders, seed=seed)
        observed = own[0]
        band_source = "bootstrap over trial order"
    else:
        sample = np.stack([curve[:n] for curve in own])
        observed = np.nanmedian(sample, axis=0)
        band_source = f"{len(own)} repeated sweeps"
    low, median, high = (np.nanquantile(sample, q, axis=0) for q in QUANTILES)
    record = {
        "label": label, "n_trials": list(range(1, n + 1)), "observed": _list(observed[:n]), "low": _list(low),
        "median": _list(median), "high": _list(high), "band": band_source, "n_sweeps": len(own),
        "final_cost": float(np.nanmedian([curve[n - 1] for curve in own])),
    }
    if reference is not None:
        reached = [trials_to_reach(curve, reference) for curve in sample]
        record.update(
            reference=float(reference),
            final_gap=record["final_cost"] / reference - 1.0,
            trials_to_reach=trials_to_reach(observed[:n], reference),
            median_trials_to_reach=_median_count(reached),
            share_reaching=float(np.mean([r is not None for r in reached])),
        )
    return record


def _median_count(counts: list):
    """Median of counts where None means 'not within the sweep' (ranked last); None if the median is not reached."""
    ranked = sorted((math.inf if c is None else c) for c in counts)
    value = ranked[(len(ranked) - 1) // 2]
    return None if math.isinf(value) else int(value)


def _list(array) -> list:
    return [None if not math.isfinite(float(v)) else float(v) for v in np.asarray(array, dtype=np.float64)]


def write_curves(records: list, stem, *, title: str = "", reference: float | None = None, reference_label: str = "reference") -> list:
    """Write ``STEM.csv`` (long format), ``STEM.json`` and ``STEM.png``; return the paths."""
    stem = os.fspath(stem)
    os.makedirs(os.path.dirname(stem) or ".", exist_ok=True)
    with open(stem + ".csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["label", "n_trials", "observed", "low", "median", "high"])
        for record in records:
            for row in zip(record["n_trials"], record["observed"], record["low"], record["median"], record["high"]):
                writer.writerow([record["label"], *row])
    with open(stem + ".json", "w", encoding="utf-8") as handle:
        json.dump({"title": title, "reference": reference, "reference_label": reference_label, "curves": records},
                  handle, indent=1)
        handle.write("\n")
    plot_curves(records, stem + ".png", title=title, reference=reference, reference_label=reference_label)
    return [stem + ".csv", stem + ".json", stem + ".png"]


def plot_curves(records: list, path, *, title: str = "", reference: float | None = None,
                reference_label: str = "reference") -> None:
    """Best-so-far test cost against trials: one panel per method (the label before ``+``), a line
    (observed) and a shaded band per regularization, the same colour for a regularization everywhere."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    methods = list(dict.fromkeys(record["label"].split("+")[0] for record in records))
    kinds = list(dict.fromkeys(record["label"].partition("+")[2] for record in records))
    figure, axes = plt.subplots(1, len(methods), figsize=(4.2 * len(methods) + 1, 4.2), sharey=True, squeeze=False)
    nan = float("nan")
    for axis, method in zip(axes[0], methods):
        for record in (r for r in records if r["label"].split("+")[0] == method):
            color = f"C{kinds.index(record['label'].partition('+')[2])}"
            x = record["n_trials"]
            low, high, observed = ([nan if v is None else v for v in record[k]] for k in ("low", "high", "observed"))
            axis.plot(x, observed, label=record["label"], lw=1.8, color=color)
            axis.fill_between(x, low, high, color=color, alpha=0.15, lw=0)
        if reference is not None:
            axis.axhline(reference, color="black", ls="--", lw=1, label=f"{reference_label} ({reference:.3f})")
            axis.axhline(reference * (1 + TOLERANCE), color="gray", ls=":", lw=1, label="reference + 2%")
        # Untuned trials can cost tens of times the reference: a log axis keeps the tuned end readable.
        axis.set_yscale("log")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_xlabel("number of hyperparameter trials")
        axis.set_title(method, fontsize=10)
        axis.legend(fontsize=7)
        axis.grid(alpha=0.3)
    axes[0][0].set_ylabel("test cost/day of the best-so-far trial (log)")
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


#: What a comparison says when its 95% interval holds 0.
NO_DIFFERENCE = "no difference detected at this budget"


def paired_conclusion(baseline, treated, *, claim: str, opposite: str) -> dict:
    """Compare two arms over repeats that share their seeds (repeat ``i`` of each: same trial
    order seed, same training seeds, same SKUs): the mean of ``treated[i] - baseline[i]`` with
    its 95% Student-t interval (:func:`scipy.stats.ttest_rel`).

    The line says ``claim`` only where the whole interval is below 0, ``opposite`` where it
    is above 0, else :data:`NO_DIFFERENCE` (also with fewer than 2 repeats: no interval).
    Returns a JSON-ready dict: ``mean``, ``low``, ``high`` (None without an interval),
    ``repeats``, ``verdict`` (``"lower"``, ``"higher"`` or ``"none"``) and ``line``.
    """
    from scipy import stats

    base = np.asarray(baseline, dtype=np.float64)
    other = np.asarray(treated, dtype=np.float64)
    if base.shape != other.shape or base.ndim != 1:
        raise ValueError(f"baseline and treated must be 1-D of one length (one value per repeat), got {base.shape} and {other.shape}")
    keep = np.isfinite(base) & np.isfinite(other)
    difference = other[keep] - base[keep]
    record = {"repeats": int(difference.size), "mean": float(difference.mean()) if difference.size else None,
              "low": None, "high": None, "verdict": "none"}
    if difference.size >= 2 and np.ptp(difference) > 0:
        interval = stats.ttest_rel(other[keep], base[keep]).confidence_interval(0.95)
        record.update(low=float(interval.low), high=float(interval.high))
        if interval.high < 0:
            record["verdict"] = "lower"
        elif interval.low > 0:
            record["verdict"] = "higher"
    if record["mean"] is None:
        text = "no finished repeats"
    elif record["low"] is None:
        text = f"mean difference {record['mean']:+.4f}, {difference.size} repeat(s): no interval"
    else:
        text = f"mean difference {record['mean']:+.4f}, 95% CI [{record['low']:+.4f}, {record['high']:+.4f}], {difference.size} repeats"
    verdict = {"lower": claim, "higher": opposite, "none": NO_DIFFERENCE}[record["verdict"]]
    record["line"] = f"{verdict} ({text})"
    return record
