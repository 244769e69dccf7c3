"""The remap formulas against orders computed by hand (Base, Coeff, Both, None; clip at 0, cap, rounding)."""
from __future__ import annotations

import numpy as np
import pytest

from gym_inventory.remap import REGULARIZATIONS, action_size, check_kind, remap

# Three SKUs: tot(I), scale and feat(x) = [mean_28, mean_7, forecast_7, forecast_28, 1].
INVENTORY_POSITION = np.array([10.0, 30.0, -4.0])
SCALE = np.array([5.0, 5.0, 2.0])
FEATURES = np.array(
    [
        [4.0, 6.0, 5.0, 5.0, 1.0],
        [10.0, 10.0, 10.0, 10.0, 1.0],
        [2.0, 2.0, 2.0, 2.0, 1.0],
    ]
)

MU = {
    # none: 2 x 5 = 10; 0.5 x 5 = 2.5; -1 x 2 = -2 -> 0
    "none": np.array([[2.0], [0.5], [-1.0]]),
    # base: 4 x 5 - 10 = 10; 4 x 5 - 30 = -10 -> 0; 1 x 2 - (-4) = 6
    "base": np.array([[4.0], [4.0], [1.0]]),
    # coeff: 1 x 5 + 0.5 x 1 = 5.5; 0.5 x 10 + 0.5 x 10 - 1 = 9; -3 x 1 -> 0
    "coeff": np.array([[0.0, 0.0, 1.0, 0.0, 0.5], [0.5, 0.0, 0.0, 0.5, -1.0], [0.0, 0.0, 0.0, 0.0, -3.0]]),
    # both: 3 x 5 + 2 - 10 = 7; 4 x 10 - 30 = 10; -3 - (-4) = 1
    "both": np.array([[0.0, 0.0, 3.0, 0.0, 2.0], [1.0, 1.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0, -3.0]]),
}
EXPECTED = {
    "none": [10.0, 2.5, 0.0],
    "base": [10.0, 0.0, 6.0],
    "coeff": [5.5, 9.0, 0.0],
    "both": [7.0, 10.0, 1.0],
}


def orders(kind, mu=None, **options):
    mu = MU[kind] if mu is None else mu
    return remap(kind, mu, inventory_position=INVENTORY_POSITION, features=FEATURES, scale=SCALE, **options)


@pytest.mark.parametrize("kind", REGULARIZATIONS)
def test_hand_computed_orders(kind):
    np.testing.assert_array_equal(orders(kind), EXPECTED[kind])


@pytest.mark.parametrize("kind", REGULARIZATIONS)
def test_orders_are_never_negative(kind):
    very_negative = np.full_like(MU[kind], -1e6)
    np.testing.assert_array_equal(orders(kind, very_negative), [0.0, 0.0, 0.0])


def test_order_cap_scalar_and_per_sku():
    # base orders 10, 0, 6: a cap of 8 binds on the first SKU only
    np.testing.assert_array_equal(orders("base", order_cap=8.0), [8.0, 0.0, 6.0])
    np.testing.assert_array_equal(orders("both", order_cap=np.array([5.0, 12.0, 0.5])), [5.0, 10.0, 0.5])


def test_integer_rounding():
    # none: 0.55 x 5 = 2.75 -> 3; 1.38 x 5 = 6.9 -> 7; 0.7 x 2 = 1.4 -> 1
    mu = np.array([[0.55], [1.38], [0.7]])
    np.testing.assert_array_equal(orders("none", mu, integer=True), [3.0, 7.0, 1.0])
    # coeff 5.5 would be a tie; 9 and 0 are whole already
    mu = MU["coeff"].copy()
    mu[0, 4] = 0.8  # 5 + 0.8 = 5.8 -> 6
    np.testing.assert_array_equal(orders("coeff", mu, integer=True), [6.0, 9.0, 0.0])


def test_cap_then_round():
    # base 10 capped at 7.2 -> 7.2 -> 7; the third SKU's 6 stays 6
    np.testing.assert_array_equal(orders("base", order_cap=7.2, integer=True), [7.0, 0.0, 6.0])


@pytest.mark.parametrize("kind", REGULARIZATIONS)
def test_torch_matches_numpy_and_has_gradients(kind):
    torch = pytest.importorskip("torch")
    mu = torch.tensor(MU[kind], requires_grad=True)
    result = remap(
        kind, mu, inventory_position=torch.tensor(INVENTORY_POSITION), features=torch.tensor(FEATURES),
        scale=torch.tensor(SCALE),
    )
    np.testing.assert_allclose(result.detach().numpy(), EXPECTED[kind])
    result.sum().backward()
    # d order / d mu is scale (none, base) or feat(x) (coeff, both) where the order is positive, else 0
    positive = np.array(EXPECTED[kind]) > 0
    expected_grad = SCALE[:, None] if kind in ("none", "base") else FEATURES
    np.testing.assert_allclose(mu.grad.numpy(), np.where(positive[:, None], expected_grad, 0.0))


def test_action_size_and_kind_checks():
    assert [action_size(kind, 5) for kind in REGULARIZATIONS] == [1, 1, 5, 5]
    assert check_kind("both") == "both"
    with pytest.raises(ValueError, match="'coef'"):
        check_kind("coef")
    with pytest.raises(TypeError, match="string"):
        check_kind(3)
    with pytest.raises(ValueError, match="'direct'"):
        remap("direct", MU["none"], inventory_position=INVENTORY_POSITION, features=FEATURES, scale=SCALE)


def test_integer_orders_never_exceed_a_fractional_cap():
    orders = remap("base", np.array([[3.0], [1.5]]), inventory_position=np.array([0.0, 0.0]),
                   features=None, scale=np.array([5.0, 5.0]), order_cap=7.6, integer=True)
    np.testing.assert_array_equal(orders, [7.0, 7.0])  # 15 and 7.5 round to 15 and 8; the cap 7.6 allows 7
