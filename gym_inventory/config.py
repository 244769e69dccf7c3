"""Environment configuration files: YAML holding exactly the keyword arguments of ``gym.make``."""
from __future__ import annotations

import inspect
import os

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


def read_yaml(path, what: str) -> dict:
    """The mapping a YAML file holds (an empty file: ``{}``).

    ``what`` names the file in errors (``"env config"``, ``"hyperparameter file"``, ...):
    ``ValueError`` naming it and ``path`` when the file is missing, not valid YAML or
    not a mapping. Every YAML file of gym-inventory and its agents is read here.
    """
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError:
        raise ValueError(f"{what} {path!r} does not exist") from None
    except yaml.YAMLError as error:
        raise ValueError(f"{what} {path!r} is not valid YAML: {str(error).splitlines()[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{what} {path!r} must hold a mapping of names to values, got {type(data).__name__}")
    return data


def load_env_config(path) -> dict:
    """Read a YAML env config; raise ``ValueError`` naming the file when it is missing or wrong."""
    return check_env_kwargs(read_yaml(path, "env config"), f"env config {os.fspath(path)!r}")
