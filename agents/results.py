"""The result of a training run, one meaning for every trainer (SB3 and DS)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class TrainResult:
    """What :func:`agents.train` (SB3) and :func:`agents.ds.train` (DS) return.

    Costs are money per day on the validation trajectories (the ``validate`` split),
    except ``train_cost``.
    """

    policy: object  # the best policy found (a gym_inventory Policy: SB3Policy or DSPolicy)
    history: list = field(default_factory=list)  # one dict per validation
    best_step: int | None = None  # the step (SB3: env steps; DS: gradient steps) of the best validation
    best_cost: float = math.inf  # the best validation cost
    initial_cost: float | None = None  # the untrained policy's validation cost (DS; None where not measured)
    # the kept policy's cost per day on the training trajectories (DS: overfitting shows as train << val);
    # None where the trainer does not measure it (SB3). The sweeps' trial records keep this meaning.
    train_cost: float | None = None
    reference_cost: float | None = None  # the best classical policy on the validation trajectories (None: not computed)
    steps: int = 0  # steps taken (SB3: env steps, SKU-epochs; DS: gradient steps)
    stopped_early: bool = False
    wall_time_s: float = 0.0
    model: object = None  # the trained SB3 model holding the best weights (None for DS)

    @property
    def best_gap_pct(self) -> float | None:
        """100 x (best cost / reference cost - 1), or None without a reference."""
        if not self.reference_cost:
            return None
        return 100.0 * (self.best_cost / self.reference_cost - 1.0)

    @property
    def best_val_cost(self) -> float:
        """The best validation cost (DS's name for :attr:`best_cost`)."""
        return self.best_cost

    @property
    def initial_val_cost(self) -> float | None:
        """The untrained policy's validation cost (DS's name for :attr:`initial_cost`)."""
        return self.initial_cost
