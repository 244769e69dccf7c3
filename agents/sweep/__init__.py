"""Hyperparameter sweeps on Optuna, and the best-so-far protocol of the study.

``gym-inventory sweep`` (:mod:`agents.cli.sweep`) runs :func:`run_sweep`: random search
(or TPE) over a shipped search space (:mod:`~agents.sweep.space`), each trial trained
on the training SKUs, chosen on the validation SKUs, reported on the test SKUs
(:class:`gym_inventory.study.Splits`); K worker processes share an Optuna study in a
journal file (or a database, across machines); a killed sweep resumes
(:mod:`~agents.sweep.storage`). :mod:`~agents.sweep.curves` computes the best-so-far
curves with their bands; :mod:`~agents.sweep.report` writes a sweep's table, curve and
summary.
"""
from agents.sweep.curves import best_so_far, curve_record, order_curves, trials_to_reach, write_curves
from agents.sweep.report import summarize, trial_table
from agents.sweep.runner import run_sweep, worker_main
from agents.sweep.space import load_space, shipped_algorithms, space_file, study_space_file
from agents.sweep.spec import SweepSpec

__all__ = [
    "SweepSpec",
    "best_so_far",
    "curve_record",
    "load_space",
    "order_curves",
    "run_sweep",
    "shipped_algorithms",
    "space_file",
    "study_space_file",
    "summarize",
    "trial_table",
    "trials_to_reach",
    "worker_main",
    "write_curves",
]
