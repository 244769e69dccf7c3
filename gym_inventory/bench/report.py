"""The layout of a ``bench run`` directory, and its report: tables, plots and JSON.

Layout (written by ``gym-inventory bench run``, read here)::

    DIR/<method>/<instance>/seed_<k>/score.json   # one run: method, instance, seed, budget, scores
    DIR/<method>/<instance>/seed_<k>/run/         # the trainer's run directory (learned methods)

``<method>`` is ``<algo>+<reg>`` for a learned policy (``ppo+base``, ``ds+base``) or the
name of a classical policy (``best_base_stock``). ``score.json`` holds
:meth:`gym_inventory.bench.scores.InstanceScore.as_dict` plus the run's facts
(``method``, ``algo``, ``reg``, ``seed``, ``timesteps``, ``wall_time_s``).

:func:`write_report` reads one or more such directories and writes, into a new
directory: ``runs.csv`` (every run), ``leaderboard.csv`` and ``leaderboard.md`` (per
method and instance, the mean over seeds of the gap and the score), ``aggregates.csv``
(IQM, mean, median, optimality gap of the normalized score with 95% stratified
bootstrap CIs, :mod:`gym_inventory.bench.aggregate`), ``aggregates.png``,
``profiles.png``, ``improvement.png`` (when pairs are asked for) and ``report.json``.
"""
from __future__ import annotations

import csv
import json
import math
import os

import numpy as np

SCORE_FILE = "score.json"


def cell_dir(out_dir, method: str, instance: str, seed: int) -> str:
    """The directory of one run."""
    return os.path.join(os.fspath(out_dir), method, instance, f"seed_{int(seed)}")


def read_scores(directories) -> list:
    """Every ``score.json`` under the given bench directories, as dicts (sorted by method, instance, seed)."""
    records = []
    for directory in directories:
        directory = os.fspath(directory)
        if not os.path.isdir(directory):
            raise ValueError(f"bench directory {directory!r} does not exist")
        for root, _, files in os.walk(directory):
            if SCORE_FILE in files:
                path = os.path.join(root, SCORE_FILE)
                try:
                    with open(path, encoding="utf-8") as handle:
                        record = json.load(handle)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path!r} is not valid JSON: {error}") from None
                missing = [k for k in ("method", "instance", "seed", "gap", "score") if k not in record]
                if missing:
                    raise ValueError(f"{path!r} is not a bench score (missing {', '.join(missing)})")
                records.append(record)
    if not records:
        raise ValueError(f"no {SCORE_FILE} found under {', '.join(map(os.fspath, directories))}; run `gym-inventory bench run` first")
    return sorted(records, key=lambda r: (r["method"], r["instance"], r["seed"]))


def score_matrices(records) -> tuple:
    """``({method: (n_seeds, n_instances) scores / 100}, instances)`` over the instances every method ran.

    A method keeps the seeds it completed on all of those instances; a method with none is left out.
    """
    by_method = {}
    for r in records:
        by_method.setdefault(r["method"], {}).setdefault(r["instance"], {})[r["seed"]] = r["score"] / 100.0
    instances = sorted(set.intersection(*(set(v) for v in by_method.values())))
    matrices = {}
    for method, cells in by_method.items():
        seeds = sorted(set.intersection(*(set(cells[i]) for i in instances))) if instances else []
        if seeds:
            matrices[method] = np.array([[cells[i][s] for i in instances] for s in seeds])
    return matrices, instances


def leaderboard(records) -> list:
    """Rows per (method, instance): seeds, mean gap and score over seeds (fractions / points), mean CI, wall time."""
    groups = {}
    for r in records:
        groups.setdefault((r["method"], r["instance"]), []).append(r)
    rows = []
    for (method, instance), runs in sorted(groups.items()):
        rows.append({
            "method": method, "instance": instance, "seeds": len(runs),
            "gap": float(np.mean([r["gap"] for r in runs])), "gap_ci": float(np.mean([r["gap_ci"] for r in runs])),
            "gap_min": float(np.min([r["gap"] for r in runs])), "gap_max": float(np.max([r["gap"] for r in runs])),
            "score": float(np.mean([r["score"] for r in runs])),
            "timesteps": runs[0].get("timesteps"),
            "wall_time_s": float(np.mean([r.get("wall_time_s", math.nan) for r in runs])),
        })
    return rows


def markdown_table(rows, instances) -> str:
    """Methods as rows, instances as columns: mean gap % over seeds (seeds, min..max in the cell's title)."""
    methods = sorted({r["method"] for r in rows})
    cell = {(r["method"], r["instance"]): r for r in rows}
    lines = ["| method | " + " | ".join(instances) + " | mean gap | mean score |",
             "|---|" + "---:|" * (len(instances) + 2)]
    for method in methods:
        found = [cell[(method, i)] for i in instances if (method, i) in cell]
        cells = [f"{100 * cell[(method, i)]['gap']:+.2f}% ({cell[(method, i)]['seeds']})" if (method, i) in cell else "—"
                 for i in instances]
        mean_gap = f"{100 * np.mean([c['gap'] for c in found]):+.2f}%" if found else "—"
        mean_score = f"{np.mean([c['score'] for c in found]):.1f}" if found else "—"
        lines.append(f"| {method} | " + " | ".join(cells) + f" | {mean_gap} | {mean_score} |")
    return "\n".join(lines)


def _write_csv(path, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_report(directories, out_dir, *, pairs=(), reps: int | None = None) -> dict:
    """Write the report of ``directories`` into the new directory ``out_dir``; return report.json's content.

    ``pairs``: ``(X, Y)`` method pairs for the probability of improvement. ``out_dir`` must
    not exist or be empty (nothing is overwritten).
    """
    from gym_inventory.bench import aggregate

    out_dir = os.fspath(out_dir)
    if os.path.exists(out_dir) and (not os.path.isdir(out_dir) or os.listdir(out_dir)):
        raise ValueError(f"--out {out_dir!r} exists and is not an empty directory; choose a new one (nothing is overwritten)")
    records = read_scores(directories)
    matrices, instances = score_matrices(records)
    rows = leaderboard(records)
    options = {} if reps is None else {"reps": reps}
    pairs = [tuple(p) for p in pairs]
    for x, y in pairs:
        for method in (x, y):
            if method not in matrices:
                raise ValueError(f"--pair {x},{y}: method {method!r} has no complete seed on the common instances; "
                                 f"methods: {', '.join(sorted(matrices)) or 'none'}")
    os.makedirs(out_dir, exist_ok=True)
    run_rows = [{k: r.get(k) for k in ("method", "instance", "seed", "timesteps", "gap", "gap_ci", "score", "score_ci",
                                       "wall_time_s")} for r in records]
    _write_csv(os.path.join(out_dir, "runs.csv"), run_rows)
    _write_csv(os.path.join(out_dir, "leaderboard.csv"), rows)
    all_instances = sorted({r["instance"] for r in records})
    table = markdown_table(rows, all_instances)
    with open(os.path.join(out_dir, "leaderboard.md"), "w", encoding="utf-8") as handle:
        handle.write(table + "\n")
    report = {"instances": instances, "leaderboard": rows, "aggregates": [], "probability_of_improvement": {}}
    if matrices and instances:
        report["aggregates"] = aggregate.aggregate_table(matrices, **options)
        _write_csv(os.path.join(out_dir, "aggregates.csv"), report["aggregates"])
        aggregate.plot_aggregates(matrices, os.path.join(out_dir, "aggregates.png"), **options)
        aggregate.plot_profiles(matrices, os.path.join(out_dir, "profiles.png"), **options)
        if pairs:
            estimates, intervals = aggregate.probability_of_improvement(matrices, pairs, **options)
            report["probability_of_improvement"] = {k: {"p": v, "low": float(intervals[k][0]), "high": float(intervals[k][1])}
                                                    for k, v in estimates.items()}
            aggregate.plot_improvement(matrices, pairs, os.path.join(out_dir, "improvement.png"), **options)
    report["markdown"] = table
    with open(os.path.join(out_dir, "report.json"), "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
        handle.write("\n")
    return report


def format_report(report: dict) -> str:
    """The text ``bench report`` prints: the leaderboard and the aggregates."""
    lines = [report["markdown"], ""]
    if report["aggregates"]:
        lines.append(f"normalized score (1 = optimum, 0 = naive), 95% stratified bootstrap CI, over "
                     f"{len(report['instances'])} common instance(s):")
        lines.append(f"{'method':<24} {'runs':>4} " + " ".join(f"{m:>22}" for m in aggregate_metrics()))
        for row in report["aggregates"]:
            values = " ".join(f"{row[m]:>7.3f} [{row[m + ' low']:.3f}, {row[m + ' high']:.3f}]" for m in aggregate_metrics())
            lines.append(f"{row['method']:<24} {row['runs']:>4} {values}")
    for key, value in report["probability_of_improvement"].items():
        lines.append(f"P({key.replace(',', ' > ')}) = {value['p']:.3f} [{value['low']:.3f}, {value['high']:.3f}]")
    return "\n".join(lines)


def aggregate_metrics() -> tuple:
    from gym_inventory.bench.aggregate import METRICS

    return METRICS
