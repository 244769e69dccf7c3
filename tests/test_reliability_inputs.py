"""Bad input of every kind: a ValueError/TypeError naming the argument (API), one line and exit code 2 (CLI),
documented size limits, strict JSON, safe YAML; plus hypothesis fuzzing of the env (issue 14, items 4-7)."""
from __future__ import annotations

import json
import math
import os
import time

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import gym_inventory  # noqa: F401
from gym_inventory.cli import MAX_MESSAGE, main
from gym_inventory.cli.common import json_text
from gym_inventory.config import MAX_YAML_VALUES, read_yaml
from gym_inventory.params import LIMITS


@pytest.mark.parametrize("kwargs, pattern", [
    ({"horizon": 10**9}, r"horizon must be <= 10000000 \(the documented limit\), got 1000000000"),
    ({"review_period": 10**9}, r"review_period must be <= 10000"),
    ({"lead_time": 10**9}, r"lead_time must be <= 10000"),
    ({"horizon": 5_000_000, "review_period": 7}, r"horizon x review_period \+ lead_time must be <= 10000000 days"),
    ({"holding_cost": 1e308}, r"holding_cost must be <= 1e\+09"),
    ({"penalty_cost": 1e308}, r"penalty_cost must be <= 1e\+09"),
    ({"stockout_weight": 1e300}, r"stockout_weight must be <= 1e\+09"),
])
def test_sizes_and_costs_past_the_documented_limits_are_refused_at_construction(kwargs, pattern):
    started = time.perf_counter()
    with pytest.raises(ValueError, match=pattern):
        gym.make("InventoryLeadTime-v0", **kwargs)
    assert time.perf_counter() - started < 5  # refused before allocating anything


def test_costs_at_the_limit_stay_finite():
    env = gym.make("InventoryLeadTime-v0", holding_cost=LIMITS["cost"], penalty_cost=LIMITS["cost"], horizon=5)
    env.reset(seed=0)
    for order in (0.0, 100.0, 1e6):
        _, reward, _, _, info = env.step(np.array([order], dtype=np.float32))
        assert math.isfinite(reward) and math.isfinite(info["cost"])


@pytest.mark.parametrize("action", [[5 + 1j], ["7"], [True], True, np.array([True]), np.array(["7"]), "7", None, [[1.0]],
                                    [1.0, 2.0], object()])
def test_actions_must_be_real_numbers(action):
    env = gym.make("InventoryLeadTime-v0", horizon=5)
    env.reset(seed=0)
    with pytest.raises((TypeError, ValueError), match="action"):
        env.step(action)


@pytest.mark.parametrize("action", [3, 2.5, np.float32(2.0), [2.0], np.array([3]), np.array([1.5], dtype=np.float16)])
def test_real_actions_are_orders(action):
    env = gym.make("InventoryLeadTime-v0", horizon=5)
    env.reset(seed=0)
    assert env.step(action)[4]["order"] == pytest.approx(float(np.asarray(action).reshape(())))


@pytest.mark.parametrize("demand", [["5"] * 10, [True] * 10, [1 + 1j] * 10, "5555555555", [[5.0], [5.0, 5.0]]])
def test_replayed_demand_must_be_numeric(demand):
    env = gym.make("InventoryLeadTime-v0", horizon=10, lead_time=1)
    with pytest.raises(TypeError, match="demand"):
        env.reset(options={"demand": demand})


@pytest.mark.parametrize("options", [{"initial_inventory": 1.7e39}, {"demand": [1e30] * 10}, {"initial_inventory": [0, 0, -1e20]}])
def test_reset_amounts_past_the_documented_limit_are_refused(options):
    env = gym.make("InventoryLeadTime-v0", horizon=10, lead_time=1)
    with pytest.raises(ValueError, match=r"must be at most 1e\+15 units in size"):
        env.reset(options=options)


def test_a_huge_bad_option_gives_a_short_message():
    env = gym.make("InventoryLeadTime-v0", horizon=10, lead_time=1)
    with pytest.raises(TypeError) as caught:
        env.reset(options={"demand": ["5"] * 1_000_000})
    assert len(str(caught.value)) < 300


# ------------------------------------------------------------------ YAML


def test_yaml_numbers_follow_yaml_1_2(tmp_path):
    path = tmp_path / "env.yaml"
    path.write_text("holding_cost: 1e308\npenalty_cost: 5E-3\nhorizon: 1_000\nlead_time: 2\nname: '1e3'\nx: .5\n")
    assert read_yaml(path, "env config") == {"holding_cost": 1e308, "penalty_cost": 5e-3, "horizon": 1000, "lead_time": 2,
                                             "name": "1e3", "x": 0.5}


def test_yaml_duplicate_keys_are_refused(tmp_path):
    path = tmp_path / "env.yaml"
    path.write_text("horizon: 5\nlead_time: 1\nhorizon: 6\n")
    with pytest.raises(ValueError, match=r"duplicate key 'horizon'.*line 3"):
        read_yaml(path, "env config")
    path.write_text("demand_kwargs:\n  mean: 1\n  mean: 2\n")
    with pytest.raises(ValueError, match=r"duplicate key 'mean'"):
        read_yaml(path, "env config")


def test_a_yaml_bomb_is_refused_quickly_with_a_short_message(tmp_path, capsys):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for name, previous in zip("bcdefgh", "abcdefg"):
        lines.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    lines.append(f"demand_kwargs: [{','.join(['*h'] * 9)}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert len(path.read_bytes()) < 600
    started = time.perf_counter()
    with pytest.raises(ValueError, match=f"more than {MAX_YAML_VALUES} values"):
        read_yaml(path, "env config")
    assert main(["baselines", "--env-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 400 and time.perf_counter() - started < 10


def test_yaml_with_undecodable_bytes_names_the_file(tmp_path):
    path = tmp_path / "env.yaml"
    path.write_bytes(b"horizon: 5\nname: \xff\xfe\n")
    with pytest.raises(ValueError, match=r"env.yaml' is not UTF-8 text"):
        read_yaml(path, "env config")


# ------------------------------------------------------------------ CLI: one line, exit code 2


def one_line_error(capsys, argv, expected) -> str:
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and expected in err, err
    return err


def test_out_below_a_file_or_a_dangling_link_is_one_line(tmp_path, capsys):
    env = tmp_path / "env.yaml"
    env.write_text("horizon: 8\nlead_time: 1\n")
    blocker, dangling = tmp_path / "file", tmp_path / "dangling"
    blocker.write_text("x")
    os.symlink(tmp_path / "nowhere", dangling)
    for out, expected in ((blocker / "run", "Not a directory"), (dangling, "dangling link"), (blocker, "is a file")):
        one_line_error(capsys, ["ds", "--reg", "base", "--env-config", str(env), "--out", str(out), "--quiet"], expected)
        one_line_error(capsys, ["train", "--algo", "ppo", "--env-config", str(env), "--timesteps", "8", "--out", str(out),
                                "--quiet"], expected)
    one_line_error(capsys, ["make-data", "--out", str(blocker / "panel.csv"), "--skus", "2", "--days", "10"], "Not a directory")
    assert os.path.islink(dangling) and blocker.read_text() == "x"


@pytest.mark.parametrize("error, expected", [
    (PermissionError(13, "Permission denied", "/read-only/run"), "Permission denied: '/read-only/run'"),
    (NotADirectoryError(20, "Not a directory", "/file/run"), "Not a directory: '/file/run'"),
    (FileExistsError(17, "File exists", "/link"), "File exists: '/link'"),
    (OSError(28, "No space left on device"), "No space left on device"),
    (RuntimeError("relative value iteration did not converge"), "did not converge"),
    (MemoryError(), "out of memory"),
    (ValueError("x" * 10**6), "x" * 100),
])
def test_every_error_of_a_command_is_one_short_line(monkeypatch, capsys, error, expected):
    import gym_inventory.cli.baselines as baselines

    def fail(args):
        raise error

    monkeypatch.setattr(baselines, "run", fail)
    err = one_line_error(capsys, ["baselines"], expected)
    assert len(err) <= len("gym-inventory baselines: error: ") + MAX_MESSAGE + 1


def test_huge_costs_on_the_command_line_are_refused_fast(capsys):
    started = time.perf_counter()
    one_line_error(capsys, ["baselines", "--penalty-cost", "1e308"], "penalty_cost must be <= 1e+09")
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("argv, expected", [
    (["train", "--algo", "dqn", "--timesteps", "8", "--out", "x"], "argument --algo: invalid choice: 'dqn'"),
    (["ds", "--reg", "smooth", "--out", "x"], "argument --reg: invalid choice: 'smooth'"),
    (["evaluate", "--policy", "s-S"], "argument --policy: invalid choice"),
    (["evaluate", "x", "--split", "dev"], "argument --split: invalid choice"),
    (["evaluate", "x", "--on-error", "ignore"], "argument --on-error: invalid choice"),
    (["sweep", "--algo", "ds", "--reg", "base", "--out", "x", "--sampler", "grid"], "argument --sampler: invalid choice"),
])
def test_options_with_fixed_values_list_their_choices(capsys, argv, expected):
    one_line_error(capsys, argv, expected)


def test_json_output_is_strict():
    assert json.loads(json_text({"cost": 1.5, "gap": None})) == {"cost": 1.5, "gap": None}
    for bad in (math.inf, -math.inf, math.nan):
        with pytest.raises(ValueError, match="non-finite"):
            json_text({"total_cost": bad})


# ------------------------------------------------------------------ hypothesis fuzzing

pytestmark = pytest.mark.filterwarnings("ignore:.*Box action space maximum and minimum")

NUMBERS = st.one_of(st.integers(-10, 10**12), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
                    st.text(max_size=3), st.complex_numbers(max_magnitude=10))
ENV_ARGUMENTS = st.fixed_dictionaries({}, optional={
    "lead_time": NUMBERS, "review_period": NUMBERS, "horizon": NUMBERS, "holding_cost": NUMBERS,
    "penalty_cost": NUMBERS, "lost_sales": st.one_of(st.booleans(), NUMBERS), "max_order": NUMBERS,
    "demand_kwargs": st.fixed_dictionaries({}, optional={"mean": NUMBERS}),
})
ACTIONS = st.one_of(NUMBERS, st.lists(NUMBERS, max_size=3), st.lists(st.lists(NUMBERS, max_size=2), max_size=2))
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def small(kwargs: dict) -> dict:
    """Keep accepted sizes small (the limits are tested above; fuzzing checks types and values)."""
    for name in ("horizon", "review_period", "lead_time"):
        value = kwargs.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > 20:
            kwargs[name] = value % 20
    return kwargs


@FUZZ
@given(kwargs=ENV_ARGUMENTS, actions=st.lists(ACTIONS, min_size=1, max_size=4), demand=st.one_of(
    st.none(), st.lists(NUMBERS, min_size=1, max_size=30)), initial_inventory=st.one_of(NUMBERS, st.lists(NUMBERS, max_size=4)))
def test_fuzzed_env_arguments_reset_options_and_actions(kwargs, actions, demand, initial_inventory):
    """Any input gives a valid step or a ValueError/TypeError, never another exception, NaN or inf."""
    try:
        env = gym.make("InventoryLeadTime-v0", **small(kwargs))
    except (ValueError, TypeError):
        return
    try:
        obs, _ = env.reset(seed=0, options=None if demand is None else {"demand": demand})
    except (ValueError, TypeError):
        obs, _ = env.reset(seed=0)
    assert np.all(np.isfinite(obs))
    try:
        obs, _ = env.reset(seed=0, options={"initial_inventory": initial_inventory})
    except (ValueError, TypeError):
        obs, _ = env.reset(seed=0)
    assert np.all(np.isfinite(obs))
    for action in actions:
        try:
            obs, reward, terminated, truncated, info = env.step(action)
        except (ValueError, TypeError):
            continue
        assert np.all(np.isfinite(obs)) and math.isfinite(reward) and math.isfinite(info["cost"])
        if terminated or truncated:
            env.reset(seed=1)


def test_a_huge_mean_demand_names_the_argument():
    with pytest.raises(ValueError, match=r"max_order must be <= 1e\+15 units.*demand_kwargs give a mean daily demand too large"):
        gym.make("InventoryLeadTime-v0", demand_kwargs={"mean": 1e300})


# ------------------------------------------------------------------ panel files


@pytest.mark.parametrize("name, content, expected", [
    ("header.csv", b"sku_id,date,demand\n", "holds no series to evaluate (no rows)"),
    ("empty.csv", b"", "cannot be read: No columns to parse from file"),
    ("bytes.csv", b"sku_id,date,demand\n\xff\xfe,2023-01-01,3\n", "cannot be read: 'utf-8' codec can't decode"),
    ("footer.parquet", b"PAR1 not a parquet file", "cannot be read: Parquet magic bytes not found"),
])
def test_unreadable_or_empty_panels_are_one_line_naming_the_file(tmp_path, capsys, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    err = one_line_error(capsys, ["evaluate", "--policy", "base-stock", "--data", str(path), "--json"], expected)
    assert name in err


def test_a_zero_row_parquet_panel_is_an_error(tmp_path, capsys):
    import pandas as pd

    path = tmp_path / "zero.parquet"
    pd.DataFrame({"sku_id": pd.Series([], dtype=str), "date": pd.Series([], dtype="datetime64[ns]"),
                  "demand": pd.Series([], dtype=float)}).to_parquet(path)
    one_line_error(capsys, ["evaluate", "--policy", "base-stock", "--data", str(path), "--json"], "holds no series to evaluate")


def test_more_skus_x_days_than_the_memory_holds_are_refused_before_allocating(capsys):
    from gym_inventory.vector import InventoryVectorEnv

    started = time.perf_counter()
    with pytest.raises(ValueError, match=r"simulating 1000000 SKUs x \d+ days needs about [\d.e+]+ GiB of memory, more than"):
        InventoryVectorEnv(10**6, horizon=10**5)
    assert time.perf_counter() - started < 5
    one_line_error(capsys, ["baselines", "--horizon", "8", "--n-trajectories", "1000000000", "--eval-horizon", "100000"],
                   "GiB of memory")


def test_the_documented_limits_are_the_code_limits():
    import pathlib

    from gym_inventory.cli import MAX_MESSAGE
    from gym_inventory.params import BYTES_PER_SKU_DAY

    text = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "validation.md").read_text(encoding="utf-8")
    for row in (f"| `lead_time` | integer, 0 .. {LIMITS['lead_time']} days |",
                f"| `review_period` | integer, 1 .. {LIMITS['review_period']} days |",
                f"| `horizon` | integer, 1 .. {LIMITS['horizon']} order epochs |",
                f"| at most {LIMITS['episode_days']} days |",
                f"| finite, 0 .. {LIMITS['cost']:g} per unit-day |",
                f"| at most {LIMITS['max_order']:g} units |",
                f"| at most {LIMITS['units']:g} units in size |",
                f"estimated at {BYTES_PER_SKU_DAY} bytes per SKU-day",
                f"| at most {MAX_YAML_VALUES} values once aliases are expanded |",
                f"(at most {MAX_MESSAGE} characters"):
        assert row in text, row


def test_result_files_are_published_whole_and_never_replace_a_file(tmp_path, monkeypatch):
    from gym_inventory import files
    from gym_inventory.data.generate import write_panel

    path = str(tmp_path / "panel.csv")
    summary = write_panel(path, 3, 20, seed=0)
    assert summary["rows"] > 0 and sorted(os.listdir(tmp_path)) == ["panel.csv"]  # no temporary file left
    with pytest.raises(ValueError, match="already exists"):
        write_panel(path, 3, 20, seed=1)
    # A file appearing at the path while the panel is written is not replaced.
    other = str(tmp_path / "other.csv")
    publish = files.publish

    def racing(temporary, target):
        open(target, "w").write("someone else's\n")
        publish(temporary, target)

    monkeypatch.setattr("gym_inventory.data.generate.publish", racing)
    with pytest.raises(ValueError, match="appeared while it was written"):
        write_panel(other, 3, 20, seed=0)
    assert open(other).read() == "someone else's\n" and sorted(os.listdir(tmp_path)) == ["other.csv", "panel.csv"]


def test_a_panel_with_a_huge_lead_time_is_refused_before_allocating(tmp_path, capsys):
    path = tmp_path / "panel.csv"
    path.write_text("sku_id,date,demand,lead_time\nA,2023-01-01,3,1000000000\nA,2023-01-02,3,1000000000\n")
    started = time.perf_counter()
    one_line_error(capsys, ["evaluate", "--policy", "base-stock", "--data", str(path), "--days", "1", "--json"],
                   "lead_time must be <= 10000 (the documented limit), got 1000000000")
    assert time.perf_counter() - started < 10


def test_file_system_errors_are_value_errors_naming_the_path_in_the_api(tmp_path):
    from agents.runs import prepare_run_dir

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match=r"file/run' cannot be created: Not a directory"):
        prepare_run_dir(blocker / "run", {"kind": "ds"}, ("kind",))
    with pytest.raises(ValueError, match=r"env config '.*' cannot be read: Is a directory"):
        read_yaml(tmp_path, "env config")


def test_the_demo_refuses_a_directory_holding_other_files(tmp_path, capsys):
    (tmp_path / "thesis.tex").write_text("keep")
    one_line_error(capsys, ["demo", "--smoke", "--quiet", "--out", str(tmp_path)], "holds no earlier demo")
    assert os.listdir(tmp_path) == ["thesis.tex"]
