import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { mlflowPython } from './mlflow-python';

/** A run as MLflow's Python client reads it (see read-run.py). */
export interface RunReadBack {
  mlflow_version: string;
  /** The tracking URI MLflow used (its default when none was given). */
  tracking_uri: string;
  info: { run_id: string; run_name: string; experiment_id: string; status: string; start_time: number; end_time: number | null };
  experiment_name: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
  tags: Record<string, string>;
  history: Record<string, [number, number][]>;
  artifacts: { path: string; size: number }[];
  model_outputs: string[];
  logged_models: { model_id: string; name: string; status: string; source_run_id: string; model_type: string; params: Record<string, string>; tags: Record<string, string>; artifacts: string[] }[];
  predictions?: number[];
  booster_class?: string;
}

/**
 * Reads a run back with the pinned Python MLflow; `X` rows are predicted by its logged model's
 * booster. `cwd` is where Python runs; with `trackingUri` undefined MLflow uses its own default
 * there (sqlite:///mlflow.db).
 */
export function readRunWithPython(
  trackingUri: string | undefined,
  runId: string,
  X?: number[][],
  model: { flavor: 'lightgbm' | 'xgboost'; featureNames?: readonly string[]; featureTypes?: string[] } = { flavor: 'lightgbm' },
  cwd?: string,
): RunReadBack {
  const env = { ...process.env };
  delete env.MLFLOW_TRACKING_URI;
  const run = spawnSync(mlflowPython(), [resolve(__dirname, 'read-run.py')], {
    cwd,
    env,
    input: JSON.stringify({ tracking_uri: trackingUri, run_id: runId, X, flavor: model.flavor, feature_names: model.featureNames, feature_types: model.featureTypes }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`read-run.py failed (exit ${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout) as RunReadBack;
}
