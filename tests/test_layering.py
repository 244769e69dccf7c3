"""Layering: the module graph of gym_inventory and agents has no cycle, and gym_inventory never imports agents.

An edge is an ``import`` / ``from ... import`` anywhere in a module (also inside a
function), or a string naming a module of either package (``"agents.cli.train"``,
``"gym_inventory.envs:make_inventory_env"``: what ``importlib.import_module`` and
Gymnasium's ``register`` import). The implicit import of a parent package is not an edge.
"""
from __future__ import annotations

import ast
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = ("gym_inventory", "agents")
MODULE_STRING = re.compile(r"^(gym_inventory|agents)(\.\w+)+(:[\w.]+)?$|^(gym_inventory|agents):[\w.]+$")


def modules() -> dict:
    """Module name -> source path, for every module of both packages."""
    found = {}
    for package in PACKAGES:
        for folder, _, files in os.walk(os.path.join(ROOT, package)):
            for name in files:
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    parts = os.path.relpath(path, ROOT)[:-3].split(os.sep)
                    found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def resolve(name: str, known) -> str | None:
    """The longest known module that ``name`` (``a.b.c``, an attribute path allowed) starts with."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def imports_of(module: str, path: str, known) -> set:
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # `from a import b` imports the module a.b when there is one, else the name b of a
            targets.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and MODULE_STRING.match(node.value):
            targets.add(node.value.split(":")[0])
    return {resolved for target in targets if (resolved := resolve(target, known)) and resolved != module}


@pytest.fixture(scope="module")
def graph() -> dict:
    known = modules()
    return {module: imports_of(module, path, known) for module, path in known.items()}


def find_cycle(graph: dict) -> list | None:
    """One cycle of ``graph`` as a list of modules (first == last), or None (iterative DFS)."""
    state = {}
    for root in sorted(graph):
        if root in state:
            continue
        stack = [(root, iter(sorted(graph[root])))]
        state[root] = "open"
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = "done"
                stack.pop()
            elif state.get(child) == "open":
                path = [entry[0] for entry in stack]
                return path[path.index(child):] + [child]
            elif child not in state:
                state[child] = "open"
                stack.append((child, iter(sorted(graph.get(child, ())))))
    return None


def test_walk_sees_static_and_string_imports(graph):
    # the walk must see what it is meant to see, or the tests below cannot fail
    assert "gym_inventory.envs" in graph["gym_inventory"]  # string: register(entry_point="gym_inventory.envs:...")
    assert "gym_inventory.remap" in graph["gym_inventory.wrappers.regularization"]  # static
    assert "agents.sb3.run_dir" in graph["agents.loading"]  # string: importlib.import_module(LOADERS[kind])
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_gym_inventory_never_imports_agents(graph):
    offending = {module: sorted(t for t in targets if t.split(".")[0] == "agents")
                 for module, targets in graph.items() if module.split(".")[0] == "gym_inventory"}
    assert {module: targets for module, targets in offending.items() if targets} == {}


def test_no_import_cycle(graph):
    assert find_cycle(graph) is None


def test_wrapper_modules_do_not_import_each_other(graph):
    assert "gym_inventory.wrappers.regularization" not in graph["gym_inventory.vector.wrappers"]
    assert "gym_inventory.vector.wrappers" not in graph["gym_inventory.wrappers.regularization"]


def test_import_leaves_the_heavy_libraries_out():
    # what keeps `import gym_inventory` light (its time is a benchmark: python -m benchmarks.import_time)
    import subprocess
    import sys

    code = ("import sys, gym_inventory; "
            "print([m for m in ('scipy', 'pandas', 'matplotlib', 'torch', 'agents') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_one_meaning_per_name():
    # one result type for every trainer; one table of split seeds; one warm-up rule of evaluation
    import agents
    import agents.ds
    from gym_inventory import evaluation

    assert agents.TrainResult is agents.ds.TrainResult
    from agents import loading, runs

    assert tuple(loading.LOADERS) == runs.KINDS  # every run kind has its loader
    assert evaluation.SPLIT_SEEDS == {"test": 0, "validate": 1, "train": 2}
    assert evaluation.split_problem({"lead_time": 1}, "validate") == ({"lead_time": 1}, 1)
