import { DisposedError } from '@kdap/errors';
import { loadBundle } from '../bundle/load-bundle';
import type { BundleKey } from '../bundle/manifest-integrity';
import type { ModelConfigOf } from '../config/model-kind';
import type { FeatureTable } from '../schema/feature-table';
import type { FeatureMatrix } from '../schema/feature-matrix';
import type { FitOutcome, FittedModel, ModelArtifacts } from '../trainer/fitted-model';
import { columnRenames, renameColumns } from '../trainer/column-mapping';
import { Trainer, type FitContext, type TrainerOptions, type TrainingData } from '../trainer/trainer';

/**
 * A one-step unsupervised test trainer for the anomaly kind: flags rows whose first feature lies
 * more than `detection.z_score_threshold` standard deviations from its training mean.
 */
class ZScoreModel implements FittedModel {
  #disposed = false;
  constructor(readonly mean: number, readonly sd: number, readonly threshold: number) {}
  predict(X: FeatureMatrix): Float64Array {
    if (this.#disposed) throw new DisposedError('ZScoreModel');
    return Float64Array.from({ length: X.rows }, (_, i) => (Math.abs(X.values[i * X.cols]! - this.mean) / this.sd > this.threshold ? 1 : 0));
  }
  dispose(): void {
    this.#disposed = true;
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}

export class ZScoreAnomalyTrainer extends Trainer<'anomaly', ZScoreModel> {
  constructor(options: TrainerOptions<'anomaly'> & { config: ModelConfigOf<'anomaly'> }) {
    super({ name: 'ZScoreAnomalyTrainer', kind: 'anomaly', paramsSection: 'isolation_forest', requiredFeatures: ['value'], renamedColumns: () => ({ value: 'value' }) }, options);
  }
  protected override totalIterations(): number {
    return 1;
  }
  protected override async fitModel(data: TrainingData, context: FitContext): Promise<FitOutcome<ZScoreModel>> {
    const { X } = data.train;
    const values = Array.from({ length: X.rows }, (_, i) => X.values[i * X.cols]!);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
    context.reportIteration(1, {});
    return { model: new ZScoreModel(mean, sd, this.config.detection.z_score_threshold) };
  }
  protected override modelArtifacts(model: ZScoreModel): ModelArtifacts {
    return { modelFiles: { 'zscore.json': JSON.stringify(model) }, mlflow: { name: 'kdap_zscore', data: 'zscore.json', loaderModule: 'kdap_zscore' } };
  }
}

/** Loads a bundle written by ZScoreAnomalyTrainer. */
export async function loadZScoreModel(dir: string, options: { signingKey?: BundleKey } = {}): Promise<{ predict(table: FeatureTable): Float64Array }> {
  const bundle = await loadBundle(dir, { kind: 'anomaly', signingKey: options.signingKey });
  const { mean, sd, threshold } = JSON.parse(bundle.modelFiles['zscore.json']!.toString('utf8')) as { mean: number; sd: number; threshold: number };
  const model = new ZScoreModel(mean, sd, threshold);
  const renames = columnRenames(bundle.columns, { value: 'value' });
  return { predict: (table) => model.predict(bundle.featureSchema.encode(renameColumns(table, renames, { owner: 'ZScoreModel', where: 'the table', scoring: true }))) };
}
