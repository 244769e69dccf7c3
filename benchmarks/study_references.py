"""The reference costs of the study's settings (docs/sweeps.md): every applicable reference, val and test.

    python -m benchmarks.study_references
"""
from __future__ import annotations


def main() -> int:
    from gym_inventory.study import SETTINGS, Splits, exact_dp, reference

    print("| setting | reference | status | val cost | test cost (per costed day) |")
    print("|---|---|---|---|---|")
    for name, kinds in [("setting1", ["dp_exact", "dp_empirical", "best_non_anticipating", "best_classical"]),
                        ("setting2", ["best_non_anticipating", "dp_empirical", "best_classical"]),
                        ("setting3", ["best_non_anticipating", "dp_empirical", "best_classical"]),
                        ("setting4_h2", ["critical_fractile"]), ("setting4_h8", ["critical_fractile"]),
                        ("setting4_h16", ["critical_fractile"]), ("setting4_h32", ["critical_fractile"]),
                        ("setting4_h64", ["critical_fractile"])]:
        splits = Splits.of(SETTINGS[name])
        for kind in kinds:
            ref = reference(splits, kind)
            val = ref.candidates[ref.policy_name][0]
            print(f"| {name} | {kind}: {ref.policy_name} | {ref.status} | {val:.4f} | {ref.cost:.4f} |")
    print(f"dp_exact expected cost per costed day: {exact_dp(SETTINGS['setting1'].env_kwargs).expected_cost:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
