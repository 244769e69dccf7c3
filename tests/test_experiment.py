"""Noise-aware conclusions: a claim only where the paired 95% interval over repeats excludes 0."""
import pytest
from scipy import stats

from agents.sweep.curves import NO_DIFFERENCE, paired_conclusion
from agents.sweep.experiment import claims


def test_paired_conclusion_is_the_paired_t_interval():
    base, treated = [1.0, 1.2, 0.9, 1.1], [0.7, 0.95, 0.72, 0.8]
    result = paired_conclusion(base, treated, claim="lowers", opposite="raises")
    differences = [t - b for b, t in zip(base, treated)]
    mean = sum(differences) / 4
    half = stats.t.ppf(0.975, 3) * stats.tstd(differences) / 2  # by hand: t quantile x sd / sqrt(n)
    assert result["mean"] == pytest.approx(mean) and result["low"] == pytest.approx(mean - half)
    assert result["high"] == pytest.approx(mean + half) and result["verdict"] == "lower"
    assert result["line"].startswith("lowers (")
    noisy = paired_conclusion([1.0, 1.2, 0.9], [1.3, 0.8, 0.95], claim="lowers", opposite="raises")
    assert noisy["verdict"] == "none" and noisy["line"].startswith(NO_DIFFERENCE)
    assert paired_conclusion([1.0, 1.0, 1.0], [2.0, 2.5, 2.2], claim="lowers", opposite="raises")["verdict"] == "higher"
    one = paired_conclusion([1.0], [0.1], claim="lowers", opposite="raises")  # one repeat: no interval, no claim
    assert one["low"] is None and one["line"].startswith(NO_DIFFERENCE)
    with pytest.raises(ValueError, match="one value per repeat"):
        paired_conclusion([1.0, 2.0], [1.0], claim="lowers", opposite="raises")


def test_claims_pair_repeats_by_seed_and_skip_unfinished_ones():
    def row(kind, finals, medians):
        return {"setting": "setting1", "method": "ds", "regularization": kind, "per_repeat_final_cost": finals,
                "per_repeat_median_trial_cost": medians}

    lines = claims([row("none", [2.0, 2.2, 2.1, None], [5.0, 6.0, 5.5, 1.0]),
                    row("base", [1.0, 1.1, 1.05, 0.1], [5.2, 5.9, 5.4, 9.0])])
    assert len(lines) == 1
    assert "tuned cost: base lowers the tuned cost" in lines[0] and "3 repeats" in lines[0]
    assert f"random trials: {NO_DIFFERENCE}" in lines[0]


def test_grid_settings_with_a_training_size_and_budget_overrides():
    from agents.sweep.experiment import override_budgets, setting_of

    setting = setting_of("setting1:train=500")
    assert (setting.train_skus, setting.val_skus, setting.test_skus) == (500, 500, 100)
    assert setting.env_kwargs == setting_of("setting1").env_kwargs
    with pytest.raises(ValueError, match="NAME:train=N"):
        setting_of("setting1:train=many")
    assert override_budgets({"ds": 300, "ppo": 20000}, ["ds=50"]) == {"ds": 50, "ppo": 20000}
    with pytest.raises(ValueError, match="METHOD=N"):
        override_budgets({"ds": 300}, ["sac=5"])


def test_q_versus_return_discounts_the_env_rewards():
    import numpy as np

    from agents.sb3.algorithms import load_hyperparams
    from agents.sb3.env import make_vec_env
    from agents.sb3.policy import SB3Policy
    from agents.sb3.train import build_model
    from benchmarks.q_convergence import q_versus_return
    from gym_inventory.evaluation import evaluate
    from gym_inventory.study import SETTINGS

    env = SETTINGS["setting1"].env_kwargs
    hyper = load_hyperparams("ddpg", {"observation_parts": ["pipeline", "dynamic"]})
    venv = make_vec_env("base", env, seed=0, observation_parts=["pipeline", "dynamic"])
    model = build_model("ddpg", "base", env, hyper, venv, seed=0)
    policy = SB3Policy(model, "base", env, observation_parts=["pipeline", "dynamic"])
    myopic = q_versus_return(model, policy, env, n_trajectories=6, seed=3, gamma=0.0)
    cost = evaluate(policy, env, n_trajectories=6, seed=3, warmup_epochs=0, cost_days="lead_time_window").cost
    assert myopic["val_cost"] == pytest.approx(cost)  # the rewards are the costs of the lead-time windows
    assert myopic["mean_return"] == pytest.approx(-2 * cost)  # gamma 0: the mean reward per epoch of 2 days
    far = q_versus_return(model, policy, env, n_trajectories=6, seed=3, gamma=1.0)
    assert far["mean_return"] < myopic["mean_return"] and np.isfinite(far["mean_q"])


def test_result_file_names_are_portable():
    from agents.sweep.experiment import file_stem

    assert file_stem("setting1:train=5") == "setting1_train5"
    assert file_stem("setting4_h16") == "setting4_h16"
