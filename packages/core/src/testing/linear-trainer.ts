import { DisposedError } from '@kdap/errors';
import { SeededRandom } from '@kdap/test-support';
import { budgetOptimizerDefaults } from '../config/defaults';
import { applyOverrides } from '../config/load-config';
import type { ModelConfigOf } from '../config/model-kind';
import { loadBundle } from '../bundle/load-bundle';
import type { BundleKey } from '../bundle/manifest-integrity';
import type { FeatureMatrix } from '../schema/feature-matrix';
import type { FeatureSchema } from '../schema/feature-schema';
import type { FeatureTable } from '../schema/feature-table';
import type { FitOutcome, FittedModel, ModelArtifacts } from '../trainer/fitted-model';
import { columnRenames, renameColumns } from '../trainer/column-mapping';
import { Trainer, type FitContext, type TrainerOptions, type TrainingData } from '../trainer/trainer';
import { tableOf } from './in-memory-table';

/**
 * The smallest honest implementation of the Trainer contract, for tests: a linear model fitted by
 * full-batch gradient descent (one "iteration" per step), with per-category offsets, early
 * stopping on validation loss, and a JSON "native" model file. Identity link for the budget kind,
 * logistic link for propensity.
 */
export interface LinearState {
  link: 'identity' | 'logistic';
  intercept: number;
  /** Per feature: mean and scale of numeric inputs, weight; categorical: offsets by code. */
  features: { kind: 'numeric' | 'categorical'; mean: number; scale: number; weight: number; offsets: number[] }[];
}

export class LinearModel implements FittedModel {
  #disposed = false;

  constructor(readonly state: LinearState) {}

  predict(X: FeatureMatrix): Float64Array {
    if (this.#disposed) throw new DisposedError('LinearModel');
    const out = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) out[i] = this.output(this.linear(X, i));
    return out;
  }

  linear(X: FeatureMatrix, i: number): number {
    let z = this.state.intercept;
    this.state.features.forEach((f, j) => {
      const x = X.values[i * X.cols + j]!;
      if (Number.isNaN(x)) return; // missing contributes nothing
      z += f.kind === 'numeric' ? (f.weight * (x - f.mean)) / f.scale : (f.offsets[x] ?? 0);
    });
    return z;
  }

  output(z: number): number {
    return this.state.link === 'logistic' ? 1 / (1 + Math.exp(-z)) : z;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    this.#disposed = true;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

abstract class LinearTrainer<K extends 'budget' | 'propensity'> extends Trainer<K, LinearModel> {
  protected abstract readonly link: 'identity' | 'logistic';
  protected abstract stepSettings(): { learningRate: number; iterations: number };

  protected override totalIterations(): number {
    return this.stepSettings().iterations;
  }

  protected override async fitModel(data: TrainingData, context: FitContext): Promise<FitOutcome<LinearModel>> {
    const { learningRate, iterations } = this.stepSettings();
    const X = data.train.X;
    const y = data.train.y!;
    const state = initialState(data.schema, X, this.link);
    const model = new LinearModel(state);
    const patience = this.config.training.early_stopping_rounds;
    let best = { loss: Infinity, iteration: 0, state: structuredClone(state) };
    for (let it = 1; it <= iterations; it++) {
      context.throwIfAborted(it - 1);
      step(model, X, y, learningRate);
      const trainLoss = loss(model, X, y);
      const metrics: Record<string, number> = { train_loss: trainLoss };
      let monitored = trainLoss;
      if (data.validation) monitored = metrics.validation_loss = loss(model, data.validation.X, data.validation.y!);
      context.reportIteration(it, metrics);
      if (monitored < best.loss) best = { loss: monitored, iteration: it, state: structuredClone(model.state) };
      else if (it - best.iteration >= patience) break;
      // Real trainers run iterations off the JS thread; yielding here lets abort signals arrive.
      await new Promise((r) => setImmediate(r));
    }
    return { model: new LinearModel(best.state), bestIteration: best.iteration };
  }

  protected override modelArtifacts(model: LinearModel): ModelArtifacts {
    return {
      modelFiles: { 'model.json': JSON.stringify(model.state) },
      state: { 'training.json': { link: this.link } },
      versions: { 'linear-test-model': '1' },
      mlflow: { name: 'kdap_linear', data: 'model.json', loaderModule: 'kdap_linear', options: { model_format: 'json' } },
    };
  }
}

export class LinearBudgetTrainer extends LinearTrainer<'budget'> {
  protected readonly link = 'identity';
  constructor(options: TrainerOptions<'budget'> & { config: ModelConfigOf<'budget'> }) {
    super({ name: 'LinearBudgetTrainer', kind: 'budget', paramsSection: 'lightgbm', requiredFeatures: ['current_spend', 'channel_id'], renamedColumns: () => LINEAR_COLUMNS.budget }, options);
  }
  protected stepSettings() {
    const p = this.config.hyperparameters.lightgbm;
    return { learningRate: p.learning_rate, iterations: p.n_estimators };
  }
}

/**
 * A LinearBudgetTrainer fitted with `iterations` steps on `rows` seeded rows (spend 1,000-10,000 on
 * 'search' or 'social', return = 2 x spend + 500 on search + noise), and that table.
 */
export async function fittedLinearBudget(seed: number, rows: number, iterations: number): Promise<{ trainer: LinearBudgetTrainer; table: FeatureTable }> {
  const r = new SeededRandom(seed);
  const spend = r.array(rows, (g) => 1000 + 9000 * g.next());
  const channel = r.array(rows, (g) => g.integer(2)).map((i) => ['search', 'social'][i]!);
  const table = tableOf({ current_spend: spend, channel_id: channel, return: spend.map((s, i) => 2 * s + (channel[i] === 'search' ? 500 : 0) + r.normal() * 100) });
  const config = applyOverrides('budget', budgetOptimizerDefaults, {
    features: { numerical: ['current_spend'], categorical: ['channel_id'] },
    hyperparameters: { lightgbm: { learning_rate: 0.3, n_estimators: iterations } },
  });
  const trainer = new LinearBudgetTrainer({ config });
  await trainer.fit(table);
  return { trainer, table };
}

export class LinearPropensityTrainer extends LinearTrainer<'propensity'> {
  protected readonly link = 'logistic';
  constructor(options: TrainerOptions<'propensity'> & { config: ModelConfigOf<'propensity'> }) {
    super({ name: 'LinearPropensityTrainer', kind: 'propensity', paramsSection: 'xgboost', requiredFeatures: ['recency'] }, options);
  }
  protected stepSettings() {
    const p = this.config.hyperparameters.xgboost;
    return { learningRate: p.learning_rate, iterations: p.n_estimators };
  }
}

/** The model's own names of the renamed column roles, per kind. */
const LINEAR_COLUMNS = { budget: { channel: 'channel_id', spend: 'current_spend' }, propensity: {} } as const;

/** Loads a bundle written by a linear test trainer and scores tables (in the user's column names too) like the trainer did. */
export async function loadLinearModel(
  dir: string,
  kind: 'budget' | 'propensity' = 'budget',
  options: { signingKey?: BundleKey } = {},
): Promise<{ schema: FeatureSchema; predict(table: FeatureTable): Float64Array }> {
  const bundle = await loadBundle(dir, { kind, signingKey: options.signingKey });
  const model = new LinearModel(JSON.parse(bundle.modelFiles['model.json']!.toString('utf8')) as LinearState);
  const renames = columnRenames(bundle.columns, LINEAR_COLUMNS[kind]);
  return { schema: bundle.featureSchema, predict: (table) => model.predict(bundle.featureSchema.encode(renameColumns(table, renames, { owner: 'LinearModel', where: 'the table', scoring: true }))) };
}

function initialState(schema: FeatureSchema, X: FeatureMatrix, link: LinearState['link']): LinearState {
  return {
    link,
    intercept: 0,
    features: schema.features.map((spec, j) => {
      if (spec.kind === 'categorical') return { kind: 'categorical' as const, mean: 0, scale: 1, weight: 0, offsets: new Array<number>(spec.categories?.length ?? 0).fill(0) };
      let sum = 0;
      let sq = 0;
      let n = 0;
      for (let i = 0; i < X.rows; i++) {
        const x = X.values[i * X.cols + j]!;
        if (Number.isNaN(x)) continue;
        sum += x;
        sq += x * x;
        n++;
      }
      const mean = n > 0 ? sum / n : 0;
      const scale = Math.sqrt(Math.max(sq / Math.max(n, 1) - mean * mean, 0)) || 1;
      return { kind: 'numeric' as const, mean, scale, weight: 0, offsets: [] };
    }),
  };
}

/** One gradient step on squared error (identity) or log loss (logistic): both have gradient p - y. */
function step(model: LinearModel, X: FeatureMatrix, y: Float64Array, rate: number): void {
  const s = model.state;
  let gIntercept = 0;
  const gWeight = new Float64Array(s.features.length);
  const gOffsets = s.features.map((f) => new Float64Array(f.offsets.length));
  for (let i = 0; i < X.rows; i++) {
    const r = model.output(model.linear(X, i)) - y[i]!;
    gIntercept += r;
    s.features.forEach((f, j) => {
      const x = X.values[i * X.cols + j]!;
      if (Number.isNaN(x)) return;
      if (f.kind === 'numeric') gWeight[j]! += (r * (x - f.mean)) / f.scale;
      else gOffsets[j]![x]! += r;
    });
  }
  s.intercept -= (rate * gIntercept) / X.rows;
  s.features.forEach((f, j) => {
    f.weight -= (rate * gWeight[j]!) / X.rows;
    f.offsets = f.offsets.map((o, c) => o - (rate * gOffsets[j]![c]!) / X.rows);
  });
}

function loss(model: LinearModel, X: FeatureMatrix, y: Float64Array): number {
  const p = model.predict(X);
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    total += model.state.link === 'logistic' ? -(y[i]! * Math.log(p[i]! + 1e-15) + (1 - y[i]!) * Math.log(1 - p[i]! + 1e-15)) : (p[i]! - y[i]!) ** 2;
  }
  return total / p.length;
}
