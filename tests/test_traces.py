"""Hand-computed traces, written out day by day, through gym.make with a replayed demand path.

Conventions (see gym_inventory.dynamics): an order placed on day t arrives at the start of
day t + L before demand; cost per day = h * end-of-day on-hand + p * (end-of-day backlog or
units lost that day). Pipeline = [net inventory, arriving in 0 days, ..., in L-1 days].
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import make_trace_env


def run_trace(orders, demand, initial, **kwargs):
    env = make_trace_env(horizon=len(orders), **kwargs)
    env.reset(seed=0, options={"demand": demand, "initial_inventory": initial})
    infos = []
    for order in orders:
        _, reward, terminated, truncated, info = env.step(np.array([order], dtype=np.float32))
        infos.append((reward, terminated, truncated, info))
    return infos


def test_lead_time_0_review_1_backlog():
    # net 3; day 0: +1 arrives, demand 5 -> backlog 1 (cost 9, sold 4)
    # day 1: +6 arrives, demand 2, backlog 1 served -> on hand 3 (cost 3, delivered 3)
    # day 2: nothing arrives, demand 4 -> backlog 1 (cost 9, delivered 3)
    steps = run_trace([1, 6, 0], [5, 2, 4], 3.0, lead_time=0)
    assert [s[3]["cost"] for s in steps] == [9.0, 3.0, 9.0]
    assert [s[3]["sales"] for s in steps] == [4.0, 3.0, 3.0]
    assert [s[3]["backlog"] for s in steps] == [1.0, 0.0, 1.0]
    assert [s[3]["on_hand"] for s in steps] == [0.0, 3.0, 0.0]
    assert [s[3]["inventory_position"] for s in steps] == [-1.0, 3.0, -1.0]
    assert [s[0] for s in steps] == [-9.0, -3.0, -9.0]
    assert [s[3]["stockout"] for s in steps] == [True, False, True]
    assert steps[-1][2] is True and not any(s[1] for s in steps)


def test_lead_time_0_review_1_lost_sales():
    # net 3; day 0: 4 available, demand 5 -> 1 lost (cost 9); day 1: 6 arrive, demand 2 -> 4 left
    # (cost 4); day 2: demand 4 -> 0 left (cost 0)
    steps = run_trace([1, 6, 0], [5, 2, 4], 3.0, lead_time=0, lost_sales=True)
    assert [s[3]["cost"] for s in steps] == [9.0, 4.0, 0.0]
    assert [s[3]["lost"] for s in steps] == [1.0, 0.0, 0.0]
    assert [s[3]["sales"] for s in steps] == [4.0, 2.0, 4.0]
    assert [s[3]["backlog"] for s in steps] == [0.0, 0.0, 0.0]


def test_lead_time_1_review_1_backlog():
    # pipeline [2, 3]: 3 arrive on day 0. Order 5 on day 0 arrives day 1.
    # day 0: 2 + 3 - 4 = 1; day 1: 1 + 5 - 4 = 2; day 2: 2 + 0 - 1 = 1, order 2 in transit.
    steps = run_trace([5, 0, 2], [4, 4, 1], [2.0, 3.0], lead_time=1)
    assert [s[3]["cost"] for s in steps] == [1.0, 2.0, 1.0]
    assert [s[3]["pipeline"].tolist() for s in steps] == [[1.0, 5.0], [2.0, 0.0], [1.0, 2.0]]
    assert [s[3]["inventory_position"] for s in steps] == [6.0, 2.0, 3.0]


def test_lead_time_1_review_1_lost_sales():
    # pipeline [0, 1]; order 4 (arrives day 1), then 0, 0. Demand 3, 2, 5; p = 4.
    # day 0: 0 + 1 - 3 -> 2 lost (cost 8); day 1: 0 + 4 - 2 = 2 (cost 2); day 2: 2 - 5 -> 3 lost (cost 12)
    steps = run_trace([4, 0, 0], [3, 2, 5], [0.0, 1.0], lead_time=1, lost_sales=True, penalty_cost=4.0)
    assert [s[3]["cost"] for s in steps] == [8.0, 2.0, 12.0]
    assert [s[3]["lost"] for s in steps] == [2.0, 0.0, 3.0]
    assert [s[3]["stockout"] for s in steps] == [True, False, True]


def test_lead_time_3_review_1_backlog():
    # pipeline [5, 1, 2, 3]; order 2 each day; demand 4 each day.
    # day 0: 5+1-4 = 2 (cost 2); day 1: 2+2-4 = 0 (0); day 2: 0+3-4 = -1 (9); day 3: -1+2-4 = -3 (27)
    steps = run_trace([2, 2, 2, 2], [4, 4, 4, 4], [5.0, 1.0, 2.0, 3.0], lead_time=3)
    assert [s[3]["cost"] for s in steps] == [2.0, 0.0, 9.0, 27.0]
    assert steps[0][3]["pipeline"].tolist() == [2.0, 2.0, 3.0, 2.0]
    assert steps[-1][3]["pipeline"].tolist() == [-3.0, 2.0, 2.0, 2.0]
    assert steps[-1][3]["inventory_position"] == 3.0


def test_lead_time_3_review_3_lost_sales():
    # pipeline [0, 2, 0, 7]; p = 4. Epoch 0 (days 0-2), order 10 arrives day 3:
    #   day 0: 0+2-3 -> 1 lost (4); day 1: 0+0-1 -> 1 lost (4); day 2: 0+7-5 = 2 (2). Cost 10.
    # Epoch 1 (days 3-5), order 4 arrives day 6:
    #   day 3: 2+10-2 = 10 (10); day 4: 10-6 = 4 (4); day 5: 4-1 = 3 (3). Cost 17.
    steps = run_trace([10, 4], [3, 1, 5, 2, 6, 1], [0.0, 2.0, 0.0, 7.0], lead_time=3, review_period=3,
                      lost_sales=True, penalty_cost=4.0)
    first, second = steps[0][3], steps[1][3]
    assert (first["cost"], first["lost"], first["sales"], first["stockout_days"]) == (10.0, 2.0, 7.0, 2)
    assert first["pipeline"].tolist() == [2.0, 10.0, 0.0, 0.0]
    assert (second["cost"], second["lost"], second["sales"], second["demand"]) == (17.0, 0.0, 9.0, 9.0)
    assert second["pipeline"].tolist() == [3.0, 4.0, 0.0, 0.0]
    assert second["day"] == 6


def test_lead_time_1_review_3_backlog():
    # pipeline [1, 0]; order 6 arrives day 1. Demand 4, 2, 3.
    # day 0: 1-4 = -3 (27); day 1: -3+6-2 = 1 (1), delivers 2 + 3 = 5; day 2: 1-3 = -2 (18).
    steps = run_trace([6], [4, 2, 3], [1.0, 0.0], lead_time=1, review_period=3)
    info = steps[0][3]
    assert info["cost"] == 46.0 and info["holding_cost"] == 1.0 and info["penalty_cost"] == 45.0
    assert info["sales"] == 7.0 and info["backlog"] == 2.0
    assert info["unmet_demand"] == 5.0  # 3 of day 0's demand and 2 of day 2's
    assert info["stockout_days"] == 2
    assert info["pipeline"].tolist() == [-2.0, 0.0]


def test_lead_time_0_review_3_lost_sales():
    # net 2; order 5 arrives day 0. Demand 4, 1, 3; p = 4.
    # day 0: 2+5-4 = 3 (3); day 1: 3-1 = 2 (2); day 2: 2-3 -> 1 lost (4).
    steps = run_trace([5], [4, 1, 3], 2.0, lead_time=0, review_period=3, lost_sales=True, penalty_cost=4.0)
    info = steps[0][3]
    assert (info["cost"], info["sales"], info["lost"], info["on_hand"]) == (9.0, 7.0, 1.0, 0.0)


@pytest.mark.parametrize("lost_sales", [False, True])
def test_episode_metrics_on_last_step(lost_sales):
    steps = run_trace([1, 6, 0], [5, 2, 4], 3.0, lead_time=0, lost_sales=lost_sales)
    assert "episode_metrics" not in steps[0][3]
    metrics = steps[-1][3]["episode_metrics"]
    total = sum(s[3]["cost"] for s in steps)
    assert metrics["cost_per_day"] == pytest.approx(total / 3)
    # backlog: days 0 and 2 leave demand unmet; lost sales: only day 0 (day 2 ends at exactly 0)
    assert metrics["stockout_rate"] == pytest.approx((1 if lost_sales else 2) / 3)
    assert metrics["stockout_rate"] == pytest.approx(sum(s[3]["stockout_days"] for s in steps) / 3)
    demand = 11.0
    unmet = sum(s[3]["unmet_demand"] for s in steps)
    assert metrics["fill_rate"] == pytest.approx(1 - unmet / demand)
    on_hand = sum(s[3]["on_hand"] for s in steps)
    sales = sum(s[3]["sales"] for s in steps)
    assert metrics["turnover_time"] == pytest.approx(on_hand / sales)


def test_lead_time_3_review_1_lost_sales():
    # pipeline [1, 0, 4, 0]; order 3 then nothing; demand 2 a day; p = 4.
    # day 0: 1-2 -> 1 lost (4); day 1: 0+4-2 = 2 (2); day 2: 2-2 = 0 (0); day 3: 0+3-2 = 1 (1)
    steps = run_trace([3, 0, 0, 0], [2, 2, 2, 2], [1.0, 0.0, 4.0, 0.0], lead_time=3, lost_sales=True,
                      penalty_cost=4.0)
    assert [s[3]["cost"] for s in steps] == [4.0, 2.0, 0.0, 1.0]
    assert [s[3]["lost"] for s in steps] == [1.0, 0.0, 0.0, 0.0]
    assert steps[0][3]["pipeline"].tolist() == [0.0, 4.0, 0.0, 3.0]
    assert steps[-1][3]["pipeline"].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_lead_time_0_review_3_backlog():
    # net 0; order 6 arrives day 0; demand 2, 3, 4: 4 (4), 1 (1), -3 (27)
    info = run_trace([6], [2, 3, 4], 0.0, lead_time=0, review_period=3)[0][3]
    assert (info["cost"], info["backlog"], info["sales"], info["unmet_demand"]) == (32.0, 3.0, 6.0, 3.0)


def test_lead_time_1_review_3_lost_sales():
    # pipeline [2, 1]; order 5 arrives day 1; demand 4, 2, 6; p = 4.
    # day 0: 2+1-4 -> 1 lost (4); day 1: 0+5-2 = 3 (3); day 2: 3-6 -> 3 lost (12)
    info = run_trace([5], [4, 2, 6], [2.0, 1.0], lead_time=1, review_period=3, lost_sales=True,
                     penalty_cost=4.0)[0][3]
    assert (info["cost"], info["lost"], info["sales"], info["stockout_days"]) == (19.0, 4.0, 3.0 + 2.0 + 3.0, 2)
    assert info["pipeline"].tolist() == [0.0, 0.0]


def test_lead_time_3_review_3_backlog():
    # pipeline [2, 1, 1, 1]; order 9 arrives day 3, then order 0; demand 2 a day.
    # epoch 0: 2+1-2 = 1 (1); 1+1-2 = 0 (0); 0+1-2 = -1 (9)  -> cost 10, delivered 5
    # epoch 1: -1+9-2 = 6 (6); 4 (4); 2 (2)                   -> cost 12, delivered 7
    steps = run_trace([9, 0], [2] * 6, [2.0, 1.0, 1.0, 1.0], lead_time=3, review_period=3)
    first, second = steps[0][3], steps[1][3]
    assert (first["cost"], first["sales"], first["backlog"]) == (10.0, 5.0, 1.0)
    assert first["pipeline"].tolist() == [-1.0, 9.0, 0.0, 0.0]
    assert (second["cost"], second["sales"], second["backlog"]) == (12.0, 7.0, 0.0)
    assert second["pipeline"].tolist() == [2.0, 0.0, 0.0, 0.0]
