"""How long ``import gym_inventory`` takes, against ``import gymnasium`` measured in the same run.

    python -m benchmarks.import_time [--repeats R]

Each import runs in a fresh interpreter (``sys.executable -c ...``), timed inside it
with ``time.perf_counter`` around the import statement alone (interpreter start-up not
included); the median of R runs is printed, with the ratio. ``gym_inventory`` imports
gymnasium itself, so the ratio is at least 1: what is above 1 is this package's own cost.
It also reports which heavy libraries the import left out (scipy, pandas, matplotlib, torch).
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys

HEAVY = ("scipy", "pandas", "matplotlib", "torch", "stable_baselines3", "optuna")
PROBE = """
import json, sys, time
start = time.perf_counter()
import {module}
elapsed = time.perf_counter() - start
print(json.dumps({{"seconds": elapsed, "loaded": [m for m in {heavy!r} if m in sys.modules]}}))
"""


def import_seconds(module: str, repeats: int) -> tuple[float, list]:
    """Median seconds of ``import module`` in fresh interpreters, and the heavy libraries it loaded."""
    runs = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", PROBE.format(module=module, heavy=HEAVY)], capture_output=True,
                             text=True, check=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return statistics.median(run["seconds"] for run in runs), runs[-1]["loaded"]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    gymnasium_s, _ = import_seconds("gymnasium", args.repeats)
    package_s, loaded = import_seconds("gym_inventory", args.repeats)
    print(f"python {platform.python_version()}, median of {args.repeats} fresh interpreters")
    print(f"import gymnasium     {gymnasium_s:.3f} s")
    print(f"import gym_inventory {package_s:.3f} s  ({package_s / gymnasium_s:.2f} x gymnasium)")
    print(f"heavy libraries loaded by import gym_inventory: {', '.join(loaded) or 'none'} (of {', '.join(HEAVY)})")


if __name__ == "__main__":
    main()
