"""``gym-inventory train``'s validation and initial action bias for rl-zoo3 runs.

rl-zoo3 builds the model itself, so what :func:`agents.sb3.train.train` adds around
``learn()`` comes in as a callback of the hyperparameter file::

    InventoryLeadTime-v0:
      env_wrapper:
        - agents.sb3.env.regularize_and_rescale: {regularization: base}
      callback:
        - agents.zoo.callbacks.InventoryValidation: {eval_freq: 5000}

:class:`InventoryValidation` reads the problem (``gym.make``'s keyword arguments, so
rl-zoo3's ``--env-kwargs`` included) and the regularization with its options from the
training env's spec, so nothing is repeated in the file. Before the first step it sets
the initial action bias (:mod:`agents.sb3.initial_action`); every ``eval_freq`` env steps
it scores the deterministic policy on the validation trajectories, as
:class:`agents.sb3.callbacks.ValidationCallback` does (``inventory/...`` in rl-zoo3's
TensorBoard logs), and at the end it loads the best weights into the model, which
rl-zoo3 then saves.
"""
from __future__ import annotations

from agents.sb3.callbacks import ValidationCallback
from agents.sb3.env import MuRescale
from agents.sb3.initial_action import resolve_initial_mu, set_initial_mu
from agents.sb3.policy import SB3Policy
from gym_inventory.params import check_bool, check_int, check_real
from gym_inventory.wrappers.regularization import SINGLE_WRAPPERS, RegularizedAction

#: Wrappers of the training env's spec that :class:`SB3Policy` cannot repeat at evaluation.
UNSUPPORTED_WRAPPERS = {
    "NormalizeObservation": "use rl-zoo3's 'normalize: true' (SB3 VecNormalize) instead of normalize_observation",
}


class InventoryValidation(ValidationCallback):
    """Validation, best-weights restore and initial action bias of an rl-zoo3 run.

    Args (all optional; the keys of the callback's entry in the hyperparameter file):
        eval_freq: env steps between validations (one also runs at the start and the end).
        n_trajectories: validation trajectories (SKU episodes), drawn from the problem's
            validation seed (the same set as ``gym-inventory train``).
        horizon: epochs per validation trajectory; None: the env's horizon.
        reference: compute the best classical policy's cost on the validation set (logged
            as ``inventory/gap_to_best_classical_pct``).
        patience: validations without improvement before stopping early; None: never
            (not for ARS under rl-zoo3: its loop ignores callbacks' answers).
        initial_mu: the untrained policy's mu: ``"auto"`` (as ``gym-inventory train``),
            a number or list, or None (SB3's initialization). Set only on a fresh model.
        final_layer_gain: factor on the final layer's weights when ``initial_mu`` is set.
        observation_parts: the ``observation_parts`` given to the env wrapper, if any
            (the spec cannot tell which parts a selection kept).
        restore_best: load the best validated weights into the model at the end.
    """

    def __init__(self, eval_freq: int = 5000, n_trajectories: int = 128, horizon: int | None = None,
                 reference: bool = True, patience: int | None = None, initial_mu="auto",
                 final_layer_gain: float = 0.01, observation_parts=None, restore_best: bool = True):
        super().__init__(self._policy_of, {}, eval_freq=eval_freq, n_trajectories=check_int("n_trajectories", n_trajectories, 2),
                         horizon=None if horizon is None else check_int("horizon", horizon, 1), patience=patience)
        self.reference = check_bool("reference", reference)
        self.initial_mu = initial_mu
        self.final_layer_gain = check_real("final_layer_gain", final_layer_gain, 0.0)
        self.observation_parts = observation_parts
        self.restore_best_at_end = check_bool("restore_best", restore_best)
        self.problem = self.regularization = self.regularization_options = None

    def _init_callback(self) -> None:
        from gym_inventory.baselines import best_baseline
        from gym_inventory.evaluation import resolve_problem, split_problem

        if self.problem is None:
            self._read_training_env()
            self.env_kwargs, self.evaluate_options["seed"] = split_problem(self.problem, "validate")
            if self.reference:
                self.reference_cost = best_baseline(self.env_kwargs, **self.evaluate_options)["cost"]
                self.state["reference_cost"] = self.reference_cost
        super()._init_callback()  # builds self.policy, which reads the model's weights when called
        if self.initial_mu is not None and self.model.num_timesteps == 0:  # a fresh model, not a continued one
            remapper = self.policy.remapper
            params = resolve_problem(self.problem)[0]
            initial_mu = resolve_initial_mu(self.initial_mu, self.regularization, params, remapper.size,
                                            remapper.low.tolist(), remapper.high.tolist())
            set_initial_mu(self.model, initial_mu, MuRescale(remapper.space), gain=self.final_layer_gain)

    def _read_training_env(self) -> None:
        """The problem and the regularization, from the spec of the training env's first SKU."""
        spec = self.training_env.get_attr("spec", [0])[0]
        if spec is None or spec.id != "InventoryLeadTime-v0":
            raise ValueError(f"InventoryValidation needs an InventoryLeadTime-v0 training env, got spec {spec!r}")
        self.problem = {key: value for key, value in spec.kwargs.items() if key != "render_mode"}
        names = [wrapper.name for wrapper in spec.additional_wrappers]
        for name, advice in UNSUPPORTED_WRAPPERS.items():
            if name in names:
                raise ValueError(f"InventoryValidation cannot evaluate a policy trained behind {name}: {advice}")
        if ("TransformObservation" in names) != (self.observation_parts is not None):
            raise ValueError("give the callback observation_parts exactly when the env wrapper selects them, and the "
                             f"same ones (env wrappers {names}, observation_parts={self.observation_parts!r})")
        # the one wrapper class records its kind; a named alias fixes it
        classes = {cls.__name__: cls.fixed_kind for cls in (RegularizedAction, *SINGLE_WRAPPERS.values())}
        found = [wrapper for wrapper in spec.additional_wrappers if wrapper.name in classes]
        if len(found) != 1:
            raise ValueError(
                "InventoryValidation needs exactly one regularization wrapper in the env "
                f"(env_wrapper: agents.sb3.env.regularize_and_rescale), found wrappers {names}"
            )
        options = {key: value for key, value in (found[0].kwargs or {}).items() if value is not None}
        self.regularization = classes[found[0].name] or options.pop("kind")
        self.regularization_options = options

    def _policy_of(self, model) -> SB3Policy:
        return SB3Policy(model, self.regularization, self.problem, regularization_options=self.regularization_options,
                         observation_parts=self.observation_parts, obs_normalizer=model.get_vec_normalize_env(),
                         name=f"{type(model).__name__.lower()}+{self.regularization}")

    def _on_training_end(self) -> None:
        super()._on_training_end()
        if self.restore_best_at_end:
            self.restore_best()
