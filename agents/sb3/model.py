"""Building an SB3 model for a run: the algorithm class from the registry, its hyperparameters, the initial
action bias. Training (:mod:`agents.sb3.train`) and loading a run directory (:mod:`agents.sb3.run_dir`, which
rebuilds the model and then loads its state dicts: nothing is unpickled) both build through :func:`build_model`.
"""
from __future__ import annotations

from agents.sb3.algorithms import algorithm_kwargs, get_algorithm, split_options
from agents.sb3.env import MuRescale, make_env
from agents.sb3.initial_action import resolve_initial_mu, set_initial_mu
from agents.sb3.policy import regularization_wrapper


def build_model(algo, regularization: str, env_kwargs: dict, hyperparams: dict, venv, *, seed: int = 0,
                device="cpu", verbose: int = 0):
    """A fresh model of ``algo`` on ``venv`` with the initial action bias of ``hyperparams``.

    The algorithm's own complaints about a value (SB3 asserts some) become ``ValueError``.
    """
    spec = get_algorithm(algo)
    options, kwargs = split_options(hyperparams)
    probe = make_env(regularization, env_kwargs, regularization_options=options["regularization_options"])
    remapper = regularization_wrapper(probe).remapper
    try:
        model = spec.cls(env=venv, seed=seed, device=device, verbose=verbose, **algorithm_kwargs(kwargs, remapper.size))
    except (AssertionError, TypeError, ValueError, KeyError) as error:
        raise ValueError(f"{spec.class_name} rejected the hyperparameters: {error}") from None
    initial_mu = resolve_initial_mu(options["initial_mu"], regularization, probe.unwrapped.params, remapper.size,
                                    remapper.low.tolist(), remapper.high.tolist())
    if initial_mu is not None:
        set_initial_mu(model, initial_mu, MuRescale(remapper.space), gain=options["final_layer_gain"])
    return model
