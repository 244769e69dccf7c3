"""The M5 adapter on a small generated fixture in the M5 file formats, and the make-data CLI."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gym_inventory.cli import main
from gym_inventory.data import load_m5, load_panel, m5_to_panel

N_DAYS = 21
ITEMS = ["FOODS_1_001", "HOBBIES_1_002", "HOUSEHOLD_1_003"]
STORES = [("CA_1", "CA"), ("TX_1", "TX")]
LAUNCH_WEEK = {"FOODS_1_001": 0, "HOBBIES_1_002": 1, "HOUSEHOLD_1_003": 2}  # first week with a price


def write_m5(folder, negative_cell: bool = False):
    """sales_train_validation.csv, calendar.csv and sell_prices.csv for 3 items x 2 stores x 21 days."""
    rng = np.random.default_rng(0)
    dates = pd.date_range("2011-01-29", periods=N_DAYS)
    weeks = 11101 + np.arange(N_DAYS) // 7
    calendar = pd.DataFrame({
        "date": dates.strftime("%Y-%m-%d"), "wm_yr_wk": weeks, "weekday": dates.day_name(), "wday": dates.day_of_week + 1,
        "month": dates.month, "year": dates.year, "d": [f"d_{k}" for k in range(1, N_DAYS + 1)],
        "event_name_1": [None] * 8 + ["SuperBowl"] + [None] * 12, "event_type_1": [None] * 8 + ["Sporting"] + [None] * 12,
        "event_name_2": None, "event_type_2": None,
        "snap_CA": (np.arange(N_DAYS) % 3 == 0).astype(int), "snap_TX": (np.arange(N_DAYS) % 4 == 0).astype(int),
        "snap_WI": 0,
    })
    rows, prices, truth = [], [], {}
    for store, state in STORES:
        for item in ITEMS:
            launch = 7 * LAUNCH_WEEK[item]
            units = np.where(np.arange(N_DAYS) >= launch, rng.poisson(3, N_DAYS), 0)
            units[launch] = 0  # a zero on the launch day: the life starts at the price, not the first sale
            truth[(item, store)] = units
            row = {"id": f"{item}_{store}_validation", "item_id": item, "dept_id": item[:-4], "cat_id": item.split("_")[0],
                   "store_id": store, "state_id": state}
            row.update({f"d_{k + 1}": units[k] for k in range(N_DAYS)})
            rows.append(row)
            for week in sorted(set(weeks[launch:])):
                prices.append({"store_id": store, "item_id": item, "wm_yr_wk": week, "sell_price": 1.0 + (week - 11100) / 10})
    sales = pd.DataFrame(rows)
    if negative_cell:
        sales.loc[4, "d_9"] = -1
    sales.to_csv(folder / "sales_train_validation.csv", index=False)
    calendar.to_csv(folder / "calendar.csv", index=False)
    pd.DataFrame(prices).to_csv(folder / "sell_prices.csv", index=False)
    return truth


def test_m5_adapter_on_its_fixture(tmp_path):
    truth = write_m5(tmp_path)
    frame = m5_to_panel(tmp_path / "sales_train_validation.csv", tmp_path / "calendar.csv", tmp_path / "sell_prices.csv")
    assert list(frame.columns) == ["sku_id", "location_id", "date", "sales", "sell_price", "snap", "event"]
    for (item, store), units in truth.items():
        rows = frame[(frame["sku_id"] == item) & (frame["location_id"] == store)]
        launch = 7 * LAUNCH_WEEK[item]
        assert rows["date"].iloc[0] == np.datetime64("2011-01-29") + np.timedelta64(launch, "D")
        np.testing.assert_array_equal(rows["sales"], units[launch:])
        np.testing.assert_allclose(rows["sell_price"], 1.1 + (np.arange(launch, N_DAYS) // 7) / 10)
        snap = (np.arange(N_DAYS) % (3 if store == "CA_1" else 4) == 0)[launch:]
        np.testing.assert_array_equal(rows["snap"], snap)
        np.testing.assert_array_equal(rows["event"], (np.arange(N_DAYS) == 8)[launch:])

    dataset = load_m5(tmp_path / "sales_train_validation.csv", tmp_path / "calendar.csv", tmp_path / "sell_prices.csv", split_by=None)
    table = dataset.sku_table().sort_values(["sku_id", "location_id"])
    assert table["days"].tolist() == [21, 21, 14, 14, 7, 7]
    assert dataset.dynamic_names == ("sell_price", "snap", "event")
    assert dataset.to_frame()["censored"].sum() == 0  # M5 has no stock data: demand = sales

    only = m5_to_panel(tmp_path / "sales_train_validation.csv", tmp_path / "calendar.csv", stores=["TX_1"], items=ITEMS[:1])
    assert set(only["location_id"]) == {"TX_1"} and len(only) == N_DAYS - 1  # no prices: starts at the first sale


def test_m5_adapter_reports_bad_files(tmp_path):
    write_m5(tmp_path, negative_cell=True)
    sales, calendar = tmp_path / "sales_train_validation.csv", tmp_path / "calendar.csv"
    with pytest.raises(ValueError, match=r"sales_train_validation.csv, row 5, column 'd_9': -1 is not a number >= 0"):
        m5_to_panel(sales, calendar)
    short_calendar = pd.read_csv(calendar).iloc[:-1]
    with pytest.raises(ValueError, match=r"no row with d = 'd_21'"):
        m5_to_panel(sales, short_calendar, items=[ITEMS[0]], stores=["CA_1"])  # the negative cell is in another row
    with pytest.raises(ValueError, match=r"missing column\(s\) \['store_id'\]"):
        m5_to_panel(pd.read_csv(sales).drop(columns="store_id"), calendar)
    with pytest.raises(ValueError, match="does not exist"):
        m5_to_panel(tmp_path / "absent.csv", calendar)


def test_make_data_cli(tmp_path, capsys):
    out = tmp_path / "panel.parquet"
    assert main(["make-data", "--skus", "12", "--days", "40", "--out", str(out), "--seed", "3", "--json"]) == 0
    assert '"series": 12' in capsys.readouterr().out
    dataset = load_panel(str(out), split_by=None, on_error="skip")
    assert len(dataset) == 12 and set(dataset.panel.parameters) == {"lead_time", "review_period", "holding_cost", "penalty_cost"}
    before = out.read_bytes()
    for argv, says in [
        (["--skus", "5", "--days", "40", "--out", str(out)], "already exists"),
        (["--skus", "0", "--days", "40", "--out", str(tmp_path / "a.csv")], "--skus and --days must be >= 1"),
        (["--skus", "5", "--out", str(tmp_path / "a.csv")], "give --skus N and --days D"),
        (["--skus", "5", "--days", "9", "--out", str(tmp_path / "a.txt")], "must end in .parquet, .pq or .csv"),
        (["--skus", "5", "--days", "9", "--start", "2023-02-30", "--out", str(tmp_path / "a.csv")], "start must be a date"),
        (["--m5", str(tmp_path / "nowhere"), "--out", str(tmp_path / "m.csv")], "is not a directory"),
    ]:
        assert main(["make-data", *argv]) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and error.startswith("gym-inventory make-data: error:") and says in error
    assert out.read_bytes() == before
    assert not (tmp_path / "a.csv").exists()

    write_m5(tmp_path)
    assert main(["make-data", "--m5", str(tmp_path), "--out", str(tmp_path / "m5.csv")]) == 0
    assert len(load_panel(str(tmp_path / "m5.csv"), split_by=None)) == 6
