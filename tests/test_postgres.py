"""Sweeps on a real PostgreSQL server, as on a cluster (docs/cluster.md).

A throwaway server (Debian's postgresql package; ``make test`` installs it) runs for the
session. Each "machine" is a separate ``gym-inventory sweep`` command with its own
working directory, all pointed at one database.
"""
import csv
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import optuna
import pytest

from agents.cli.sweep import build_spec
from agents.sweep import local_postgres
from agents.sweep.storage import open_storage

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(REPO, "docs", "cluster.md")
ENV = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
RESULT_FILES = ("best_so_far.csv", "best_so_far.json", "best_so_far.png")

pytestmark = pytest.mark.skipif(
    local_postgres.find_bindir() is None,
    reason="PostgreSQL's server is not installed and `make test` could not install it "
           "(it runs `apt-get install -y postgresql` as root on Debian/Ubuntu)")


def doc_block(name: str) -> str:
    """The bash block of docs/cluster.md after the marker ``<!-- cluster.md: NAME -->``."""
    text = open(DOC, encoding="utf-8").read()
    match = re.search(rf"<!-- cluster.md: {name} -->\n```bash\n(.*?)```", text, re.DOTALL)
    assert match, f"docs/cluster.md has no block {name!r}"
    return match.group(1)


def new_dir() -> str:
    """A new directory the server's user can enter (pytest's tmp_path is private to root)."""
    directory = tempfile.mkdtemp(prefix="gympg-", dir="/tmp")
    os.chmod(directory, 0o755)
    return directory


@pytest.fixture(scope="module")
def server():
    directory = os.path.join(new_dir(), "db")
    try:
        local_postgres.start(directory)
        yield directory
    finally:
        local_postgres.stop(directory)
        shutil.rmtree(os.path.dirname(directory), ignore_errors=True)


@pytest.fixture
def database(server, request):
    """The URL of a new, empty database on the session's server."""
    name = re.sub(r"\W", "_", request.node.name).lower()[:50]
    return local_postgres.create_database(server, name)


@pytest.fixture(scope="session")
def journal_reference(tmp_path_factory):
    """The documented sweep run on one machine with the journal file (no --storage): what every run must reproduce.

    Run once for all pytest-xdist workers (they share the base temp directory's parent).
    """
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp().parent / "cluster_journal_reference"
    with FileLock(str(root) + ".lock"):
        if not (root / "sweeps" / "ds-base" / "summary.json").exists():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            command = doc_block("worker").replace(' --storage "$STORAGE"', "")
            assert "--storage" not in command
            subprocess.run(["bash", "-ec", command], cwd=root, env=ENV, check=True, timeout=300, capture_output=True)
    return str(root / "sweeps" / "ds-base")


def trials_of(url):
    storage = open_storage(None, url)  # as workers open it: one at a time while Optuna creates its tables
    (summary,) = storage.get_all_studies()
    return optuna.load_study(study_name=summary.study_name, storage=storage).get_trials()


def read_rows(path, ignore):
    """trials.csv without the columns ``ignore``."""
    with open(path, newline="") as handle:
        return [{k: v for k, v in row.items() if k not in ignore} for row in csv.DictReader(handle)]


def read_summary(path, ignore):
    summary = json.load(open(path))
    summary["chosen_trial"] = {k: v for k, v in summary["chosen_trial"].items() if k not in ignore}
    return summary


def assert_same_results(directory, reference, ignore=("train_seconds",)):
    """The same result files; trials.csv and summary.json up to the measured training times (and ``ignore``)."""
    for name in RESULT_FILES:
        with open(os.path.join(directory, name), "rb") as ours, open(os.path.join(reference, name), "rb") as theirs:
            assert ours.read() == theirs.read(), name
    for name, read in (("trials.csv", read_rows), ("summary.json", read_summary)):
        assert read(os.path.join(directory, name), ignore) == read(os.path.join(reference, name), ignore), name


def test_cluster_recipe_runs_as_documented(journal_reference):
    """docs/cluster.md word for word: start a server, two machines share the study, collect, stop."""
    root = new_dir()
    env = dict(ENV, DB_DIR=os.path.join(root, "db"))
    try:
        storage = subprocess.run(["bash", "-ec", doc_block("start") + 'echo "$STORAGE"'], env=env, capture_output=True,
                                 text=True, timeout=60)
        assert storage.returncode == 0, storage.stderr
        env["STORAGE"] = url = storage.stdout.strip().splitlines()[-1]
        machines = [os.path.join(root, f"machine{i}") for i in range(2)]
        for machine in machines:
            os.makedirs(machine)
        workers = [subprocess.Popen(["bash", "-ec", doc_block("worker")], cwd=m, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for m in machines]
        chosen = set()
        for worker in workers:
            out, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err
            chosen |= {line for line in out.splitlines() if line.startswith("chosen trial")}
        assert len(chosen) == 1 and "(of 6)" in chosen.pop()  # both machines report the whole sweep
        trials = trials_of(url)
        # exactly the asked number, each trained once, no duplicate parameters
        assert [t.state.name for t in trials] == ["COMPLETE"] * 6 and [t.number for t in trials] == list(range(6))
        assert len({json.dumps(t.params, sort_keys=True) for t in trials}) == 6
        assert len({t.user_attrs["worker"] for t in trials}) >= 2  # both machines took trials
        for machine in machines:
            assert_same_results(os.path.join(machine, "sweeps", "ds-base"), journal_reference)
        collected = subprocess.run(["bash", "-ec", doc_block("collect")], cwd=root, env=env, capture_output=True,
                                   text=True, timeout=120)
        assert collected.returncode == 0, collected.stderr
        assert_same_results(os.path.join(root, "collected"), journal_reference)
        assert not os.path.exists(os.path.join(root, "collected", "trials"))  # it trained nothing
        assert len(trials_of(url)) == 6
    finally:
        stopped = subprocess.run(["bash", "-ec", doc_block("stop")], env=env, capture_output=True, text=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)
    assert stopped.returncode == 0, stopped.stderr


def sweep(url, out, *extra):
    command = doc_block("worker").replace('"$STORAGE"', url).replace("sweeps/ds-base", out).replace("--workers 2", "--workers 1")
    return ["bash", "-ec", " ".join([command.strip(), *extra])]


def test_killed_worker_is_failed_by_heartbeat_and_rerun(database, journal_reference):
    """SIGKILL one machine mid-trial: Optuna's stale-trial check fails its trial, another machine runs it again."""
    root = new_dir()
    try:
        # exec: the command's process is the worker (--workers 1 trains in the command itself)
        doomed = subprocess.Popen(["bash", "-ec", "exec " + sweep(database, "a", "--heartbeat 1")[2]], cwd=root, env=ENV,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        victim = None
        deadline = time.time() + 120
        while victim is None and time.time() < deadline and doomed.poll() is None:
            time.sleep(0.05)
            try:
                running = [t for t in trials_of(database) if t.state.name == "RUNNING"]
            except Exception:  # no tables or no study yet
                continue
            victim = next((t for t in running if t.user_attrs.get("worker", "").endswith(f":{doomed.pid}")), None)
        assert victim is not None, doomed.communicate()[1] if doomed.poll() is not None else "no trial"
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
        survivor = subprocess.run(sweep(database, "b", "--heartbeat 1"), cwd=root, env=ENV, capture_output=True,
                                  text=True, timeout=300)
        assert survivor.returncode == 0, survivor.stderr
        trials = trials_of(database)
        failed = [t for t in trials if t.state.name == "FAIL"]
        assert [t.number for t in failed] == [victim.number] and "error" not in failed[0].user_attrs
        retry = [t for t in trials if t.system_attrs.get("failed_trial") == victim.number]
        assert len(retry) == 1 and retry[0].state.name == "COMPLETE"
        assert victim.params.items() <= retry[0].params.items()  # what it had drawn, and the rest as it would have
        assert retry[0].user_attrs["worker"] != victim.user_attrs["worker"]
        assert sum(t.state.name == "COMPLETE" for t in trials) == 6 and len(trials) == 7
        # nothing else lost: the survivor's results are those of the undisturbed journal run, the retry (trial 6)
        # standing in its table where the trial it retries stood
        assert_same_results(os.path.join(root, "b"), journal_reference, ignore=("train_seconds", "number"))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_another_sweep_under_the_same_study_name_is_refused(database, tmp_path, capsys):
    from gym_inventory.cli import main

    args = shlex.split(doc_block("worker").replace("\\\n", " "))[1:]  # the documented command, in this process
    args[args.index("--storage") + 1] = database
    out = args.index("--out") + 1

    def sweep(directory):
        args[out] = str(tmp_path / directory)
        code = main(args)
        return code, capsys.readouterr().err

    spec = build_spec(gym_inventory_parser().parse_args(args))
    # the sweep's study name on the database, describing another sweep (as a study made by another version,
    # or by hand, would): the command is refused, and writes nothing
    study = optuna.create_study(study_name=spec.study_name(), storage=open_storage(None, database))
    study.set_user_attr("sweep", dict(spec.identity(), budget=999))
    code, err = sweep("b")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "holds another sweep (differing in: budget)" in err, err
    assert not (tmp_path / "b").exists() and study.get_trials() == []
    # a database that is not there: one line, exit code 2, nothing written
    args[args.index("--storage") + 1] = database.rsplit("/", 1)[0] + "/missing?" + database.split("?", 1)[1]
    code, err = sweep("c")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "cannot open --storage" in err, err
    assert not (tmp_path / "c").exists()


def gym_inventory_parser():
    import argparse

    from agents.cli.sweep import add_arguments

    parser = argparse.ArgumentParser()
    parser.add_argument("command")
    add_arguments(parser)
    return parser
