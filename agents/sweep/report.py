"""What a sweep reports: its trial table, the reference cost, the chosen trial, the best-so-far curve.

Files written to the sweep directory (regenerated from the study after every run):
``trials.csv``, ``best_so_far.{csv,json,png}`` and ``summary.json``.
"""
from __future__ import annotations

import csv
import json
import math
import os
import statistics

import optuna
from optuna.trial import TrialState

from agents.runs import finite_json
from agents.sweep.curves import curve_record, write_curves
from agents.sweep.spec import SweepSpec
from agents.sweep.storage import sweep_place

#: Columns of ``trials.csv`` that tell learning from initialization (see :mod:`agents.sweep.trainers`).
LEARNING_COLUMNS = ("best_step", "initial_cost", "kept_cost")
SUMMARY_FILE = "summary.json"
TRIALS_FILE = "trials.csv"
CURVE_STEM = "best_so_far"


def trial_table(study: optuna.Study) -> list[dict]:
    """Finished trials: COMPLETE ones, and FAIL ones with an ``error`` (infinite costs).

    In trial-number order, where a retry of an interrupted trial takes the place of the trial it retries
    (:func:`agents.sweep.storage.sweep_place`).
    """
    rows = []
    trials = study.get_trials(deepcopy=False)
    for trial in [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.FAIL)]:
        attrs = trial.user_attrs
        if trial.state == TrialState.FAIL and "error" not in attrs:
            continue  # interrupted: replaced by another trial
        complete = trial.state == TrialState.COMPLETE
        rows.append({
            "number": trial.number, "state": trial.state.name,
            "val_cost": attrs.get("val_cost", math.inf) if complete else math.inf,
            "test_cost": attrs.get("test_cost", math.inf) if complete else math.inf,
            "test_ci": attrs.get("test_ci"), "train_seconds": attrs.get("train_seconds"),
            "best_step": (attrs.get("trainer") or {}).get("best_step"),
            "initial_cost": (attrs.get("trainer") or {}).get("initial_cost"),
            "kept_cost": (attrs.get("trainer") or {}).get("kept_cost"),
            "params": dict(trial.params), "error": attrs.get("error"), "place": sweep_place(trial, trials),
        })
    return [{k: v for k, v in row.items() if k != "place"} for row in sorted(rows, key=lambda row: (row["place"], row["number"]))]


def default_reference(env_kwargs: dict) -> str:
    """``"optimal_base_stock"`` for backlog with IID demand of one fixed distribution, else ``"best_classical"``."""
    from gym_inventory.evaluation import problem_of

    problem = problem_of(env_kwargs)
    if problem.params.lost_sales or not getattr(problem.demand, "fixed", False):
        return "best_classical"
    try:
        import gym_inventory.optimal  # noqa: F401  (the baselines issue's exact optimum)
    except ImportError:
        return "best_classical"
    return "optimal_base_stock"


def reference_cost(spec: SweepSpec) -> dict:
    """The reference of the sweep's problem on its test SKUs: ``{"policy", "cost", "exact", "candidates"}``."""
    from gym_inventory.study import Reference, reference

    splits = spec.splits
    if spec.reference == "optimal_base_stock":
        from gym_inventory.optimal import optimal_base_stock_for

        policy = optimal_base_stock_for(splits.env_kwargs).policy()
        test = splits.evaluate(policy, "test")
        result = Reference(policy.name, test.cost, True, {policy.name: (splits.evaluate(policy, "val").cost, test.cost)},
                           status="optimum")
    else:
        result = reference(splits, spec.reference)
    return {"policy": result.policy_name, "cost": result.cost, "exact": result.exact, "status": result.status,
            "candidates": {k: {"val_cost": v[0], "test_cost": v[1]} for k, v in result.candidates.items()}}


def summarize(spec: SweepSpec, study: optuna.Study, out_dir, *, n_trials: int | None = None) -> dict:
    """Write the sweep's table, curve and summary into ``out_dir``; return the summary."""
    out_dir = os.fspath(out_dir)
    rows = trial_table(study)
    ref = reference_cost(spec)
    summary = {"study": spec.study_name(), "algo": spec.algo, "regularization": spec.regularization,
               "setting": spec.setting, "requested_trials": n_trials, "finished_trials": len(rows),
               "failed_trials": sum(row["state"] == "FAIL" for row in rows), "reference": ref,
               "learning": learning_summary(rows)}
    write_trials_csv(rows, os.path.join(out_dir, TRIALS_FILE))
    finite = [row for row in rows if math.isfinite(row["val_cost"])]
    if finite:
        best = min(finite, key=lambda row: (row["val_cost"], row["number"]))
        summary["chosen_trial"] = dict(best, gap=best["test_cost"] / ref["cost"] - 1.0)
        label = f"{spec.algo}+{spec.regularization}"
        record = curve_record(label, [([r["val_cost"] for r in rows], [r["test_cost"] for r in rows])], ref["cost"],
                              seed=spec.seed)
        write_curves([record], os.path.join(out_dir, CURVE_STEM), reference=ref["cost"], reference_label=ref["policy"],
                     title=f"{label} on {spec.setting or 'the env config'}: best-so-far test cost")
        summary["curve"] = {k: record[k] for k in ("final_cost", "final_gap", "trials_to_reach", "median_trials_to_reach",
                                                   "share_reaching", "band")}
    with open(os.path.join(out_dir, SUMMARY_FILE), "w", encoding="utf-8") as handle:
        json.dump(finite_json(summary), handle, indent=2)
        handle.write("\n")
    return summary


def write_trials_csv(rows: list[dict], path) -> None:
    names = sorted({name for row in rows for name in row["params"]})
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["number", "state", "val_cost", "test_cost", "test_ci", "train_seconds", *LEARNING_COLUMNS,
                         *names, "error"])
        for row in rows:
            writer.writerow([row["number"], row["state"], row["val_cost"], row["test_cost"], row["test_ci"],
                             row["train_seconds"], *(row.get(n) for n in LEARNING_COLUMNS),
                             *(row["params"].get(n) for n in names), row["error"] or ""])


def learning_summary(rows: list[dict]) -> dict:
    """Learning or initialization, over finished trials: how many kept the untrained policy
    (``best_step == 0``), and the median ratio of the kept to the initial validation cost."""
    known = [row for row in rows if row.get("best_step") is not None]
    ratios = [row["kept_cost"] / row["initial_cost"] for row in known
              if row.get("initial_cost") and row.get("kept_cost") is not None and math.isfinite(row["initial_cost"])]
    return {"trials": len(known), "kept_untrained": sum(row["best_step"] == 0 for row in known),
            "median_kept_over_initial": float(statistics.median(ratios)) if ratios else None}


def read_trials_csv(path) -> tuple[list, list]:
    """``(val_costs, test_costs)`` of a sweep's ``trials.csv`` in trial order (for the benchmark's curves)."""
    with open(os.fspath(path), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [float(r["val_cost"]) for r in rows], [float(r["test_cost"]) for r in rows]


def read_learning_csv(path) -> list[dict]:
    """Per trial of a sweep's ``trials.csv``: its number, the learning columns (None where a trial did
    not record them) and its test cost."""
    with open(os.fspath(path), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    def number(text):
        return None if text in (None, "", "None") else float(text)

    return [{"trial": int(r["number"]), "best_step": None if number(r.get("best_step")) is None else int(number(r["best_step"])), "initial_cost": number(r.get("initial_cost")),
             "kept_cost": number(r.get("kept_cost")), "test_cost": number(r.get("test_cost"))} for r in rows]


