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
