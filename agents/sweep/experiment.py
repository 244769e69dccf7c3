"""A grid of sweeps -- settings x methods x regularizations x repeats -- and what it concludes.

Shared by ``benchmarks/central_experiment.py`` (the study's central experiment) and
``gym-inventory demo``. Repeat ``r`` of every arm runs with seed ``r`` (the same
trial-order and training seeds, the same SKUs), so arms pair up repeat by repeat;
:func:`claims` prints a claim only where the paired difference's 95% interval excludes 0.

A plan is a dict: ``settings`` (names of :func:`gym_inventory.study.get_setting`),
``methods``, ``regs``, ``trials`` (per sweep), ``repeats`` and ``budgets`` (method -> budget
per trial: DS gradient steps, SB3 env steps).
"""
from __future__ import annotations

import csv
import json
import os
import statistics
import time

REGULARIZED = ("base", "coeff", "both")


def setting_of(name: str):
    """A study setting (or a package variant) by name; ``NAME:train=N`` gives it ``N`` training
    and ``N`` validation SKUs (the authors' splits have as many validation as training SKUs)."""
    from gym_inventory.params import check_int
    from gym_inventory.study import get_setting

    base, _, size = name.partition(":train=")
    if not size:
        return get_setting(name)
    if not size.isdigit():
        raise ValueError(f"a setting name is NAME or NAME:train=N, got {name!r}")
    n = check_int("train", int(size), 2)
    return get_setting(base, train_skus=n, val_skus=n)


def override_budgets(budgets: dict, items) -> dict:
    """``budgets`` with ``METHOD=N`` items applied (``ValueError`` for an unknown method or a bad N)."""
    budgets = dict(budgets)
    for item in items or []:
        method, _, value = str(item).partition("=")
        if method not in budgets or not value.isdigit() or int(value) < 1:
            raise ValueError(f"--budget takes METHOD=N with METHOD one of {sorted(budgets)} and N >= 1, got {item!r}")
        budgets[method] = int(value)
    return budgets


def study_space(algo: str, kind: str, setting) -> dict:
    """The study's search space of ``algo`` for arm ``kind`` on ``setting``: for coeff and both, the
    setting's regularization options (the authors' ``28 x clip(c, 0, 1)``: ``coefficient_bounds``,
    ``bias_bounds``) join the fixed values (DS: config fields; SB3: ``regularization_options``)."""
    from agents.sweep import load_space, study_space_file
    from gym_inventory.remap import regularization

    space = load_space(study_space_file(algo))
    options = {k: list(v) for k, v in (setting.regularization or {}).items()}
    if options and regularization(kind).per_feature:
        extra = options if algo == "ds" else {"regularization_options": options}
        space = dict(space, fixed=dict(space["fixed"], **extra))
    return space


def run_sweeps(plan: dict, out: str, workers: int, log=print, storage_url: str | None = None) -> None:
    """Run (or resume) every sweep of ``plan`` under ``out``, on the study's search spaces.

    ``storage_url``: an Optuna database shared by several machines (each runs the same command;
    see docs/cluster.md); None: a journal file in each sweep's directory.
    """
    from agents.sweep import SweepSpec, run_sweep
    from gym_inventory.study import Splits

    sweeps = [(s, m, r, k) for s in plan["settings"] for m in plan["methods"] for r in plan["regs"] for k in range(plan["repeats"])]
    started = time.perf_counter()
    for index, (name, method, kind, repeat) in enumerate(sweeps, 1):
        setting = setting_of(name)
        spec = SweepSpec(method, kind, Splits.of(setting, regularization=kind), study_space(method, kind, setting), budget=plan["budgets"][method],
                         seed=repeat, reference=setting.reference, setting=name)
        summary = run_sweep(spec, sweep_dir(out, name, method, kind, repeat), n_trials=plan["trials"], workers=workers,
                            progress=False, storage_url=storage_url)
        chosen = summary.get("chosen_trial") or {}
        log(f"[{index}/{len(sweeps)} {time.perf_counter() - started:6.0f} s] {name} {method}+{kind} seed {repeat}: "
              f"chosen test cost {chosen.get('test_cost', float('nan')):.4f} "
              f"(gap {100 * chosen.get('gap', float('nan')):+.1f}%), reference {summary['reference']['cost']:.4f}")


def file_stem(setting: str) -> str:
    """``setting`` as a portable file-name part: ``setting1:train=5`` -> ``setting1_train5`` (no ``:`` or ``=``)."""
    return setting.replace(":", "_").replace("=", "")


def sweep_dir(out: str, setting: str, method: str, kind: str, repeat: int) -> str:
    """The directory of one sweep of the grid."""
    return os.path.join(out, setting, f"{method}-{kind}", f"seed{repeat}")


def collect(plan: dict, out: str, results: str, preset: str) -> list:
    """Curves and the results table of the finished sweeps under ``out``, written to ``results``
    (``central_<preset>.{md,csv,json}``, ``<preset>_<setting>_best_so_far.{png,csv,json}`` (``:`` and ``=`` left out of the setting: :func:`file_stem`), and
    ``<preset>_trials.csv``: every trial's step of its kept policy, step-0 and kept validation
    cost, and test cost); returns the rows."""
    from agents.sweep.curves import best_so_far, curve_record, write_curves
    from agents.runs import finite_json
    from agents.sweep.report import read_learning_csv, read_trials_csv

    rows, trials = [], []
    for name in plan["settings"]:
        records, reference = [], None
        for method in plan["methods"]:
            for kind in plan["regs"]:
                dirs = [sweep_dir(out, name, method, kind, r) for r in range(plan["repeats"])]
                present = [os.path.exists(os.path.join(d, "summary.json")) for d in dirs]
                if not any(present):
                    continue
                with open(os.path.join(dirs[present.index(True)], "summary.json"), encoding="utf-8") as handle:
                    reference = json.load(handle)["reference"]
                # one entry per repeat (None where that repeat has not run): arms pair up by repeat
                sweeps = [read_trials_csv(os.path.join(d, "trials.csv")) if ok else None for d, ok in zip(dirs, present)]
                done = [sweep for sweep in sweeps if sweep is not None]
                record = curve_record(f"{method}+{kind}", done, reference["cost"])
                records.append(record)
                n = len(record["n_trials"])
                finals = [float(best_so_far(*sweep)[n - 1]) if sweep is not None else None for sweep in sweeps]
                medians = [statistics.median(sweep[1]) if sweep is not None else None for sweep in sweeps]
                learning = [dict(setting=name, method=method, regularization=kind, repeat=repeat, **row)
                            for repeat, (d, ok) in enumerate(zip(dirs, present)) if ok
                            for row in read_learning_csv(os.path.join(d, "trials.csv"))]
                trials.extend(learning)
                known = [row for row in learning if row["best_step"] is not None]
                ratios = [row["kept_cost"] / row["initial_cost"] for row in known if row["initial_cost"] and row["kept_cost"] is not None]
                trial_gaps = [t / reference["cost"] - 1 for _, tests in done for t in tests if t != float("inf")]
                rows.append({
                    "setting": name, "method": method, "regularization": kind, "sweeps": len(done),
                    "trials": n, "reference": reference["policy"], "reference_status": reference.get("status", ""),
                    "reference_cost": reference["cost"],
                    "final_cost": record["final_cost"], "final_gap_pct": 100 * record["final_gap"],
                    "median_trial_gap_pct": 100 * statistics.median(trial_gaps) if trial_gaps else None,
                    "failed_trials": sum(t == float("inf") for _, tests in done for t in tests),
                    "trials_to_2pct": record["trials_to_reach"], "median_trials_to_2pct": record["median_trials_to_reach"],
                    "share_of_orders_reaching_2pct": record["share_reaching"],
                    "kept_untrained_pct": 100 * sum(row["best_step"] == 0 for row in known) / len(known) if known else None,
                    "median_kept_over_initial": statistics.median(ratios) if ratios else None,
                    "per_repeat_final_cost": finals, "per_repeat_median_trial_cost": medians,
                })
        if records:
            write_curves(records, os.path.join(results, f"{preset}_{file_stem(name)}_best_so_far"), reference=reference["cost"],
                         reference_label=reference["policy"],
                         title=f"{name} ({preset} preset): test cost of the trial chosen on validation so far; "
                               f"band: {records[0]['band']}")
    stem = os.path.join(results, f"central_{preset}")
    with open(stem + ".json", "w", encoding="utf-8") as handle:
        json.dump(finite_json({"preset": preset, "plan": plan, "rows": rows, "claims": claims(rows)}), handle, indent=1)
        handle.write("\n")
    if rows:
        with open(stem + ".csv", "w", newline="", encoding="utf-8") as handle:
            flat = [{k: v for k, v in row.items() if not k.startswith("per_repeat")} for row in rows]
            writer = csv.DictWriter(handle, fieldnames=list(flat[0]))
            writer.writeheader()
            writer.writerows(flat)
    if trials:  # every trial: learning vs initialization (best_step 0: the untrained policy was kept)
        with open(os.path.join(results, f"{preset}_trials.csv"), "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(trials[0]))
            writer.writeheader()
            writer.writerows(trials)
    with open(stem + ".md", "w", encoding="utf-8") as handle:
        handle.write(markdown(rows, plan, preset))
    return rows


def _paired(plain: dict, other: dict, key: str):
    """The repeats both rows finished, as two aligned lists."""
    pairs = [(a, b) for a, b in zip(plain[key], other[key]) if a is not None and b is not None]
    return [a for a, _ in pairs], [b for _, b in pairs]


def claims(rows: list) -> list:
    """The study's claims, per setting, method and regularization, tested over the paired repeats.

    "lowers the tuned cost": the best-so-far test cost after all trials, with minus without the
    regularization, repeat by repeat; "makes trials less sensitive": the median test cost of a
    single random trial, likewise. A claim is printed only where the 95% interval of the mean
    paired difference excludes 0 (:func:`agents.sweep.curves.paired_conclusion`).
    """
    from agents.sweep.curves import paired_conclusion

    lines = []
    for setting in sorted({r["setting"] for r in rows}):
        here = [r for r in rows if r["setting"] == setting]
        for method in sorted({r["method"] for r in here}):
            plain = next((r for r in here if r["method"] == method and r["regularization"] == "none"), None)
            if plain is None:
                continue
            for other in (r for r in here if r["method"] == method and r["regularization"] in REGULARIZED):
                kind = other["regularization"]
                tuned = paired_conclusion(*_paired(plain, other, "per_repeat_final_cost"),
                                          claim=f"{kind} lowers the tuned cost", opposite=f"{kind} raises the tuned cost")
                spread = paired_conclusion(*_paired(plain, other, "per_repeat_median_trial_cost"),
                                           claim=f"{kind} makes trials less sensitive (lower median trial cost)",
                                           opposite=f"{kind} makes trials more sensitive (higher median trial cost)")
                lines.append(f"{setting} {method}+{kind} vs {method}+none: tuned cost: {tuned['line']}; "
                             f"random trials: {spread['line']}")
    return lines


def _cell(value, fmt="{:+.1f}%"):
    return "-" if value is None else fmt.format(value)


def markdown(rows: list, plan: dict, preset: str) -> str:
    """The table and the claims as Markdown."""
    budgets = ", ".join(f"{m} {b}" for m, b in plan["budgets"].items())
    lines = [f"# Central experiment, preset `{preset}`", "",
             f"The study's settings as its authors' code runs them; {plan['trials']} random-search trials per sweep over "
             f"the study's search spaces, {plan['repeats']} repeated sweep(s) per cell; budgets per trial: {budgets} "
             "(DS: gradient steps; SB3: env steps). Gaps are to the setting's reference (its status in brackets) on its "
             "test SKUs, on the study's costed days; 'tuned' is the trial chosen on validation after all trials (median "
             "over repeats); 'random trial' is the median over all trials; 'to 2%' is the first trial count whose "
             "best-so-far test cost is within 2% of the reference ('-': not within the sweep); 'kept at step 0' is the "
             "share of trials whose kept policy is the untrained one, 'kept/initial' the median ratio of the kept to the "
             "step-0 validation cost (1: training found nothing better than the initialization).", "",
             "| setting | method | reg | reference | tuned test cost | tuned gap | random-trial gap | to 2% | "
             "kept at step 0 | kept/initial | failed |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['setting']} | {r['method']} | {r['regularization']} | {r['reference']} [{r['reference_status']}] "
                     f"({r['reference_cost']:.3f}) | {r['final_cost']:.3f} | {_cell(r['final_gap_pct'])} | "
                     f"{_cell(r['median_trial_gap_pct'])} | {_cell(r['trials_to_2pct'], '{}')} | "
                     f"{_cell(r['kept_untrained_pct'], '{:.0f}%')} | {_cell(r['median_kept_over_initial'], '{:.2f}')} | "
                     f"{r['failed_trials']} |")
    lines += ["", "## The study's claims on these numbers (paired over repeats, 95% intervals)", ""]
    lines += [f"- {line}" for line in claims(rows)] + [""]
    return "\n".join(lines)


