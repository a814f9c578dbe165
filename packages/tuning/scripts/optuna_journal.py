"""Optuna's side of the journal-compatibility tests: reads or continues a study in a JournalFileBackend file.

usage: optuna_journal.py read|run|enqueue <journal> <study> [n_trials] [seed]
Prints one JSON document on stdout.
"""
import json
import math
import sys

import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend

optuna.logging.set_verbosity(optuna.logging.ERROR)


def storage(path):
    return JournalStorage(JournalFileBackend(path))


def describe(study):
    trials = study.get_trials(deepcopy=False)
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    return {
        "optuna": optuna.__version__,
        "direction": study.direction.name.lower(),
        "numbers": [t.number for t in trials],
        "states": [t.state.name for t in trials],
        "values": [None if t.value is None or (isinstance(t.value, float) and math.isnan(t.value)) else t.value for t in trials],
        "params": [t.params for t in trials],
        "intermediate": [{str(k): (None if math.isnan(v) else v) for k, v in t.intermediate_values.items()} for t in trials],
        "user_attrs": [t.user_attrs for t in trials],
        "best_value": study.best_value if complete else None,
        "best_params": study.best_params if complete else None,
    }


def objective(trial):
    x = trial.suggest_float("x", -5, 5)
    lr = trial.suggest_float("lr", 1e-5, 1, log=True)
    n = trial.suggest_int("n", 1, 20)
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    value = (x - 2) ** 2 + (math.log10(lr) + 2) ** 2 + (n - 7) ** 2 / 10 + (c != "b")
    trial.report(value + 1, 0)
    trial.report(value, 1)
    trial.set_user_attr("writer", "optuna")
    return value


def main():
    mode, path, name = sys.argv[1:4]
    if mode == "read":
        study = optuna.load_study(study_name=name, storage=storage(path))
    elif mode == "run":
        n_trials, seed = int(sys.argv[4]), int(sys.argv[5])
        study = optuna.create_study(study_name=name, storage=storage(path), load_if_exists=True, sampler=optuna.samplers.TPESampler(seed=seed))
        study.optimize(objective, n_trials=n_trials)
    elif mode == "enqueue":
        study = optuna.create_study(study_name=name, storage=storage(path), direction="maximize")
        study.enqueue_trial({"x": 1.5, "c": "b"})
    else:
        raise SystemExit("unknown mode " + mode)
    json.dump(describe(study), sys.stdout)


main()
