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


def load_env_config(path) -> dict:
    """Read a YAML env config; raise ``ValueError`` naming the file when it is missing or wrong."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError:
        raise ValueError(f"env config {path!r} does not exist") from None
    except yaml.YAMLError as error:
        raise ValueError(f"env config {path!r} is not valid YAML: {str(error).splitlines()[0]}") from None
    return check_env_kwargs({} if data is None else data, f"env config {path!r}")
