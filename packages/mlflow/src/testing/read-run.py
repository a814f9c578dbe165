"""Reads an MLflow run back with MLflow's own Python client, for the TypeScript tests.

stdin: {"tracking_uri": ... (null: MLflow's default), "run_id": ..., "X": [[...], ...] (optional rows to predict),
       "flavor": "lightgbm" | "xgboost", "feature_names", "feature_types": ["q", "c", ...] (xgboost)}
stdout: JSON with the run's info, params, metrics, metric histories, tags, artifacts (recursive),
        the logged models linked to it, and the predictions on X of the booster mlflow.<flavor>.load_model returns.
"""
import json
import sys


def list_artifacts(client, run_id, path=None):
    out = []
    for f in client.list_artifacts(run_id, path):
        if f.is_dir:
            out.extend(list_artifacts(client, run_id, f.path))
        else:
            out.append({"path": f.path, "size": f.file_size})
    return out


def main():
    request = json.load(sys.stdin)
    import mlflow
    from mlflow import MlflowClient

    # Without a tracking URI, MLflow's own default for the working directory (sqlite:///mlflow.db).
    if request.get("tracking_uri"):
        mlflow.set_tracking_uri(request["tracking_uri"])
    client = MlflowClient()
    run = client.get_run(request["run_id"])
    out = {
        "mlflow_version": mlflow.__version__,
        "tracking_uri": mlflow.get_tracking_uri(),
        "info": {
            "run_id": run.info.run_id,
            "run_name": run.info.run_name,
            "experiment_id": run.info.experiment_id,
            "status": run.info.status,
            "start_time": run.info.start_time,
            "end_time": run.info.end_time,
        },
        "experiment_name": client.get_experiment(run.info.experiment_id).name,
        "params": dict(run.data.params),
        "metrics": dict(run.data.metrics),
        "tags": dict(run.data.tags),
        "history": {
            key: [[m.step, m.value] for m in sorted(client.get_metric_history(run.info.run_id, key), key=lambda m: m.step)]
            for key in run.data.metrics
        },
        "artifacts": sorted(list_artifacts(client, run.info.run_id), key=lambda a: a["path"]),
        "model_outputs": [o.model_id for o in (run.outputs.model_outputs if run.outputs else [])],
    }
    models = []
    for model_id in out["model_outputs"]:
        m = client.get_logged_model(model_id)
        models.append({
            "model_id": m.model_id,
            "name": m.name,
            "status": str(m.status),
            "source_run_id": m.source_run_id,
            "model_type": m.model_type,
            "params": dict(m.params),
            "tags": {k: v for k, v in m.tags.items() if not k.startswith("mlflow.")},
            "artifacts": sorted(a.path for a in client.list_logged_model_artifacts(m.model_id)),
        })
    out["logged_models"] = models
    if request.get("X") is not None and models:
        import numpy as np

        X = np.asarray([[np.nan if v is None else v for v in row] for row in request["X"]], dtype=np.float64)
        uri = f"models:/{models[0]['model_id']}"
        if request.get("flavor", "lightgbm") == "xgboost":
            import mlflow.xgboost
            import xgboost

            booster = mlflow.xgboost.load_model(uri)
            types = request.get("feature_types")
            dm = xgboost.DMatrix(X, feature_names=request.get("feature_names"), feature_types=types, enable_categorical=bool(types and "c" in types))
            predictions = booster.predict(dm)
        else:
            import mlflow.lightgbm

            booster = mlflow.lightgbm.load_model(uri)
            predictions = booster.predict(X)
        out["predictions"] = np.asarray(predictions, dtype=np.float64).tolist()
        out["booster_class"] = type(booster).__module__ + "." + type(booster).__name__
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
