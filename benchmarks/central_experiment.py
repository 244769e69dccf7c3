"""The central experiment: does policy regularization steady DRL? Methods x regularizations x settings.

    python -m benchmarks.central_experiment --preset medium     # estimated about 2 hours on 2 free cores
    python -m benchmarks.central_experiment --preset full       # the authors' budgets (a cluster: see docs/sweeps.md)
    python -m benchmarks.central_experiment --preset medium --settings setting1 --methods ds ppo --trials 4

On the study's settings as its authors' code runs them (:mod:`gym_inventory.study`), for
every setting, method and regularization it runs ``repeats`` random-search sweeps
(:func:`agents.sweep.run_sweep`) over the study's search spaces (the authors' ranges,
``agents/search_spaces/study``); each sweep is resumable in ``--out``, and repeat ``r`` of
every arm uses seed ``r`` (the same trial-order and training seeds, the same SKUs), so
arms are compared pairwise over repeats. It writes to ``--results`` (default
``docs/results``):

* ``central_<preset>.md`` / ``.csv`` / ``.json``: per setting x method x regularization,
  the test cost and gap to the setting's reference of the trial chosen by validation after
  all trials (the tuned result, median over repeats), the median gap of a single random
  trial (hyperparameter sensitivity), the number of trials until the best-so-far cost is
  within 2% of the reference, and learning vs initialization (the share of trials whose
  kept policy is the untrained one, ``best_step == 0``, and the median ratio of the kept to
  the step-0 validation cost); then the study's claims, each printed only where the paired
  difference over repeats has a 95% interval that excludes 0, else "no difference detected
  at this budget";
* ``<preset>_<setting>_best_so_far.png`` / ``.csv`` / ``.json``: the best-so-far curves of
  every method x regularization with their bands across repeats.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import time

#: ``medium``: sized to about two hours on 2 cores (an estimate from single-trial timings, not a
#: measured run); ``full``: the authors' budgets (DS 3000 gradient steps, DDPG and PPO 200k env
#: steps), every setting-4 horizon they ran, 50 trials (the package's choice) and 3 repeats.
PRESETS = {
    "medium": {"settings": ["setting1", "setting2", "setting3", "setting4_h16"], "methods": ["ds", "ddpg", "ppo"],
               "regs": ["none", "base", "coeff", "both"], "trials": 8, "repeats": 3,
               "budgets": {"ds": 300, "ddpg": 5000, "ppo": 20000}},
    "full": {"settings": ["setting1", "setting2", "setting3", "setting4_h2", "setting4_h8", "setting4_h16", "setting4_h32",
                          "setting4_h64"],
             "methods": ["ds", "ddpg", "ppo"], "regs": ["none", "base", "coeff", "both"], "trials": 50, "repeats": 3,
             "budgets": {"ds": 3000, "ddpg": 200_000, "ppo": 200_000}},
}
REGULARIZED = ("base", "coeff", "both")


def setting_of(name: str):
    """A study setting (or a package variant) by name."""
    from gym_inventory.study import get_setting

    return get_setting(name)


def run_sweeps(plan: dict, out: str, workers: int) -> None:
    from agents.sweep import SweepSpec, load_space, run_sweep, study_space_file
    from gym_inventory.study import Splits

    sweeps = [(s, m, r, k) for s in plan["settings"] for m in plan["methods"] for r in plan["regs"] for k in range(plan["repeats"])]
    started = time.perf_counter()
    for index, (name, method, kind, repeat) in enumerate(sweeps, 1):
        setting = setting_of(name)
        spec = SweepSpec(method, kind, Splits.of(setting), load_space(study_space_file(method)), budget=plan["budgets"][method],
                         seed=repeat, reference=setting.reference, setting=name)
        summary = run_sweep(spec, sweep_dir(out, name, method, kind, repeat), n_trials=plan["trials"], workers=workers,
                            progress=False)
        chosen = summary.get("chosen_trial") or {}
        print(f"[{index}/{len(sweeps)} {time.perf_counter() - started:6.0f} s] {name} {method}+{kind} seed {repeat}: "
              f"chosen test cost {chosen.get('test_cost', float('nan')):.4f} "
              f"(gap {100 * chosen.get('gap', float('nan')):+.1f}%), reference {summary['reference']['cost']:.4f}", flush=True)


def sweep_dir(out: str, setting: str, method: str, kind: str, repeat: int) -> str:
    return os.path.join(out, setting, f"{method}-{kind}", f"seed{repeat}")


def collect(plan: dict, out: str, results: str, preset: str) -> list:
    """Curves and the results table from the finished sweeps; returns the table rows."""
    from agents.sweep.curves import best_so_far, curve_record, write_curves
    from agents.sweep.report import finite_json, read_learning_csv, read_trials_csv

    rows = []
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
                learning = [row for d, ok in zip(dirs, present) if ok for row in read_learning_csv(os.path.join(d, "trials.csv"))]
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
            write_curves(records, os.path.join(results, f"{preset}_{name}_best_so_far"), reference=reference["cost"],
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="medium")
    parser.add_argument("--out", default=None, help="sweep directories (default runs/central_<preset>; resumable)")
    parser.add_argument("--results", default="docs/results", help="where the table and figures go (default docs/results)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes per sweep (default 2)")
    parser.add_argument("--settings", nargs="+", default=None, help="override the preset's settings")
    parser.add_argument("--methods", nargs="+", default=None, help="override the preset's methods")
    parser.add_argument("--regs", nargs="+", default=None, help="override the preset's regularizations")
    parser.add_argument("--trials", type=int, default=None, help="override the preset's trials per sweep")
    parser.add_argument("--repeats", type=int, default=None, help="override the preset's repeated sweeps")
    parser.add_argument("--budget", nargs="+", default=None, metavar="METHOD=N",
                        help="override budgets per trial, e.g. --budget ds=100 ppo=5000")
    parser.add_argument("--collect-only", action="store_true", help="only rebuild the table and figures from --out")
    args = parser.parse_args(argv)
    plan = dict(PRESETS[args.preset])
    for key in ("settings", "methods", "regs", "trials", "repeats"):
        if getattr(args, key) is not None:
            plan[key] = getattr(args, key)
    if args.budget:
        plan["budgets"] = dict(plan["budgets"])
        for item in args.budget:
            method, _, value = item.partition("=")
            if method not in plan["budgets"] or not value.isdigit() or int(value) < 1:
                parser.error(f"--budget takes METHOD=N with METHOD one of {sorted(plan['budgets'])} and N >= 1, got {item!r}")
            plan["budgets"][method] = int(value)
    out = args.out or os.path.join("runs", f"central_{args.preset}")
    os.makedirs(args.results, exist_ok=True)
    started = time.perf_counter()
    if not args.collect_only:
        run_sweeps(plan, out, args.workers)
    rows = collect(plan, out, args.results, args.preset)
    print(markdown(rows, plan, args.preset))
    print(f"total wall time {time.perf_counter() - started:.0f} s; results in {args.results}/central_{args.preset}.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
