import { applyOverrides, checkColumnMapping, loadBundle, loadConfig, Trainer } from '@kdap/core';
import type { AnomalyDetectorConfig, BundleKey, FeatureColumn, FeatureSchema, FeatureTable, FitContext, FitOptions, FitOutcome, ModelArtifacts, TrainerOptions, TrainingData, TrainOptions, TrainResult } from '@kdap/core';
import { checkInt, DisposedError, ParameterError } from '@kdap/errors';
import type { StudySummary, TuneResult } from '@kdap/tuning';
import { AnomalyModel, type AnomalyModelState, type AnomalyResult } from './anomaly-model';
import type { IsolationForestJSON } from './isolation-forest';
import type { LocalOutlierFactorJSON } from './local-outlier-factor';
import { tuneAnomalyDetectorTrainer, type AnomalyTuneOptions } from './tune';

/** Options of AnomalyDetectorTrainer beyond the Trainer's. */
export interface AnomalyDetectorTrainerOptions extends TrainerOptions<'anomaly'> {
  /** Days a series needs in the training table; default 14 (two weekly cycles). */
  minHistoryDays?: number;
}

/**
 * Views a table's date column as numbers (epoch ms): the Trainer's feature schema takes numeric
 * and categorical columns, and the detector needs the dates to lay each series on its calendar.
 */
function withNumericDate(table: FeatureTable, date: string): FeatureTable {
  return {
    rowCount: table.rowCount,
    columnNames: table.columnNames,
    column: (name: string): FeatureColumn => {
      const column = table.column(name);
      return name === date && column.kind === 'date' ? { kind: 'numeric', values: column.values } : column;
    },
  };
}

function detectorConfig(options: AnomalyDetectorTrainerOptions): AnomalyDetectorConfig {
  const base = options.config ?? loadConfig('anomaly');
  const overridden = options.overrides === undefined ? base : applyOverrides('anomaly', base, options.overrides);
  // The columns option names the detector's own columns: the model reads and scores them under the user's names.
  const { date, value, series } = checkColumnMapping('AnomalyDetectorTrainer', 'anomaly', options?.columns);
  const mapped = {
    ...(date === undefined ? {} : { date_column: date }),
    ...(value === undefined ? {} : { value_column: value }),
    ...(series === undefined ? {} : { entity_columns: typeof series === 'string' ? [series] : [...series] }),
  };
  const config = Object.keys(mapped).length === 0 ? overridden : applyOverrides('anomaly', overridden, { features: mapped }, 'columns');
  const f = config.features;
  // The detector reads exactly its value, date and entity columns.
  return applyOverrides('anomaly', config, { features: { numerical: [f.value_column, f.date_column], categorical: [...f.entity_columns] } });
}

/**
 * Trains the Anomaly Detector (the Python module's `train.py anomaly`): per series robust seasonal
 * baselines, scale-free time-series features, an IsolationForest and a LocalOutlierFactor whose
 * normalised scores combine with `detection.ensemble_weights`, and a threshold set by
 * `detection.contamination`. Unsupervised; with `features.target` (1 = anomaly) it reports
 * precision, recall and F1 too. `predict` returns 1/0 flags; `detector` the full results API.
 */
export class AnomalyDetectorTrainer extends Trainer<'anomaly', AnomalyModel> {
  readonly minHistoryDays: number;
  /** The study that chose these settings (set by `tune`); saved in the bundle as `state/tuning.json`. */
  tuningSummary: StudySummary | undefined;
  #disposed = false;

  constructor(options: AnomalyDetectorTrainerOptions = {}) {
    const { minHistoryDays = 14, ...rest } = options;
    checkInt('AnomalyDetectorTrainer', 'minHistoryDays', minHistoryDays, 1);
    const config = detectorConfig(rest);
    const f = config.features;
    super(
      {
        name: 'AnomalyDetectorTrainer',
        kind: 'anomaly',
        paramsSection: 'isolation_forest',
        requiredFeatures: [f.value_column, f.date_column, ...f.entity_columns],
        renamedColumns: (c) => ({ date: c.features.date_column, value: c.features.value_column, series: c.features.entity_columns }),
      },
      { ...rest, config, overrides: undefined },
    );
    this.minHistoryDays = minHistoryDays;
  }

  override async fit(table: FeatureTable, options: FitOptions = {}): Promise<TrainResult> {
    this.checkAlive();
    const validation = options.validation === undefined ? undefined : this.view(options.validation);
    return super.fit(this.view(table), { ...options, ...(validation === undefined ? {} : { validation }) });
  }

  override async train(XTrain: FeatureTable, yTrain: ArrayLike<number> | undefined, XVal?: FeatureTable, yVal?: ArrayLike<number>, options: TrainOptions = {}): Promise<TrainResult> {
    this.checkAlive();
    return super.train(this.view(XTrain), yTrain, XVal === undefined ? undefined : this.view(XVal), yVal, options);
  }

  /**
   * Tunes the detector settings over `tuning.search_space` for `tuning.metric` against a label column on the
   * latest dates, then refits with the best ones (see tune.ts). Resolves to the refitted trainer, whose bundle
   * carries `state/tuning.json`.
   */
  tune(table: FeatureTable, options: AnomalyTuneOptions = {}): Promise<TuneResult & { trainer: AnomalyDetectorTrainer }> {
    this.checkAlive();
    return tuneAnomalyDetectorTrainer(this, (o) => new AnomalyDetectorTrainer(o), table, options);
  }

  override predict(table: FeatureTable): Float64Array {
    this.checkAlive();
    return super.predict(this.view(table));
  }

  override evaluate(table: FeatureTable, options: { target?: string } = {}): Record<string, number> {
    this.checkAlive();
    return super.evaluate(this.view(table), options);
  }

  /** The fitted detector (shares this trainer's model). */
  get detector(): AnomalyDetector {
    return new AnomalyDetector(this.model, this.featureSchema);
  }

  /** Releases the fitted detectors (the base class does); later calls throw DisposedError. Idempotent. */
  override dispose(): void {
    this.#disposed = true;
    super.dispose();
  }

  override [Symbol.dispose](): void {
    this.dispose();
  }

  protected override totalIterations(): number {
    return 3;
  }

  protected override async fitModel(data: TrainingData, context: FitContext): Promise<FitOutcome<AnomalyModel>> {
    // Yield once so a second fit() started in the same tick sees this one running.
    await Promise.resolve();
    context.throwIfAborted(0);
    context.reportIteration(1, {});
    context.throwIfAborted(1);
    const { model } = AnomalyModel.fit(data.train.X, data.schema.features, this.config, this.minHistoryDays);
    context.reportIteration(2, {});
    if (context.signal?.aborted) model.dispose();
    context.throwIfAborted(2);
    context.reportIteration(3, {});
    return { model, bestIteration: 3 };
  }

  protected override modelArtifacts(model: AnomalyModel): ModelArtifacts {
    const artifacts = artifactsOf(model);
    return this.tuningSummary ? { ...artifacts, state: { ...artifacts.state, 'tuning.json': this.tuningSummary } } : artifacts;
  }

  private view(table: FeatureTable): FeatureTable {
    return withNumericDate(table, this.config.features.date_column);
  }

  private checkAlive(): void {
    if (this.#disposed) throw new DisposedError('AnomalyDetectorTrainer');
  }
}

function artifactsOf(model: AnomalyModel): ModelArtifacts {
  const { isolation_forest, lof } = model.detectorsJSON();
  return {
    // The LOF file holds its reference rows (rows x features x 8 bytes, base64): the bundle's largest file.
    modelFiles: { 'anomaly_state.json': JSON.stringify(model.state), 'isolation_forest.json': JSON.stringify(isolation_forest), 'lof.json': JSON.stringify(lof) },
    mlflow: { name: 'kdap_anomaly', data: 'anomaly_state.json', loaderModule: 'kdap_anomaly' },
  };
}

/** A record to detect: the configured date, value and entity columns (dates as Date, ISO string or epoch ms). */
export type AnomalyRecord = Record<string, string | number | Date>;

/**
 * The fitted Anomaly Detector for application code: `detect(record | records)` or
 * `detectTable(table)` return one AnomalyResult per row (the Python module's shape plus
 * severity, direction and % delta), in input order.
 */
export class AnomalyDetector implements Disposable {
  readonly #model: AnomalyModel;
  readonly schema: FeatureSchema;

  constructor(model: AnomalyModel, schema: FeatureSchema) {
    this.#model = model;
    this.schema = schema;
  }

  /**
   * Loads a bundle written by `AnomalyDetectorTrainer.save(dir)`. With `signingKey` (default:
   * `KDAP_BUNDLE_KEY`), only a bundle signed with it loads.
   */
  static async load(dir: string, options: { signingKey?: BundleKey } = {}): Promise<AnomalyDetector> {
    const bundle = await loadBundle(dir, { kind: 'anomaly', signingKey: options.signingKey });
    const state = JSON.parse(bundle.modelFiles['anomaly_state.json']!.toString('utf8')) as AnomalyModelState;
    const forest = JSON.parse(bundle.modelFiles['isolation_forest.json']!.toString('utf8')) as IsolationForestJSON;
    const lof = JSON.parse(bundle.modelFiles['lof.json']!.toString('utf8')) as LocalOutlierFactorJSON;
    const model = AnomalyModel.fromJSON(state, forest, lof);
    model.specs = bundle.featureSchema.features;
    return new AnomalyDetector(model, bundle.featureSchema);
  }

  /** Detects anomalies in one record or an array of records of one or more series. */
  detect(input: AnomalyRecord): AnomalyResult;
  detect(input: readonly AnomalyRecord[]): AnomalyResult[];
  detect(input: AnomalyRecord | readonly AnomalyRecord[]): AnomalyResult | AnomalyResult[] {
    const records = Array.isArray(input) ? (input as readonly AnomalyRecord[]) : [input as AnomalyRecord];
    const results = this.detectTable(recordsTable(records, this.#model.state.columns));
    return Array.isArray(input) ? results : results[0]!;
  }

  /** Detects anomalies in every row of a table holding the date, value and entity columns. */
  detectTable(table: FeatureTable): AnomalyResult[] {
    const view = withNumericDate(table, this.#model.state.columns.date);
    return this.#model.detectMatrix(this.schema.encode(view), this.schema.features);
  }

  /** 1/0 flags per row (what the trainer's predict returns). */
  predict(table: FeatureTable): Float64Array {
    return Float64Array.from(this.detectTable(table), (r) => (r.is_anomaly ? 1 : 0));
  }

  dispose(): void {
    this.#model.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function recordsTable(records: readonly AnomalyRecord[], columns: { value: string; date: string; entities: string[] }): FeatureTable {
  const date = Float64Array.from(records, (r, row) => {
    const v = r[columns.date];
    const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
    if (!Number.isFinite(ms)) throw new ParameterError(columns.date, `Record ${row} has no usable '${columns.date}' (got ${String(v)}). Give a Date, an ISO date string or epoch milliseconds.`);
    return ms;
  });
  const value = Float64Array.from(records, (r) => (typeof r[columns.value] === 'number' ? (r[columns.value] as number) : NaN));
  const entity = new Map(
    columns.entities.map((name) => {
      const texts = records.map((r) => String(r[name] ?? ''));
      const categories = [...new Set(texts)].sort();
      return [name, { kind: 'categorical' as const, codes: Int32Array.from(texts, (t) => categories.indexOf(t)), categories }];
    }),
  );
  return {
    rowCount: records.length,
    columnNames: [columns.date, columns.value, ...columns.entities],
    column: (name: string): FeatureColumn => (name === columns.date ? { kind: 'numeric', values: date } : name === columns.value ? { kind: 'numeric', values: value } : entity.get(name)!),
  };
}
