"""Retries of stale trials stand where the trials they retry stood (no server needed)."""
import os

import optuna
import pytest
from optuna.trial import TrialState

from agents.sweep import local_postgres
from agents.sweep.spec import TrialSeededRandomSampler
from agents.sweep.storage import claim, is_claimed, is_stale, retry_stale_trial, sweep_place


def draws(study, trial):
    return trial.suggest_float("x", 0.0, 1.0), trial.suggest_int("n", 1, 1000)


def test_a_retry_draws_and_stands_as_the_trial_it_retries():
    undisturbed = optuna.create_study(sampler=TrialSeededRandomSampler(7))
    expected = [draws(undisturbed, undisturbed.ask()) for _ in range(3)]

    study = optuna.create_study(sampler=TrialSeededRandomSampler(7))
    first, second = study.ask(), study.ask()
    assert draws(study, first) == expected[0]
    study.tell(first, 1.0)
    second.suggest_float("x", 0.0, 1.0)  # the worker died after its first draw
    failed = study.tell(second, state=TrialState.FAIL)
    retry_stale_trial()(study, failed)  # Optuna's RetryHeartbeatStaleTrialCallback: trial 2, WAITING
    retry = study.ask()  # takes the queued retry
    assert retry.number == 2 and draws(study, retry) == expected[1]  # the drawn x, and n as trial 1 would have
    third = study.ask()
    assert third.number == 3 and draws(study, third) == expected[2]  # trial 3 draws as trial 2 of the undisturbed
    trials = study.get_trials()
    assert [sweep_place(t, trials) for t in trials] == [0, 1, 1, 2]


def test_claims():
    study = optuna.create_study()
    trial = study.ask()
    frozen = study.get_trials()[0]
    assert not is_claimed(frozen) and is_stale(frozen)  # seen under the lock: its worker died while asking
    claim(trial)
    frozen = study.get_trials()[0]
    assert is_claimed(frozen) and not is_stale(frozen)  # this process is alive
    failed = study.tell(trial, state=TrialState.FAIL)
    retry_stale_trial()(study, failed)
    study.ask()
    assert not is_claimed(study.get_trials()[1])  # the retry copied the tags of the trial it retries


def test_local_server_refuses_a_directory_with_files(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("keep")
    assert local_postgres.main(["start", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "must be new or empty" in err
    assert os.listdir(tmp_path) == ["keep.txt"]
    assert local_postgres.main(["begin", str(tmp_path)]) == 2
    with pytest.raises(ValueError, match="must be new or empty"):
        local_postgres.start(tmp_path / "keep.txt")


def test_heartbeat_option_is_checked(tmp_path, capsys):
    from gym_inventory.cli import main

    base = ["sweep", "--algo", "ds", "--reg", "base", "--setting", "setting1", "--out", str(tmp_path / "s")]
    for extra, message in [(["--heartbeat", "5"], "--heartbeat applies to a database (--storage URL) only"),
                           (["--heartbeat", "0", "--storage", f"sqlite:///{tmp_path / 'db.sqlite'}"], "--heartbeat must be >= 1")]:
        assert main(base + extra) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and message in err, err
    assert os.listdir(tmp_path) == []
