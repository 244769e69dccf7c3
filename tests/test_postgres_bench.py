"""``bench run --storage``: machines share a bench grid on a real PostgreSQL server (docs/cluster.md).

Each "machine" is a separate ``gym-inventory bench run`` command with its own working
directory, all pointed at one database of the throwaway server of tests/test_postgres.py.
"""
import collections
import json
import os
import shutil
import subprocess

import pytest
from test_postgres import ENV, database, doc_block, kill_mid_trial, new_dir, server, trials_of  # noqa: F401 (fixtures)

from agents.sweep import local_postgres

pytestmark = pytest.mark.skipif(
    local_postgres.find_bindir() is None,
    reason="PostgreSQL's server is not installed and `make test` could not install it "
           "(it runs `apt-get install -y postgresql` as root on Debian/Ubuntu)")


def bash(command, cwd, env, **options):
    return subprocess.Popen(["bash", "-ec", command], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **options)


def finish(process, timeout=240):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return out


def report_without_times(path):
    """report.json without the measured wall times."""
    report = json.load(open(path))
    for row in report["leaderboard"]:
        row.pop("wall_time_s", None)
    return report


def scores(directory):
    """Every score.json under ``directory``, without its measured wall time."""
    found = {}
    for root, _, files in os.walk(directory):
        if "score.json" in files:
            record = json.load(open(os.path.join(root, "score.json")))
            record.pop("wall_time_s")
            found[os.path.relpath(root, directory)] = record
    return found


def scored(out):
    """``(scored here, already done)`` from the command's last line."""
    words = out.strip().splitlines()[-1].split()
    return int(words[0]), int(words[3])


def test_two_machines_share_the_bench_grid_as_documented(database):
    """docs/cluster.md's bench commands: two machines run every cell once and report what one machine reports."""
    root = new_dir()
    env = dict(ENV, STORAGE=database)
    try:
        machines = [os.path.join(root, f"machine{i}") for i in range(2)] + [os.path.join(root, "alone")]
        for machine in machines:
            os.makedirs(machine)
        alone = doc_block("bench-worker").replace(' --storage "$STORAGE"', "")
        assert "--storage" not in alone
        reference = bash(alone, machines[2], env)
        workers = [bash(doc_block("bench-worker"), m, env) for m in machines[:2]]
        counts = [scored(finish(worker)) for worker in workers]
        finish(reference)
        cells = len(scores(os.path.join(machines[2], "bench", "bbs")))
        assert cells == 4
        # every cell run exactly once, on one machine or the other; both report the whole grid
        assert sum(here for here, _ in counts) == cells and all(here + done == cells for here, done in counts)
        trials = trials_of(database)
        assert [t.state.name for t in trials] == ["COMPLETE"] * cells
        assert len({tuple(t.user_attrs["cell"]) for t in trials}) == cells
        for machine in machines:
            finish(bash(doc_block("bench-report"), machine, env))
        expected = scores(os.path.join(machines[2], "bench", "bbs"))
        for machine in machines[:2]:
            assert scores(os.path.join(machine, "bench", "bbs")) == expected
            assert (report_without_times(os.path.join(machine, "bench", "report", "report.json"))
                    == report_without_times(os.path.join(machines[2], "bench", "report", "report.json")))
        # a rerun skips every finished cell and asks the database for nothing new
        assert scored(finish(bash(doc_block("bench-worker"), machines[0], env))) == (0, cells)
        assert len(trials_of(database)) == cells
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_killed_bench_worker_has_its_cell_rerun_by_another(database):
    """SIGKILL a machine mid-cell: Optuna's stale-trial check fails its trial, another machine runs the cell."""
    root = new_dir()
    command = ("exec gym-inventory bench run --algo ds --reg base --suite hdpo_L1_p4,zipkin_L1_p4 --seeds 1 "
               f"--timesteps 100 --eval-trajectories 8 --eval-horizon 60 --storage {database} --heartbeat 1 --out OUT")
    try:
        doomed = bash(command.replace("OUT", "a"), root, ENV)
        victim = kill_mid_trial(doomed, database)
        out = finish(bash(command.replace("OUT", "b"), root, ENV))
        trials = trials_of(database)
        failed = [t for t in trials if t.state.name == "FAIL"]
        assert [t.number for t in failed] == [victim.number] and "error" not in failed[0].user_attrs
        retry = [t for t in trials if t.system_attrs.get("failed_trial") == victim.number]
        assert len(retry) == 1 and retry[0].state.name == "COMPLETE"
        assert retry[0].user_attrs["cell"] == victim.user_attrs["cell"]
        assert retry[0].user_attrs["worker"] != victim.user_attrs["worker"]
        complete = collections.Counter(tuple(t.user_attrs["cell"]) for t in trials if t.state.name == "COMPLETE")
        assert complete == {("hdpo_L1_p4", 0): 1, ("zipkin_L1_p4", 0): 1}
        assert sorted(scores(os.path.join(root, "b"))) == [os.path.join("ds+base", i, "seed_0")
                                                           for i in ("hdpo_L1_p4", "zipkin_L1_p4")]
        assert "0 failed" in out
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_bench_storage_errors_are_one_line(database, tmp_path, capsys):
    from gym_inventory.cli import main

    argv = ["bench", "run", "--algo", "myopic", "--suite", "hdpo_L1_p4", "--seeds", "1", "--out", str(tmp_path / "x")]
    assert main(argv + ["--heartbeat", "1"]) == 2
    assert "--heartbeat applies to a database (--storage URL) only" in capsys.readouterr().err
    missing = database.rsplit("/", 1)[0] + "/missing?" + database.split("?", 1)[1]
    assert main(argv + ["--storage", missing]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot open --storage" in err
    assert not (tmp_path / "x").exists()


def test_workers_of_one_machine_share_the_grid(database, tmp_path):
    """``workers=2``: two processes on one machine take the cells through the database, each cell once."""
    from agents.bench import plan
    from agents.bench.shared import run_shared

    cells = plan("myopic", "none", "hdpo_L1_p4,zipkin_L1_p4", 2, None, eval_trajectories=8, eval_horizon=60)
    result = run_shared(cells, tmp_path / "out", database, workers=2)
    assert not result["failed"] and not result["skipped"]
    assert sorted((r["instance"], r["seed"]) for r in result["done"]) == sorted((c.instance, c.seed) for c in cells)
    trials = trials_of(database)
    assert collections.Counter(tuple(t.user_attrs["cell"]) for t in trials if t.state.name == "COMPLETE") == {
        (c.instance, c.seed): 1 for c in cells}
    assert len(trials) == len(cells) and len(scores(tmp_path / "out")) == len(cells)
