"""``gym-inventory demo`` with tiny budgets: the best-so-far pipeline runs, prints its table and a computed conclusion."""
import json

from gym_inventory.cli import main


def test_demo_smoke(tmp_path, capsys):
    out = tmp_path / "demo"
    out.mkdir()
    (out / "sweeps").mkdir()  # an earlier demo's directory (the demo refuses one holding other files)
    (out / "central_demo.md").write_text("an earlier result\n")
    assert main(["demo", "--smoke", "--quiet", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for name in ("| ds | none |", "| ds | base |", "| ppo | none |", "| ppo | base |", "dp_exact [optimum]"):
        assert name in printed
    assert f"note: replacing {out / 'central_demo.md'}" in printed
    conclusions = [line for line in printed.splitlines() if line.startswith("- setting1 ")]
    assert len(conclusions) == 2 and all("tuned cost: " in line and "95% CI" in line for line in conclusions)
    summary = json.loads((out / "central_demo.json").read_text())
    rows = {(row["method"], row["regularization"]): row for row in summary["rows"]}
    assert len(rows) == 4 and all(len(row["per_repeat_final_cost"]) == 2 for row in rows.values())
    assert all(0 <= row["kept_untrained_pct"] <= 100 for row in rows.values())
    assert (out / "demo_setting1_best_so_far.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    trials = (out / "demo_trials.csv").read_text().splitlines()  # learning vs initialization, every trial
    assert trials[0] == "setting,method,regularization,repeat,trial,best_step,initial_cost,kept_cost,test_cost"
    assert len(trials) == 1 + 4 * 2 * 2 and all(line.split(",")[5].isdigit() for line in trials[1:])
    assert main(["demo", "--smoke", "--quiet", "--out", str(out)]) == 0  # a rerun resumes: the same numbers
    assert json.loads((out / "central_demo.json").read_text()) == summary


def test_demo_refuses_a_file_as_output(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("keep")
    assert main(["demo", "--smoke", "--quiet", "--out", str(target)]) == 2
    assert "is a file" in capsys.readouterr().err and target.read_text() == "keep"
