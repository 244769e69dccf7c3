"""Aggregates of normalized scores over instances and seeds, with honest uncertainty (rliable).

Input: ``{method: (n_seeds, n_instances) array}`` of normalized scores as fractions
(``score / 100``: 0 = the naive policy, 1 = the optimum), every method on the same
instances in the same order. The point estimates are rliable's
(``rliable.metrics``): interquartile mean (IQM), mean, median, and optimality gap
(the mean shortfall below 1, scores above 1 counted as 1); the probability of
improvement P(X > Y) of one method over another is ``rliable.metrics.probability_of_improvement``.

Confidence intervals (95%, percentile) come from a stratified bootstrap: the seeds
are resampled with replacement within each instance, independently across
instances (Agarwal et al. 2021, the method of ``rliable.library.StratifiedBootstrap``).
It is computed here with numpy because ``rliable.library`` imports ``arch``, whose
releases that rliable allows (< 8) fail to import with pandas 3.

Performance profiles: the fraction of (seed, instance) runs with a score above each
threshold tau, with stratified-bootstrap bands. Plots use ``rliable.plot_utils``.
"""
from __future__ import annotations

import numpy as np

#: Metric name -> rliable estimator over a (n_seeds, n_instances) matrix.
METRICS = ("IQM", "Mean", "Median", "Optimality gap")
#: Bootstrap replications and the seed of their random numbers (fixed: reports are reproducible).
REPS = 2000
BOOTSTRAP_SEED = 0


def _estimators() -> dict:
    from rliable import metrics

    return {"IQM": metrics.aggregate_iqm, "Mean": metrics.aggregate_mean, "Median": metrics.aggregate_median,
            "Optimality gap": metrics.aggregate_optimality_gap}


def check_scores(scores: dict) -> dict:
    """``scores`` as float arrays, validated: ``{method: (n_seeds, n_instances)}``, same instances for all."""
    if not isinstance(scores, dict) or not scores:
        raise TypeError(f"scores must be a non-empty dict of method -> (n_seeds, n_instances) arrays, got {scores!r}")
    out, width = {}, None
    for method, matrix in scores.items():
        array = np.asarray(matrix, dtype=np.float64)
        if array.ndim != 2 or array.shape[0] < 1 or array.shape[1] < 1 or not np.all(np.isfinite(array)):
            raise ValueError(f"scores[{method!r}] must be a finite (n_seeds, n_instances) matrix, got shape {array.shape}")
        if width is not None and array.shape[1] != width:
            raise ValueError(f"every method needs the same instances: scores[{method!r}] has {array.shape[1]}, expected {width}")
        width = array.shape[1]
        out[str(method)] = array
    return out


def stratified_resamples(matrix: np.ndarray, reps: int, rng) -> np.ndarray:
    """``(reps, n_seeds, n_instances)``: seeds resampled with replacement within each instance."""
    n_seeds, n_instances = matrix.shape
    index = rng.integers(0, n_seeds, size=(reps, n_seeds, n_instances))
    return np.take_along_axis(np.broadcast_to(matrix, (reps, n_seeds, n_instances)), index, axis=1)


def interval_estimates(scores: dict, *, reps: int = REPS, seed: int = BOOTSTRAP_SEED) -> tuple:
    """Point estimates and 95% CIs of every metric: ``({method: (n_metrics,)}, {method: (2, n_metrics)})``."""
    scores = check_scores(scores)
    estimators = _estimators()
    points, intervals = {}, {}
    for method, matrix in scores.items():
        rng = np.random.default_rng(seed)
        samples = stratified_resamples(matrix, reps, rng)
        points[method] = np.array([estimators[m](matrix) for m in METRICS])
        boot = np.array([[estimators[m](sample) for m in METRICS] for sample in samples])
        intervals[method] = np.percentile(boot, [2.5, 97.5], axis=0)
    return points, intervals


def performance_profiles(scores: dict, taus, *, reps: int = REPS, seed: int = BOOTSTRAP_SEED) -> tuple:
    """Fraction of runs scoring above each tau, and its 95% band: ``({method: (n_taus,)}, {method: (lower, upper)})``."""
    scores = check_scores(scores)
    taus = np.asarray(taus, dtype=np.float64)
    profiles, bands = {}, {}
    for method, matrix in scores.items():
        profiles[method] = (matrix[..., None] > taus).mean(axis=(0, 1))
        samples = stratified_resamples(matrix, reps, np.random.default_rng(seed))
        boot = (samples[..., None] > taus).mean(axis=(1, 2))
        lower, upper = np.percentile(boot, [2.5, 97.5], axis=0)
        bands[method] = (lower, upper)
    return profiles, bands


def probability_of_improvement(scores: dict, pairs, *, reps: int = REPS, seed: int = BOOTSTRAP_SEED) -> tuple:
    """P(X > Y) for each ``(X, Y)`` in ``pairs`` and its 95% CI: ``({"X,Y": p}, {"X,Y": (lower, upper)})``."""
    from rliable import metrics

    scores = check_scores(scores)
    estimates, intervals = {}, {}
    for x, y in pairs:
        for method in (x, y):
            if method not in scores:
                raise ValueError(f"probability of improvement: unknown method {method!r}; known: {sorted(scores)}")
        rng = np.random.default_rng(seed)
        key = f"{x},{y}"
        estimates[key] = float(metrics.probability_of_improvement(scores[x], scores[y]))
        xs, ys = stratified_resamples(scores[x], reps, rng), stratified_resamples(scores[y], reps, rng)
        boot = [metrics.probability_of_improvement(a, b) for a, b in zip(xs, ys)]
        intervals[key] = tuple(np.percentile(boot, [2.5, 97.5]))
    return estimates, intervals


def aggregate_table(scores: dict, **options) -> list:
    """Rows ``{"method", metric, metric + " low", metric + " high", ...}`` (fractions), one per method."""
    points, intervals = interval_estimates(scores, **options)
    rows = []
    for method in points:
        row = {"method": method, "runs": int(np.asarray(scores[method]).size)}
        for k, metric in enumerate(METRICS):
            row[metric] = float(points[method][k])
            row[f"{metric} low"], row[f"{metric} high"] = (float(v) for v in intervals[method][:, k])
        rows.append(row)
    return rows


def plot_aggregates(scores: dict, path, **options) -> None:
    """A PNG of every metric's point estimate and 95% CI per method (rliable's interval plot)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from rliable import plot_utils

    points, intervals = interval_estimates(scores, **options)
    fig, _ = plot_utils.plot_interval_estimates(points, intervals, metric_names=list(METRICS),
                                                algorithms=list(points), xlabel="Normalized score (1 = optimum)",
                                                xlabel_y_coordinate=-0.1 - 0.8 / len(points))
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)


def plot_profiles(scores: dict, path, taus=None, **options) -> None:
    """A PNG of the performance profiles with their bands (rliable's profile plot)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from rliable import plot_utils

    taus = np.linspace(0.0, 1.05, 43) if taus is None else np.asarray(taus, dtype=np.float64)
    profiles, bands = performance_profiles(scores, taus, **options)
    fig, ax = plt.subplots(figsize=(7, 4))
    plot_utils.plot_performance_profiles(profiles, taus, performance_profile_cis=bands, ax=ax,
                                         xlabel=r"Normalized score ($\tau$, 1 = optimum)")
    ax.legend(loc="lower left", fontsize="small")
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)


def plot_improvement(scores: dict, pairs, path, **options) -> None:
    """A PNG of P(X > Y) with CIs for ``pairs`` (rliable's plot)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from rliable import plot_utils

    estimates, intervals = probability_of_improvement(scores, pairs, **options)
    fig, ax = plt.subplots(figsize=(5, 0.6 + 0.5 * len(estimates)))
    plot_utils.plot_probability_of_improvement(estimates, {k: np.array(v) for k, v in intervals.items()}, ax=ax)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
