"""The training side of the benchmark (``gym-inventory bench run``); the pure parts are :mod:`gym_inventory.bench`."""
from agents.bench.run import CLASSICAL, Cell, DirectoryStore, plan, run_bench

__all__ = ["CLASSICAL", "Cell", "DirectoryStore", "plan", "run_bench"]
