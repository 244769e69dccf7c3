"""The central experiment: does policy regularization steady DRL? Methods x regularizations x settings.

    python -m benchmarks.central_experiment --preset small      # about 30 minutes on 2 cores
    python -m benchmarks.central_experiment --preset full       # the whole study (days on 2 cores)
    python -m benchmarks.central_experiment --preset small --settings setting1 --methods ds ddpg --trials 8

For every setting (:mod:`gym_inventory.study`), method and regularization it runs a
random-search sweep (:func:`agents.sweep.run_sweep`, the shipped search spaces; each
sweep resumable in ``--out``), then writes to ``--results`` (default ``docs/results``):

* ``central_<preset>.md`` / ``.csv`` / ``.json``: per setting x method x regularization,
  the test cost and gap to the setting's reference of the trial chosen by validation
  after all trials (the tuned result), the median gap of a single random trial (how
  much an untuned configuration loses: hyperparameter sensitivity), and the number of
  trials until the best-so-far test cost is within 2% of the reference (in the sweep's
  order, and the median over 200 random orders; "-" when never); then the study's three
  claims checked on these numbers;
* ``<preset>_<setting>_best_so_far.png`` / ``.csv`` / ``.json``: the best-so-far curves
  of every method x regularization with their bands.

The same data seed gives every sweep of a setting the same training, validation and
test SKUs; ``--repeats R`` repeats each sweep with seeds 0..R-1 (bands across repeats).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import statistics
import time

PRESETS = {
    "small": {"settings": ["setting1", "setting2", "setting4"], "methods": ["ds", "ddpg", "ppo"],
              "regs": ["none", "base", "both"], "trials": 16, "repeats": 1,
              "budgets": {"ds": 300, "ddpg": 5000, "ppo": 20000}},
    "full": {"settings": ["setting1", "setting2", "setting3", "setting4", "setting4_h2", "setting4_h64"],
             "methods": ["ds", "ddpg", "ppo"], "regs": ["none", "base", "coeff", "both"], "trials": 50, "repeats": 3,
             "budgets": {"ds": 1000, "ddpg": 20000, "ppo": 50000}},
}
REGULARIZED = ("base", "coeff", "both")


def setting_of(name: str):
    """A study setting by name; ``setting4_h64`` is setting 4 with a horizon of 64 epochs."""
    from gym_inventory.study import get_setting

    match = re.fullmatch(r"(setting\d+)_h(\d+)", name)
    return get_setting(match.group(1), horizon=int(match.group(2))) if match else get_setting(name)


def run_sweeps(plan: dict, out: str, workers: int) -> None:
    from agents.sweep import SweepSpec, load_space, run_sweep, space_file
    from gym_inventory.study import Splits

    sweeps = [(s, m, r, k) for s in plan["settings"] for m in plan["methods"] for r in plan["regs"] for k in range(plan["repeats"])]
    started = time.perf_counter()
    for index, (name, method, kind, repeat) in enumerate(sweeps, 1):
        setting = setting_of(name)
        spec = SweepSpec(method, kind, Splits.of(setting), load_space(space_file(method)), budget=plan["budgets"][method],
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
    from agents.sweep.curves import curve_record, write_curves
    from agents.sweep.report import finite_json, read_trials_csv

    rows = []
    for name in plan["settings"]:
        records, reference = [], None
        for method in plan["methods"]:
            for kind in plan["regs"]:
                dirs = [sweep_dir(out, name, method, kind, r) for r in range(plan["repeats"])]
                dirs = [d for d in dirs if os.path.exists(os.path.join(d, "summary.json"))]
                if not dirs:
                    continue
                with open(os.path.join(dirs[0], "summary.json"), encoding="utf-8") as handle:
                    reference = json.load(handle)["reference"]
                sweeps = [read_trials_csv(os.path.join(d, "trials.csv")) for d in dirs]
                record = curve_record(f"{method}+{kind}", sweeps, reference["cost"])
                records.append(record)
                trial_gaps = [t / reference["cost"] - 1 for _, tests in sweeps for t in tests if t != float("inf")]
                rows.append({
                    "setting": name, "method": method, "regularization": kind, "sweeps": len(sweeps),
                    "trials": len(record["n_trials"]), "reference": reference["policy"], "reference_cost": reference["cost"],
                    "final_cost": record["final_cost"], "final_gap_pct": 100 * record["final_gap"],
                    "median_trial_gap_pct": 100 * statistics.median(trial_gaps) if trial_gaps else None,
                    "failed_trials": sum(t == float("inf") for _, tests in sweeps for t in tests),
                    "trials_to_2pct": record["trials_to_reach"], "median_trials_to_2pct": record["median_trials_to_reach"],
                    "share_of_orders_reaching_2pct": record["share_reaching"],
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
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    with open(stem + ".md", "w", encoding="utf-8") as handle:
        handle.write(markdown(rows, plan, preset))
    return rows


def claims(rows: list) -> list:
    """The study's claims, checked per setting and DRL method on the table: one line each."""
    lines = []
    for setting in sorted({r["setting"] for r in rows}):
        here = [r for r in rows if r["setting"] == setting]
        for method in ("ddpg", "ppo"):
            plain = next((r for r in here if r["method"] == method and r["regularization"] == "none"), None)
            regs = [r for r in here if r["method"] == method and r["regularization"] in REGULARIZED]
            if plain is None or not regs:
                continue
            best = min(regs, key=lambda r: r["final_cost"])
            steadier = min(regs, key=lambda r: r["median_trial_gap_pct"])
            lines.append(
                f"{setting} {method}: tuned gap {plain['final_gap_pct']:+.1f}% without -> {best['final_gap_pct']:+.1f}% "
                f"with {best['regularization']} ({'better' if best['final_cost'] < plain['final_cost'] else 'not better'}); "
                f"median random-trial gap {plain['median_trial_gap_pct']:+.1f}% -> {steadier['median_trial_gap_pct']:+.1f}% "
                f"with {steadier['regularization']} "
                f"({'less' if steadier['median_trial_gap_pct'] < plain['median_trial_gap_pct'] else 'not less'} sensitive)")
        for label, allowed in (("without regularization", ("none",)), ("with regularization", REGULARIZED)):
            candidates = [r for r in here if r["regularization"] in allowed]
            if candidates:
                best = min(candidates, key=lambda r: r["final_cost"])
                lines.append(f"{setting}: best method {label}: {best['method']}+{best['regularization']} "
                             f"(gap {best['final_gap_pct']:+.1f}%)")
    return lines


def _cell(value, fmt="{:+.1f}%"):
    return "-" if value is None else fmt.format(value)


def markdown(rows: list, plan: dict, preset: str) -> str:
    budgets = ", ".join(f"{m} {b}" for m, b in plan["budgets"].items())
    lines = [f"# Central experiment, preset `{preset}`", "",
             f"{plan['trials']} random-search trials per sweep, {plan['repeats']} sweep(s) per cell; budgets per trial: "
             f"{budgets} (DS: gradient steps; SB3: env steps). Gaps are to the setting's reference on its 100 test SKUs; "
             "'tuned' is the trial chosen on validation after all trials; 'random trial' is the median over all trials; "
             "'to 2%' is the first trial count whose best-so-far test cost is within 2% of the reference "
             "(this sweep's order / median over 200 random orders; '-': not within the sweep).", "",
             "| setting | method | reg | reference | tuned test cost | tuned gap | random-trial gap | to 2% | to 2% (median) | failed |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['setting']} | {r['method']} | {r['regularization']} | {r['reference']} ({r['reference_cost']:.3f}) | "
                     f"{r['final_cost']:.3f} | {_cell(r['final_gap_pct'])} | {_cell(r['median_trial_gap_pct'])} | "
                     f"{_cell(r['trials_to_2pct'], '{}')} | {_cell(r['median_trials_to_2pct'], '{}')} | {r['failed_trials']} |")
    lines += ["", "## The study's claims on these numbers", ""] + [f"- {line}" for line in claims(rows)] + [""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="small")
    parser.add_argument("--out", default=None, help="sweep directories (default runs/central_<preset>; resumable)")
    parser.add_argument("--results", default="docs/results", help="where the table and figures go (default docs/results)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes per sweep (default 2)")
    parser.add_argument("--settings", nargs="+", default=None, help="override the preset's settings")
    parser.add_argument("--methods", nargs="+", default=None, help="override the preset's methods")
    parser.add_argument("--regs", nargs="+", default=None, help="override the preset's regularizations")
    parser.add_argument("--trials", type=int, default=None, help="override the preset's trials per sweep")
    parser.add_argument("--repeats", type=int, default=None, help="override the preset's repeated sweeps")
    parser.add_argument("--collect-only", action="store_true", help="only rebuild the table and figures from --out")
    args = parser.parse_args(argv)
    plan = dict(PRESETS[args.preset])
    for key in ("settings", "methods", "regs", "trials", "repeats"):
        if getattr(args, key) is not None:
            plan[key] = getattr(args, key)
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
