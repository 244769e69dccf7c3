"""Panel loading: each validation problem named by file, row and column; skip mode; censored demand."""
from __future__ import annotations

import re
import textwrap

import numpy as np
import pandas as pd
import pytest

from gym_inventory.data import generate_panel, infer_censored_demand, load_panel


def write(tmp_path, text: str, name: str = "panel.csv") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return str(path)


GOOD = """\
sku_id,date,demand,price
A,2023-01-01,3,9.5
A,2023-01-02,4,9.5
A,2023-01-03,5,9.5
B,2023-01-01,0,20
B,2023-01-02,1,20
B,2023-01-03,2,20
"""

# (CSV text, load_panel keywords, the row and column the message must name, what it must say)
PROBLEMS = {
    "non_numeric_demand": (GOOD.replace("A,2023-01-02,4,", "A,2023-01-02,four,"), {}, 2, "demand", "'four' is not a number"),
    "negative_demand": (GOOD.replace("B,2023-01-02,1,", "B,2023-01-02,-1,"), {}, 5, "demand", "-1 is negative"),
    "missing_demand": (GOOD.replace("A,2023-01-03,5,", "A,2023-01-03,,"), {}, 3, "demand", "missing value"),
    "duplicate": (GOOD.replace("A,2023-01-03,5,", "A,2023-01-02,5,"), {}, 3, "date", r"duplicate date 2023-01-02 \(also on row 2\)"),
    "gap": (GOOD.replace("A,2023-01-02,4,9.5\n", ""), {}, 2, "date",
            r"date gap: no rows for the 1 days between 2023-01-01 \(row 1\) and 2023-01-03"),
    "short_sku": (GOOD.replace("B,2023-01-03,2,20\n", ""), {"min_days": 3}, 4, "date", "only 2 days of data, fewer than min_days=3"),
    "bad_date": (GOOD.replace("B,2023-01-01,", "B,yesterday,"), {}, 4, "date", "'yesterday' is not a date"),
    "time_of_day": (GOOD.replace("B,2023-01-01,", "B,2023-01-01T10:00,"), {}, 4, "date", "has a time of day"),
    "missing_key": (GOOD.replace("B,2023-01-02,", ",2023-01-02,"), {}, 5, "sku_id", "missing series key"),
    "missing_feature": (GOOD.replace("A,2023-01-02,4,9.5", "A,2023-01-02,4,"), {}, 2, "price", "missing value"),
    "bad_feature_value": (GOOD.replace("A,2023-01-02,4,9.5", "A,2023-01-02,4,cheap"), {}, 2, "price", "'cheap' is not a number"),
}


@pytest.mark.parametrize("case", sorted(PROBLEMS))
def test_each_problem_names_file_row_and_column(tmp_path, case):
    text, kwargs, row, column, says = PROBLEMS[case]
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=rf"{re.escape(path)}, row {row}, column '{column}': .*{says}") as error:
        load_panel(path, split_by=None, **kwargs)
    assert "on_error='skip'" in str(error.value)


PER_SKU = """
    sku_id,location_id,date,sales,stockout,lead_time
    A,W1,2023-01-01,3,0,2
    A,W1,2023-01-02,4,1,{lead}
    A,W1,2023-01-03,5,{flag},2
"""


@pytest.mark.parametrize(
    "lead, flag, row, column, says",
    [
        (3, 0, 2, "lead_time", r"lead_time changes within the series \(2 on row 1, 3 here\)"),
        (1.5, 0, 2, "lead_time", "1.5 is not a whole number of days"),
        (-1, 0, 2, "lead_time", "-1 is negative"),
        (2, "maybe", 3, "stockout", "'maybe' is not a flag"),
    ],
)
def test_per_series_columns_and_flags_are_checked(tmp_path, lead, flag, row, column, says):
    path = write(tmp_path, PER_SKU.format(lead=lead, flag=flag))
    with pytest.raises(ValueError, match=rf"row {row}, column '{column}': SKU 'A' at location 'W1': {says}"):
        load_panel(path, split_by=None)


@pytest.mark.parametrize(
    "text, says",
    [
        ("sku_id,demand\nA,1\n", r"missing column\(s\) \['date'\]"),
        ("sku_id,date,units\nA,2023-01-01,1\n", r"missing column\(s\) \['demand \(or sales\)'\]"),
        ("sku_id,date,demand,category\nA,2023-01-01,1,shoes\n", r"column 'category': not numeric .*feature_columns"),
        ("sku_id,date,demand,forecast_next_7\nA,2023-01-01,1,2\n", "needs its partner"),
    ],
)
def test_file_level_problems_always_raise(tmp_path, text, says):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=says):
        load_panel(path, split_by=None, on_error="skip")


def test_bad_paths_and_arguments(tmp_path):
    with pytest.raises(ValueError, match="must end in one of"):
        load_panel(str(tmp_path / "panel.txt"))
    with pytest.raises(ValueError, match="does not exist"):
        load_panel(str(tmp_path / "absent.parquet"))
    with pytest.raises(TypeError, match="path must be"):
        load_panel(42)
    path = write(tmp_path, GOOD)
    with pytest.raises(ValueError, match="on_error must be one of"):
        load_panel(path, on_error="ignore")
    with pytest.raises(ValueError, match="feature column 'cost' is not in the file"):
        load_panel(path, feature_columns=["cost"])


def test_several_problems_are_listed_together(tmp_path):
    text = GOOD.replace("A,2023-01-02,4,", "A,2023-01-02,-4,").replace("B,2023-01-02,1,", "B,2023-01-02,x,")
    with pytest.raises(ValueError, match=r"2 problems in .*row 2, column 'demand'.*row 5, column 'demand'"):
        load_panel(write(tmp_path, text), split_by=None)


def test_skip_leaves_out_bad_series_and_reports_them(tmp_path):
    text = GOOD + "C,2023-01-01,1,5\nC,2023-01-03,1,5\nD,2023-01-01,-2,5\n"
    with pytest.warns(UserWarning, match="left out 2 series"):
        dataset = load_panel(write(tmp_path, text), split_by=None, on_error="skip")
    assert sorted(dataset.sku_table()["sku_id"]) == ["A", "B"]
    reported = {(problem.series, problem.row, problem.column) for problem in dataset.skipped}
    assert reported == {(("C",), 8, "date"), (("D",), 9, "demand")}


def test_csv_parquet_and_dataframe_load_the_same(tmp_path):
    frame = generate_panel(6, 60, seed=3)
    frame.to_parquet(tmp_path / "p.parquet")
    frame.to_csv(tmp_path / "p.csv", index=False)
    loaded = [load_panel(source, split_by=None).to_frame() for source in (frame, str(tmp_path / "p.parquet"), str(tmp_path / "p.csv"))]
    for other in loaded[1:]:
        pd.testing.assert_frame_equal(loaded[0], other, check_dtype=False)
    assert list(loaded[0].columns[-2:]) == ["promotion", "price"]  # the feature columns


def test_rows_in_any_order_give_the_same_series(tmp_path):
    frame = generate_panel(5, 50, seed=4)
    shuffled = frame.sample(frac=1.0, random_state=0)
    one, two = (load_panel(f, split_by=None).to_frame().sort_values(["sku_id", "date"]).reset_index(drop=True) for f in (frame, shuffled))
    pd.testing.assert_frame_equal(one, two)


# ---------------------------------------------------------------- censored demand
def test_weekday_mean_recovers_a_weekly_pattern_exactly():
    rng = np.random.default_rng(0)
    n_series, n_days = 20, 70
    truth = (np.arange(n_series)[:, None] + 1) * np.array([2, 4, 6, 8, 10, 12, 14])[np.arange(n_days) % 7]
    censored = np.zeros((n_series, n_days), dtype=bool)
    for day in range(7, n_days):  # random stockouts, never on the same weekday two weeks running
        censored[:, day] = (rng.random(n_series) < 0.2) & ~censored[:, day - 7]
    sales = np.where(censored, np.floor(truth * rng.random(truth.shape)), truth).astype(float)
    offsets = np.arange(0, n_series * n_days + 1, n_days)
    demand, inferred = infer_censored_demand(sales.ravel(), censored.ravel(), offsets, integer=True)
    np.testing.assert_array_equal(demand, truth.ravel())
    np.testing.assert_array_equal(inferred, censored.ravel())


def test_weekday_mean_recovers_random_demand_on_average_and_keeps_sales(tmp_path):
    rng = np.random.default_rng(1)
    n_series, n_days = 50, 140
    profile = np.array([0.6, 0.8, 1.0, 1.0, 1.1, 1.5, 2.0])
    truth = rng.poisson(12 * profile[np.arange(n_days) % 7], size=(n_series, n_days))
    stockout = rng.random(truth.shape) < 0.1  # supply failures, whatever the day's demand
    stockout[:, :28] = False
    sales = np.where(stockout, rng.binomial(truth, 0.5), truth)
    frame = pd.DataFrame({
        "sku_id": np.repeat([f"S{i}" for i in range(n_series)], n_days),
        "date": np.tile(pd.date_range("2024-01-01", periods=n_days), n_series),
        "sales": sales.ravel(), "stockout": stockout.ravel(),
    })
    rows = load_panel(frame, split_by=None).to_frame()
    on_stockout = rows["censored"].to_numpy()
    np.testing.assert_array_equal(on_stockout, stockout.ravel())
    np.testing.assert_array_equal(rows["sales"], sales.ravel())  # the original is kept
    assert rows["inferred"].sum() == stockout.sum()
    true_total = truth.ravel()[on_stockout].sum()
    assert abs(rows["demand"][on_stockout].sum() / true_total - 1) < 0.03
    assert rows["sales"][on_stockout].sum() / true_total < 0.6
    assert np.all(rows["demand"] >= rows["sales"])


def test_on_hand_marks_stockouts_and_other_methods(tmp_path):
    days = pd.date_range("2024-01-01", periods=15)
    frame = pd.DataFrame({"sku_id": "A", "date": days, "sales": 5, "on_hand": 3})
    frame.loc[14, ["sales", "on_hand"]] = (2, 0)
    rows = load_panel(frame, split_by=None).to_frame()
    assert rows["censored"].tolist() == [False] * 14 + [True]
    assert rows["demand"].iloc[-1] == 5 and rows["sales"].iloc[-1] == 2
    assert load_panel(frame, split_by=None, censored_demand="none").to_frame()["demand"].iloc[-1] == 2
    forecasts = frame.assign(forecast_next_7=7.4, forecast_next_28=6.0)
    assert load_panel(forecasts, split_by=None, censored_demand="forecast").to_frame()["demand"].iloc[-1] == 7
    with pytest.raises(ValueError, match="censored_demand='forecast' needs"):
        load_panel(frame, censored_demand="forecast")


# ---------------------------------------------------------------- generator
def test_generated_panel_has_the_promised_features(tmp_path):
    frame = generate_panel(400, 400, seed=11, include_truth=True)
    again = generate_panel(400, 400, seed=11, include_truth=True)
    pd.testing.assert_frame_equal(frame, again)
    lives = frame.groupby(["sku_id", "location_id"])["date"].agg(["min", "max", "size"])
    assert ((lives["min"] > frame["date"].min()).mean() > 0.05) and ((lives["max"] < frame["date"].max()).mean() > 0.05)
    assert lives["size"].min() >= 28
    means = frame.groupby("sku_id")["true_demand"].mean()
    assert means.quantile(0.99) > 10 * means.median()  # a heavy tail of best sellers
    zero_share = (frame["true_demand"] == 0).groupby(frame["sku_id"]).mean()
    assert (zero_share > 0.5).mean() > 0.2  # many intermittent slow movers
    weekday = frame.groupby(frame["date"].dt.day_of_week)["true_demand"].mean()
    assert weekday.max() / weekday.min() > 1.02
    assert frame.groupby("promotion")["true_demand"].mean()[1] > 1.3 * frame.groupby("promotion")["true_demand"].mean()[0]
    assert frame["lead_time"].nunique() == 6 and frame["review_period"].nunique() == 3
    # Sales are censored exactly on stockout days, and never exceed demand.
    assert np.all(frame["sales"] <= frame["true_demand"])
    assert not np.any((frame["sales"] < frame["true_demand"]) & ~frame["stockout"])
    np.testing.assert_array_equal(frame["stockout"], frame["on_hand"] == 0)
    assert 0.02 < frame["stockout"].mean() < 0.5
