"""``gym-inventory demo`` with tiny budgets: the pipeline runs, prints its table and writes its files."""
import json
import os

from gym_inventory.cli import main


def test_demo_smoke(tmp_path, capsys):
    out = tmp_path / "demo"
    out.mkdir()
    (out / "demo.csv").write_text("an earlier result\n")
    assert main(["demo", "--smoke", "--quiet", "--out", str(out)]) == 2  # nothing overwritten without --overwrite
    assert "pass --overwrite" in capsys.readouterr().err and (out / "demo.csv").read_text() == "an earlier result\n"
    assert main(["demo", "--smoke", "--quiet", "--out", str(out), "--overwrite"]) == 0
    printed = capsys.readouterr().out
    for name in ("best classical", "ds+none", "ds+both", "ddpg+none", "ddpg+both", "ppo+none", "ppo+both"):
        assert name in printed
    assert f"note: replacing {out / 'demo.csv'}" in printed
    summary = json.loads((out / "demo.json").read_text())
    rows = {row["name"]: row for row in summary["rows"]}
    assert len(rows) == 7 and all(row["cost"] > 0 for row in rows.values())
    assert summary["rows"][0]["gap_pct"] == 0.0 and summary["reference"]["test_cost"] == summary["rows"][0]["cost"]
    assert (out / "demo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "demo.csv").read_text().startswith("method,regularization,name,cost")


def test_demo_refuses_a_file_as_output(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("keep")
    assert main(["demo", "--smoke", "--quiet", "--out", str(target)]) == 2
    assert "is a file" in capsys.readouterr().err and target.read_text() == "keep"


def test_demo_refuses_a_directory_holding_other_files(tmp_path, capsys):
    (tmp_path / "thesis.tex").write_text("keep")
    assert main(["demo", "--smoke", "--quiet", "--out", str(tmp_path), "--overwrite"]) == 2
    assert "files the demo did not write (thesis.tex)" in capsys.readouterr().err
    assert os.listdir(tmp_path) == ["thesis.tex"]
