"""A benchmark suite with exact optima: named instances, references, scores, robust aggregates, reports.

* :mod:`~gym_inventory.bench.instances`: the named instances and suites (``lite``, ``full``, ...);
* :mod:`~gym_inventory.bench.optima`: each case's reference (DP, closed form, the study's);
* :mod:`~gym_inventory.bench.scores`: gap to the optimum with a paired CI, normalized score;
* :mod:`~gym_inventory.bench.aggregate`: IQM, optimality gap, bootstrap CIs, performance
  profiles, probability of improvement (rliable);
* :mod:`~gym_inventory.bench.report`: tables, plots and JSON of a ``bench run`` directory.

Training lives in ``agents.bench`` (``gym-inventory bench run``); this package never imports it.
"""
from gym_inventory.bench.instances import INSTANCES, SUITES, Case, Instance, get_instance, get_suite
from gym_inventory.bench.optima import Reference, naive_policy, references
from gym_inventory.bench.scores import CaseScore, InstanceScore, score_policy

__all__ = ["INSTANCES", "SUITES", "Case", "CaseScore", "Instance", "InstanceScore", "Reference", "get_instance",
           "get_suite", "naive_policy", "references", "score_policy"]
