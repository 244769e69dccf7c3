"""Conservation laws of the shared dynamics, exact on every day, over random demands and orders."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gym_inventory.dynamics import inventory_position, simulate_days

units = st.integers(min_value=0, max_value=50)


@st.composite
def problems(draw):
    lead_time = draw(st.integers(0, 4))
    review_period = draw(st.integers(1, 4))
    epochs = draw(st.integers(1, 6))
    lost_sales = draw(st.booleans())
    n_skus = draw(st.integers(1, 3))
    net = draw(st.lists(units, min_size=n_skus, max_size=n_skus))
    transit = draw(st.lists(st.lists(units, min_size=lead_time, max_size=lead_time), min_size=n_skus, max_size=n_skus))
    orders = draw(st.lists(st.lists(units, min_size=n_skus, max_size=n_skus), min_size=epochs, max_size=epochs))
    demand = draw(
        st.lists(st.lists(units, min_size=epochs * review_period, max_size=epochs * review_period),
                 min_size=n_skus, max_size=n_skus)
    )
    pipeline = np.column_stack([np.array(net, float), np.array(transit, float).reshape(n_skus, lead_time)])
    return pipeline, np.array(orders, float), np.array(demand, float), review_period, lost_sales


@settings(max_examples=200, deadline=None)
@given(problems())
def test_units_are_conserved_every_day(problem):
    pipeline, orders, demand, review_period, lost_sales = problem
    start_stock = np.maximum(pipeline[:, 0], 0) + pipeline[:, 1:].sum(axis=1)
    start_backlog = np.maximum(-pipeline[:, 0], 0)
    ordered = np.zeros(len(pipeline))
    delivered = np.zeros(len(pipeline))
    lost = np.zeros(len(pipeline))
    demanded = np.zeros(len(pipeline))
    for epoch, order in enumerate(orders):
        days = demand[:, epoch * review_period : (epoch + 1) * review_period]
        out = simulate_days(pipeline, order, days, lost_sales=lost_sales, holding_cost=1.0, penalty_cost=2.0)
        ordered += order
        for day in range(review_period):
            delivered += out.delivered[day]
            demanded += days[:, day]
            on_hand = out.on_hand[day]
            shortage = out.shortage[day]
            if lost_sales:
                lost += shortage
            backlog = np.zeros_like(shortage) if lost_sales else shortage
            assert np.all(on_hand >= 0) and np.all(shortage >= 0) and np.all(out.delivered[day] >= 0)
            assert np.all((on_hand == 0) | (shortage == 0)), "stock on hand while demand is unmet"
            # every unit of demand is delivered, lost, or still backlogged
            np.testing.assert_array_equal(start_backlog + demanded, delivered + lost + backlog)
            np.testing.assert_array_equal(out.holding_cost[day], 1.0 * on_hand)
            np.testing.assert_array_equal(out.penalty_cost[day], 2.0 * shortage)
        # initial stock + everything ordered = on-hand + in transit + delivered (at the epoch's end)
        pipeline = out.pipeline
        in_transit = pipeline[:, 1:].sum(axis=1)
        np.testing.assert_array_equal(start_stock + ordered, out.on_hand[-1] + in_transit + delivered)
        np.testing.assert_array_equal(inventory_position(pipeline), pipeline.sum(axis=1))


@settings(max_examples=100, deadline=None)
@given(problems())
def test_epoch_equals_days_one_at_a_time(problem):
    """Simulating P days at once equals P one-day calls with no order after the first."""
    pipeline, orders, demand, review_period, lost_sales = problem
    days = demand[:, :review_period]
    whole = simulate_days(pipeline, orders[0], days, lost_sales=lost_sales, holding_cost=1.0, penalty_cost=3.0)
    state = pipeline
    for day in range(review_period):
        order = orders[0] if day == 0 else np.zeros(len(pipeline))
        one = simulate_days(state, order, days[:, day : day + 1], lost_sales=lost_sales, holding_cost=1.0, penalty_cost=3.0)
        np.testing.assert_array_equal(one.on_hand[0], whole.on_hand[day])
        np.testing.assert_array_equal(one.shortage[0], whole.shortage[day])
        np.testing.assert_array_equal(one.delivered[0], whole.delivered[day])
        state = one.pipeline
    np.testing.assert_array_equal(state, whole.pipeline)
