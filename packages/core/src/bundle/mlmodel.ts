import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';

/** The MLflow flavor that loads a bundle's native model file from Python. */
export interface MlflowFlavor {
  /** The flavor, e.g. 'lightgbm' or 'xgboost'. */
  name: string;
  /** The model file the flavor loads: a key of the bundle's model files. */
  data: string;
  /** The module whose pyfunc loader reads it, e.g. 'mlflow.lightgbm'. */
  loaderModule: string;
  /**
   * Flavor keys as MLflow writes them, e.g. { lgb_version: '4.7.0', model_class:
   * 'lightgbm.basic.Booster' } or { xgb_version: '2.1.1', model_class: 'xgboost.core.Booster',
   * model_format: 'json' }.
   */
  options?: Readonly<Record<string, string | number | boolean | null>>;
  /** Python version for the pyfunc flavor, e.g. '3.11.9'; MLflow only warns on a mismatch. */
  pythonVersion?: string;
}

/** The MLflow release whose `MLmodel` layout we write. */
export const MLFLOW_FORMAT_VERSION = '2.19.0';

/** MLflow's timestamp format: "2026-11-26 12:00:00.123000" (UTC). */
function mlflowTime(date: Date): string {
  return `${date.toISOString().replace('T', ' ').replace('Z', '')}000`;
}

/**
 * The `MLmodel` file, so `mlflow.<flavor>.load_model(bundleDir)` and `mlflow.pyfunc.load_model`
 * open the native model directly.
 */
export function mlmodelText(flavor: MlflowFlavor, created: Date): string {
  const pyfunc: Record<string, unknown> = { data: flavor.data, loader_module: flavor.loaderModule };
  if (flavor.pythonVersion !== undefined) pyfunc.python_version = flavor.pythonVersion;
  const doc = {
    artifact_path: 'model',
    flavors: {
      [flavor.name]: { code: null, data: flavor.data, ...flavor.options },
      python_function: pyfunc,
    },
    mlflow_version: MLFLOW_FORMAT_VERSION,
    model_uuid: randomUUID().replace(/-/g, ''),
    utc_time_created: mlflowTime(created),
  };
  return stringify(doc);
}
