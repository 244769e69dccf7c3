"""Environment configuration files: YAML holding exactly the keyword arguments of ``gym.make``."""
from __future__ import annotations

import inspect
import os
import re

import yaml

from gym_inventory.envs.inventory_env import InventoryEnv

#: Keyword arguments ``gym.make("InventoryLeadTime-v0", ...)`` accepts.
ENV_KWARGS = tuple(name for name in inspect.signature(InventoryEnv.__init__).parameters if name != "self")


def check_env_kwargs(kwargs, source: str = "env config") -> dict:
    """Return ``kwargs`` if every key is an env keyword argument, else raise ``ValueError``."""
    if not isinstance(kwargs, dict):
        raise ValueError(f"{source} must be a mapping of gym.make keyword arguments, got {kwargs!r}")
    unknown = sorted(set(kwargs) - set(ENV_KWARGS))
    if unknown:
        raise ValueError(f"{source} has unknown keys {unknown}; known: {list(ENV_KWARGS)}")
    return dict(kwargs)


#: Most values (after expanding aliases) a YAML file of gym-inventory may hold: a "YAML bomb" is refused.
MAX_YAML_VALUES = 100_000


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader (no Python tags) reading ``1e308`` as a float, as YAML 1.2 does (YAML 1.1 needs a
    dot), and refusing a key given twice in one mapping (PyYAML keeps the last silently)."""

    yaml_implicit_resolvers = {first: list(resolvers) for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, (str, int, float, bool)) or key is None:
                    if key in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"duplicate key {str(key)[:80]!r} (each key may appear once)", key_node.start_mark)
                    seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$"),  # YAML 1.2: 1e308, 5E-3, -2.5e+3
    list("-+0123456789."),
)


def _count_values(data, limit: int) -> int:
    """Values in ``data`` with shared (aliased) parts counted each time they appear; stops past ``limit``."""
    count, stack = 0, [data]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def read_yaml(path, what: str) -> dict:
    """The mapping a YAML file holds (an empty file: ``{}``).

    ``what`` names the file in errors (``"env config"``, ``"hyperparameter file"``, ...):
    ``ValueError`` naming it and ``path`` when the file is missing, not UTF-8, not valid
    YAML (a key given twice included), more than :data:`MAX_YAML_VALUES` values once
    aliases are expanded, or not a mapping. Numbers follow YAML 1.2 (``1e308`` is a
    float). Every YAML file of gym-inventory and its agents is read here.
    """
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_Loader)  # noqa: S506 -- a SafeLoader subclass
    except FileNotFoundError:
        raise ValueError(f"{what} {path!r} does not exist") from None
    except OSError as error:  # a directory, no permission, ...
        raise ValueError(f"{what} {path!r} cannot be read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"{what} {path!r} is not UTF-8 text (byte {error.start}: {error.reason})") from None
    except yaml.YAMLError as error:
        lines = str(error).splitlines()
        detail = " ".join(line.strip() for line in lines[:4])[:300]
        raise ValueError(f"{what} {path!r} is not valid YAML: {detail}") from None
    if _count_values(data, MAX_YAML_VALUES) > MAX_YAML_VALUES:
        raise ValueError(f"{what} {path!r} holds more than {MAX_YAML_VALUES} values once its aliases are expanded; "
                         f"a configuration file this large is refused")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{what} {path!r} must hold a mapping of names to values, got {type(data).__name__}")
    return data


def load_env_config(path) -> dict:
    """Read a YAML env config; raise ``ValueError`` naming the file when it is missing or wrong."""
    return check_env_kwargs(read_yaml(path, "env config"), f"env config {os.fspath(path)!r}")
