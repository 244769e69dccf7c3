"""What a sweep is (:class:`SweepSpec`), its directory, and its samplers.

A sweep is identified by its algorithm, regularization, problem, split sizes and
seeds, budget, sampler and search space: the same command finds the same Optuna
study (named after a hash of that identity) and resumes it; a directory holding a
different sweep is refused. The number of trials is not part of the identity: rerun
with a larger ``--trials`` to extend a finished sweep.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import zlib
from dataclasses import dataclass

import numpy as np
import optuna

from agents.sweep.storage import sweep_place
from gym_inventory.params import check_choice, check_int
from gym_inventory.remap import check_kind
from gym_inventory.study import REFERENCE_KINDS, Splits

SPEC_FILE = "sweep.json"
SAMPLERS = ("random", "tpe")


#: The fields of :class:`gym_inventory.study.Splits`, stored flat in a sweep's identity.
SPLIT_FIELDS = tuple(field.name for field in dataclasses.fields(Splits))


@dataclass(frozen=True)
class SweepSpec:
    """Everything that defines a sweep (JSON values only).

    Attributes:
        algo: ``"ds"`` or an algorithm of :func:`agents.train`.
        regularization: ``"none"``, ``"base"``, ``"coeff"`` or ``"both"``.
        splits: the problem and its train / validation / test SKUs (:class:`gym_inventory.study.Splits`).
        space: the checked search space (:mod:`agents.sweep.space`).
        budget: per trial, gradient steps (DS) or environment steps (SB3).
        seed: seeds the sampler and every trial's training run.
        sampler: ``"random"`` (the best-so-far protocol) or ``"tpe"``.
        reference: a kind of :data:`gym_inventory.study.REFERENCE_KINDS` or ``"optimal_base_stock"``.
        setting: the study setting's name, when the sweep runs one.
    """

    algo: str
    regularization: str
    splits: Splits
    space: dict
    budget: int
    seed: int = 0
    sampler: str = "random"
    reference: str = "best_classical"
    setting: str | None = None

    def __post_init__(self):
        check_kind(self.regularization)
        if not isinstance(self.splits, Splits):
            raise TypeError(f"splits must be a gym_inventory.study.Splits, got {self.splits!r}")
        check_int("budget", self.budget, 1)
        check_int("seed", self.seed, 0)
        check_choice("sampler", self.sampler, SAMPLERS)
        check_choice("reference", self.reference, REFERENCE_KINDS + ("optimal_base_stock",))
        try:
            json.dumps(self.identity())
        except TypeError as error:
            raise TypeError(f"a sweep stores its problem as JSON; use preset names and plain values ({error})") from None

    def identity(self) -> dict:
        """The sweep as one flat JSON object: its fields, with those of ``splits`` in place of it."""
        fields = {field.name: getattr(self, field.name) for field in dataclasses.fields(self) if field.name != "splits"}
        fields.update({name: getattr(self.splits, name) for name in SPLIT_FIELDS})
        if fields["cost_days"] == "epoch":  # the default is left out: sweeps made before the field resume
            del fields["cost_days"]
        return json.loads(json.dumps(fields, sort_keys=True))

    @classmethod
    def from_identity(cls, identity: dict) -> "SweepSpec":
        rest = {key: value for key, value in identity.items() if key not in SPLIT_FIELDS}
        return cls(splits=Splits(**{name: identity[name] for name in SPLIT_FIELDS if name in identity}), **rest)

    def study_name(self) -> str:
        digest = hashlib.sha1(json.dumps(self.identity(), sort_keys=True).encode()).hexdigest()[:10]
        return f"{self.algo}-{self.regularization}-{digest}"

    def trial_seed(self, number: int) -> int:
        """The training seed of the trial at place ``number`` (:func:`agents.sweep.storage.sweep_place`)."""
        return int(np.random.SeedSequence([self.seed, number]).generate_state(1)[0] % (2**31 - 1))


def prepare_out_dir(out_dir, spec: SweepSpec) -> bool:
    """Create ``out_dir`` for ``spec`` or check it holds this sweep; True when it already did (a resume).

    Raises ``ValueError`` (and writes nothing) when ``out_dir`` is a file, holds another
    sweep, or holds files but no sweep.
    """
    out_dir = os.fspath(out_dir)
    path = os.path.join(out_dir, SPEC_FILE)
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise ValueError(f"--out {out_dir!r} is a file, not a directory")
    if os.path.isfile(path):
        try:
            with open(path, encoding="utf-8") as handle:
                saved = json.load(handle)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path!r} is not valid JSON ({error}); choose a new --out directory") from None
        differing = sorted(k for k in set(saved) | set(spec.identity()) if saved.get(k) != spec.identity().get(k))
        if differing:
            raise ValueError(f"--out {out_dir!r} holds a different sweep (differing in: {', '.join(differing)}); "
                             "choose a new directory or repeat that sweep's command")
        return True
    if os.path.isdir(out_dir) and os.listdir(out_dir):
        raise ValueError(f"--out {out_dir!r} is not empty and holds no {SPEC_FILE}; choose a new directory")
    os.makedirs(out_dir, exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(spec.identity(), handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(path + ".tmp", path)
    return False


class TrialSeededRandomSampler(optuna.samplers.BaseSampler):
    """Random search whose draws for trial k depend only on ``(seed, k, parameter name)``.

    Any number of workers, in any order, and a resumed sweep draw the same parameters
    for the same trial number (more exactly, place: :func:`agents.sweep.storage.sweep_place`,
    which is the trial number unless stale trials were retried); each draw is Optuna's own
    :class:`~optuna.samplers.RandomSampler`.
    """

    def __init__(self, seed: int = 0):
        self.seed = check_int("seed", seed, 0)
        self._places = {}

    def infer_relative_search_space(self, study, trial):
        return {}

    def sample_relative(self, study, trial, search_space):
        return {}

    def sample_independent(self, study, trial, param_name, param_distribution):
        # by place, not number: a retry of an interrupted trial draws what that trial had not drawn yet as it would have
        place = self._places.get(trial.number)
        if place is None:
            place = self._places[trial.number] = sweep_place(trial, study.get_trials(deepcopy=False))
        entropy = [self.seed, place, zlib.crc32(param_name.encode())]
        draw_seed = int(np.random.SeedSequence(entropy).generate_state(1)[0])
        return optuna.samplers.RandomSampler(seed=draw_seed).sample_independent(study, trial, param_name, param_distribution)


def make_sampler(spec: SweepSpec, worker_index: int = 0) -> optuna.samplers.BaseSampler:
    """The sampler of one worker (TPE: a liar for running trials, seeded per worker)."""
    if spec.sampler == "random":
        return TrialSeededRandomSampler(spec.seed)
    return optuna.samplers.TPESampler(seed=spec.seed * 1000 + worker_index, constant_liar=True)
