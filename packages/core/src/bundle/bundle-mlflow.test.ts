import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runPythonJson } from '@kdap/test-support';
import { sampleBundle } from '../testing/sample-bundle';
import { saveBundle } from './save-bundle';

/**
 * The MLmodel file is only worth writing if Python's MLflow (2.19, in .venv-ref) opens the bundle:
 * boosters trained in Python are saved by saveBundle, loaded back with mlflow.<flavor>.load_model
 * and mlflow.pyfunc.load_model, and must predict exactly what the original boosters predicted.
 */
const script = resolve(__dirname, 'mlflow-reference.py');

interface Trained {
  X: number[][];
  lightgbm: { model: string; version: string; predictions: number[] };
  xgboost: { model: string; version: string; predictions: number[] };
  python_version: string;
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kdap-mlflow-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('Python MLflow loads the LightGBM and XGBoost flavors of our bundles and predicts the same', async () => {
  const trained = runPythonJson<Trained>(script, null, ['train']);
  const lightgbmDir = join(root, 'budget');
  const xgboostDir = join(root, 'propensity');
  await saveBundle(lightgbmDir, {
    ...sampleBundle('lightgbm', 1),
    modelFiles: { 'model.lgb': trained.lightgbm.model },
    versions: { lightgbm: trained.lightgbm.version },
    mlflow: {
      name: 'lightgbm',
      data: 'model.lgb',
      loaderModule: 'mlflow.lightgbm',
      pythonVersion: trained.python_version,
      options: { lgb_version: trained.lightgbm.version, model_class: 'lightgbm.basic.Booster' },
    },
  });
  await saveBundle(xgboostDir, {
    ...sampleBundle('xgboost', 1),
    kind: 'propensity',
    modelFiles: { 'model.json': trained.xgboost.model },
    versions: { xgboost: trained.xgboost.version },
    mlflow: {
      name: 'xgboost',
      data: 'model.json',
      loaderModule: 'mlflow.xgboost',
      pythonVersion: trained.python_version,
      options: { xgb_version: trained.xgboost.version, model_class: 'xgboost.core.Booster', model_format: 'json' },
    },
  });

  const loaded = runPythonJson<Record<string, number[]>>(script, { bundles: { lightgbm: lightgbmDir, xgboost: xgboostDir }, X: trained.X }, ['load']);
  expect(loaded.lightgbm_native).toEqual(trained.lightgbm.predictions);
  expect(loaded.lightgbm_pyfunc).toEqual(trained.lightgbm.predictions);
  expect(loaded.xgboost_native).toEqual(trained.xgboost.predictions);
});
