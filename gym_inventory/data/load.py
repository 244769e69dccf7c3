"""Loading a SKU-day panel: read, validate, build and split (:func:`load_panel`)."""
from __future__ import annotations

import warnings

import pandas as pd

from gym_inventory.data.build import build_panel
from gym_inventory.data.dataset import PanelDataset
from gym_inventory.data.schema import check_source, read_panel


def load_panel(
    path,
    *,
    split_by: str | None = "sku",
    validate_fraction: float = 0.1,
    test_fraction: float = 0.1,
    validate_days: int | None = None,
    test_days: int | None = None,
    seed: int = 0,
    min_days: int = 1,
    feature_columns=None,
    censored_demand: str = "weekday_mean",
    censored_weeks: int = 4,
    on_error: str = "raise",
    source: str | None = None,
) -> PanelDataset:
    """Load, validate and split a SKU-day panel (Parquet, CSV, or a DataFrame).

    Args:
        path: a ``.parquet``/``.pq`` or ``.csv`` (optionally compressed) file in the
            schema of :mod:`gym_inventory.data.schema`, or a pandas DataFrame.
        split_by: ``"sku"``, ``"time"``, ``"both"`` (see :meth:`PanelDataset.with_splits`)
            or None (only the ``"all"`` view).
        validate_fraction, test_fraction, validate_days, test_days, seed: the splits.
        min_days: fewest days a series may have (a shorter one is a problem).
        feature_columns: the feature columns; None: all columns outside the schema.
        censored_demand: ``"weekday_mean"``, ``"forecast"`` or ``"none"``
            (:mod:`gym_inventory.data.censored`); used when the panel has ``sales``
            but no ``demand`` column.
        censored_weeks: weeks looked back on by ``"weekday_mean"``.
        on_error: ``"raise"``: any problem raises one ``ValueError`` naming file, row
            and column; ``"skip"``: series with problems are left out, listed in
            ``dataset.skipped`` and announced with a warning.
        source: the name used in messages for a DataFrame (default ``"<DataFrame>"``).

    Raises:
        ValueError: a problem in the file (see ``on_error``), or no usable series.
    """
    if isinstance(path, pd.DataFrame):
        frame, source = path, source or "<DataFrame>"
    else:
        source = check_source(path)
        frame = read_panel(source)
    panel, problems = build_panel(
        frame, source=source, min_days=min_days, feature_columns=feature_columns, censored_demand=censored_demand,
        censored_weeks=censored_weeks, on_error=on_error,
    )
    if problems:
        left_out = len({problem.series for problem in problems if problem.series is not None})
        warnings.warn(
            f"{source}: left out {left_out} series and {sum(p.series is None for p in problems)} rows without a key "
            f"({len(problems)} problems; see dataset.skipped), kept {panel.n_series} series", stacklevel=2,
        )
    if panel.n_series == 0:
        raise ValueError(f"{source}: no usable series ({len(problems)} problems; first: {problems[0] if problems else 'empty file'})")
    dataset = PanelDataset(panel, skipped=problems)
    if split_by is not None:
        dataset = dataset.with_splits(
            split_by, validate_fraction=validate_fraction, test_fraction=test_fraction, validate_days=validate_days,
            test_days=test_days, seed=seed,
        )
    return dataset
