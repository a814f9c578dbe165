import type { BundleContents, FileContent } from '../bundle/bundle-contents';

/** A small, complete bundle whose model file text and metric identify which save wrote it. */
export function sampleBundle(label: string, rmse: number, model: FileContent = `tree for ${label}\n`): BundleContents {
  return {
    kind: 'budget',
    featureSchema: {
      features: [
        { name: 'current_spend', kind: 'numeric', required: true },
        { name: 'channel_id', kind: 'categorical', required: false, categories: ['search', 'social'] },
      ],
      policy: { mistyped: 'error', unknownCategory: 'missing' },
    },
    target: 'return',
    params: { num_leaves: 31, learning_rate: 0.05 },
    metrics: { rmse, r2: Number.NaN },
    config: { label },
    modelFiles: { 'model.txt': model },
    state: { 'calibration.json': { label, knots: [0, 0.5, 1] } },
    versions: { lightgbm: '4.7.0' },
    mlflow: { name: 'lightgbm', data: 'model.txt', loaderModule: 'mlflow.lightgbm', options: { lgb_version: '4.7.0', model_class: 'lightgbm.basic.Booster' } },
  };
}
