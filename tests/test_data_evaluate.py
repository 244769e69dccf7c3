"""evaluate_panel: a generated panel, loaded and evaluated, against costs computed by hand; bad input."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gym_inventory.data import evaluate_panel, load_panel, write_panel
from gym_inventory.policies import BaseStock
from gym_inventory.policy import Policy

DAYS = 60
TARGET = 5.0  # order up to 5 days of the series' scale


def hand_demand(sales, stockout):
    """Censored days: the mean of the same weekday's uncensored sales in the 4 weeks before, else of
    the uncensored days in the 28 days before; rounded; never below the day's sales."""
    demand = list(sales)
    for t in range(len(sales)):
        if not stockout[t]:
            continue
        same_weekday = [sales[t - 7 * k] for k in range(1, 5) if t - 7 * k >= 0 and not stockout[t - 7 * k]]
        recent = [sales[t - j] for j in range(1, 29) if t - j >= 0 and not stockout[t - j]]
        known = same_weekday or recent
        if known:
            demand[t] = max(sales[t], float(np.round(np.mean(known))))
    return demand


def hand_episode(demand, lead_time, review_period, holding_cost, penalty_cost):
    """Lost sales, base stock TARGET x scale, over the series' last DAYS // P epochs: (cost, stockout days, sales)
    of the days after the warm-up, max(L + 1, epochs // 10) epochs (as gym_inventory.evaluate counts)."""
    horizon = DAYS // review_period
    warmup_days = min(max(lead_time + 1, horizon // 10), horizon - 1) * review_period
    start = len(demand) - horizon * review_period
    history = demand[max(start - 91, 0):start]
    scale = max(np.mean(history), 1 / 91) if history else 1.0
    on_hand = float(np.round((lead_time + review_period) * scale))
    arrivals = {}
    cost = stockout_days = sold_total = 0.0
    for day in range(horizon * review_period):
        if day % review_period == 0:
            position = on_hand + sum(arrivals.values())
            order = max(TARGET * scale - position, 0.0)
            arrivals[day + lead_time] = arrivals.get(day + lead_time, 0.0) + order
        on_hand += arrivals.pop(day, 0.0)
        wanted = demand[start + day]
        sold = min(on_hand, wanted)
        on_hand -= sold
        lost = wanted - sold
        if day >= warmup_days:
            cost += holding_cost * on_hand + penalty_cost * lost
            stockout_days += lost > 0
            sold_total += sold
    return cost, stockout_days, sold_total


@pytest.fixture(scope="module")
def panel_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("panel") / "panel.parquet"
    write_panel(path, 40, 130, seed=7)
    return str(path)


def test_round_trip_reproduces_per_series_costs_by_hand(panel_file, tmp_path):
    out = tmp_path / "results.parquet"
    policy = BaseStock(TARGET, in_scale_units=True)
    result = evaluate_panel(policy, panel_file, out=out, days=DAYS, chunk_size=7, batch_size=5,
                            env_kwargs={"lost_sales": True}, on_error="skip", progress=False)
    rows = pd.read_parquet(panel_file).sort_values(["sku_id", "location_id", "date"])
    expected, short = {}, set()
    for (sku, location), series in rows.groupby(["sku_id", "location_id"]):
        first = series.iloc[0]
        lead_time, review_period = int(first["lead_time"]), int(first["review_period"])
        if len(series) < DAYS // review_period * review_period:
            short.add((sku, location))
            continue
        demand = hand_demand(series["sales"].astype(float).tolist(), series["stockout"].tolist())
        expected[(sku, location)] = hand_episode(demand, lead_time, review_period, first["holding_cost"], first["penalty_cost"])
    assert short and {problem.series for problem in result.skipped} == short

    found = pd.read_parquet(out).set_index(["sku_id", "location_id"])
    assert sorted(found.index) == sorted(expected) and result.n_series == len(expected)
    for key, (cost, stockout_days, sold) in expected.items():
        assert found.loc[key, "total_cost"] == pytest.approx(cost, rel=1e-9, abs=1e-9)
        assert found.loc[key, "stockout_days"] == stockout_days
        assert found.loc[key, "sales"] == pytest.approx(sold, rel=1e-9, abs=1e-9)
    total_days = found["days"].sum()
    assert result.cost_per_day == pytest.approx(found["total_cost"].sum() / total_days)
    assert result.stockout_rate == pytest.approx(found["stockout_days"].sum() / total_days)
    assert result.turnover_time == pytest.approx(found["on_hand_days"].sum() / found["sales"].sum())


def test_loaded_dataset_gives_the_file_results_and_splits_pick_their_period(panel_file, tmp_path):
    policy = BaseStock(TARGET, in_scale_units=True)
    kwargs = dict(days=DAYS, env_kwargs={"lost_sales": True}, on_error="skip", progress=False)
    from_file = evaluate_panel(policy, panel_file, out=tmp_path / "a.parquet", **kwargs)
    dataset = load_panel(panel_file, split_by="time", validate_days=70, test_days=20)
    from_dataset = evaluate_panel(policy, dataset, out=tmp_path / "b.parquet", chunk_size=1000, **kwargs)
    one, two = (pd.read_parquet(tmp_path / name).sort_values(["sku_id", "location_id"]).reset_index(drop=True)
                for name in ("a.parquet", "b.parquet"))
    pd.testing.assert_frame_equal(one, two)
    assert from_file.total_cost == pytest.approx(from_dataset.total_cost)

    validate = dataset.split("validate")
    result = evaluate_panel(policy, dataset, split="validate", out=tmp_path / "c.parquet", **kwargs)
    rows = dataset.to_frame()
    end = np.datetime64(validate.period_stop, "D")
    found = pd.read_parquet(tmp_path / "c.parquet").set_index(["sku_id", "location_id"])
    for key, row in found.iterrows():
        series = rows[(rows["sku_id"] == key[0]) & (rows["location_id"] == key[1]) & (rows["date"] < end)]
        assert row["demand"] == pytest.approx(series["demand"].iloc[-int(row["days"]):].sum())
    assert result.n_series == len(found) > 0


class Broken(Policy):
    name = "broken"

    def __init__(self, fail_at: int | None = None, shape_offset: int = 0):
        self.fail_at, self.shape_offset, self.calls = fail_at, shape_offset, 0

    def __call__(self, state):
        self.calls += 1
        if self.calls == self.fail_at:
            raise RuntimeError("policy failed")
        return np.zeros(state.inventory_position.shape[0] + self.shape_offset)


def test_bad_input_and_nothing_overwritten(panel_file, tmp_path):
    existing = tmp_path / "existing.parquet"
    existing.write_bytes(b"keep me")
    kwargs = dict(days=DAYS, on_error="skip", progress=False)
    with pytest.raises(ValueError, match="already exists"):
        evaluate_panel(Broken(), panel_file, out=existing, **kwargs)
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(RuntimeError, match="policy failed"):
        evaluate_panel(Broken(fail_at=30), panel_file, out=tmp_path / "partial.parquet", batch_size=4, **kwargs)
    assert not (tmp_path / "partial.parquet").exists()  # a failed evaluation leaves no file behind
    with pytest.raises(ValueError, match="policy 'broken' returned orders of shape"):
        evaluate_panel(Broken(shape_offset=1), panel_file, **kwargs)
    with pytest.raises(TypeError, match="policy must be a gym_inventory.policy.Policy"):
        evaluate_panel(lambda state: 0, panel_file, **kwargs)
    with pytest.raises(ValueError, match=r"env_kwargs must not set \['horizon'\]"):
        evaluate_panel(Broken(), panel_file, env_kwargs={"horizon": 5}, **kwargs)
    with pytest.raises(ValueError, match="out must be a new .parquet file"):
        evaluate_panel(Broken(), panel_file, out=tmp_path / "r.csv", **kwargs)
    with pytest.raises(ValueError, match=r"row \d+, column 'date': SKU '\w+' at location 'WH\d': \d+ days in the evaluation"):
        evaluate_panel(Broken(), panel_file, days=DAYS, progress=False)


def test_streaming_needs_contiguous_series(tmp_path):
    frame = pd.DataFrame({
        "sku_id": ["A", "A", "B", "B", "A"],
        "date": ["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-02", "2024-01-03"],
        "demand": [1, 2, 3, 4, 5],
    })
    path = tmp_path / "unsorted.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match="rows of SKU 'A' are not contiguous"):
        evaluate_panel(BaseStock(3.0), str(path), days=2, chunk_size=1, progress=False)
    assert load_panel(str(path), split_by=None).to_frame()["demand"].tolist() == [1, 2, 5, 3, 4]  # load_panel sorts


class _Huge(Policy):
    """Orders far beyond any action bound (records what the simulator was asked to order)."""

    name = "huge"

    def __call__(self, state):
        return np.full(len(state.scale), 1e9)


def test_orders_are_clipped_to_each_series_own_bound_whatever_the_batch(panel_file, tmp_path):
    results = []
    for batch_size in (1, 64):
        out = tmp_path / f"batch{batch_size}.parquet"
        evaluate_panel(_Huge(), panel_file, out=out, days=DAYS, batch_size=batch_size, env_kwargs={"lost_sales": True},
                       on_error="skip", progress=False)
        results.append(pd.read_parquet(out).set_index(["sku_id", "location_id"]).sort_index())
    pd.testing.assert_frame_equal(results[0], results[1])  # a series' result does not depend on its batch mates
    assert np.all(np.isfinite(results[0]["total_cost"])) and results[0]["total_holding_cost"].max() < 1e9
    capped = tmp_path / "capped.parquet"
    evaluate_panel(_Huge(), panel_file, out=capped, days=DAYS, env_kwargs={"lost_sales": True, "max_order": 2.0},
                   on_error="skip", progress=False)
    # an explicit max_order=2 is the bound instead: less stock held than under each series' default bound
    found = pd.read_parquet(capped).set_index(["sku_id", "location_id"]).sort_index()
    assert np.all(found["total_holding_cost"] < results[0]["total_holding_cost"])
