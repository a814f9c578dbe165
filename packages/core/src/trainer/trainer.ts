import { EventEmitter } from 'node:events';
import { AbortError, checkKnownOptions, closest, describe, DisposedError, NotFittedError, ParameterError, TrackingError, UsageError } from '@kdap/errors';
import type { z } from 'zod';
import { saveBundle, type SaveBundleOptions } from '../bundle/save-bundle';
import type { BundleManifest } from '../bundle/manifest';
import { applyOverrides, loadConfig, type DeepPartial } from '../config/load-config';
import { MODEL_CONFIGS, type ModelConfigOf, type ModelKind } from '../config/model-kind';
import { anomalyMetrics } from '../metrics/anomaly';
import { classificationMetrics, regressionMetrics } from '../metrics/report';
import { chooseThreshold } from '../metrics/threshold';
import type { FeatureMatrix } from '../schema/feature-matrix';
import { FeatureSchema, type FeaturePolicy } from '../schema/feature-schema';
import type { FeatureTable } from '../schema/feature-table';
import { checkColumnMapping, columnRenames, renameColumns, type ColumnMapping, type ColumnRename } from './column-mapping';
import type { FitOutcome, FittedModel, ModelArtifacts } from './fitted-model';
import type { TrainingProgress } from './progress';
import type { TrainResult } from './train-result';
import { artifactFiles, defaultTracker, type Tracker } from './tracker';

/** What a concrete trainer tells the base class about itself. */
export interface TrainerSpec<K extends ModelKind> {
  /** Class name used in messages, e.g. 'BudgetOptimizerTrainer'. */
  name: string;
  kind: K;
  /** The `hyperparameters.<section>` that `params` overrides, e.g. 'lightgbm'. */
  paramsSection: string;
  /**
   * Features that must be present at predict time; the rest are optional (missing -> NaN). A
   * function is given the final configuration (overrides and params applied), so features that
   * derive from it (e.g. `optimization.spend_feature`) follow the overrides.
   */
  requiredFeatures: readonly string[] | ((config: ModelConfigOf<K>) => readonly string[]);
  /**
   * Role -> the model's own name for the column, for the roles of the `columns` option that the
   * base class renames in every table (fit, train, predict, evaluate), e.g. { channel: 'channel_id' }.
   * A role whose model name is a required feature is required. Roles not listed here (and `target`,
   * which sets the default target column) are the trainer's own business.
   */
  renamedColumns?: (config: ModelConfigOf<K>) => Readonly<Record<string, string | readonly string[]>>;
}

export interface TrainerOptions<K extends ModelKind> {
  /** A configuration from `loadConfig`; default: `loadConfig(kind)` (the packaged defaults, or KDAP_CONFIG_DIR). */
  config?: ModelConfigOf<K>;
  /** Config-shaped overrides, e.g. { tuning: { n_trials: 10 } }; validated like a config file. */
  overrides?: DeepPartial<ModelConfigOf<K>>;
  /** Flat hyperparameter overrides of the algorithm, e.g. { num_leaves: 63 }. */
  params?: Readonly<Record<string, unknown>>;
  /** MLflow seam for `logToMlflow()`. */
  tracker?: Tracker;
  /** How predict-time data that does not fit the training schema is handled. */
  featurePolicy?: Partial<FeaturePolicy>;
  /**
   * Your column names for the columns the model gives a role to, e.g. for the budget model
   * { channel: 'medium', spend: 'cost', date: 'day', target: 'revenue' } (roles per model:
   * COLUMN_ROLES). Saved in the bundle, so scoring takes records in the same names.
   */
  columns?: ColumnMapping<K>;
}

export interface TrainOptions {
  /** Stops training between iterations; the promise rejects with AbortError. */
  signal?: AbortSignal;
  /** Called after every iteration (the 'progress' event fires too). */
  onProgress?: (progress: TrainingProgress) => void;
}

export interface FitOptions extends TrainOptions {
  /** The target column of `table` (default: `features.target` from the configuration). */
  target?: string;
  /** A validation table holding the same target column (early stopping, validation metrics). */
  validation?: FeatureTable;
}

/** The encoded data a concrete trainer fits on. */
export interface TrainingData {
  train: { X: FeatureMatrix; y: Float64Array | undefined };
  validation?: { X: FeatureMatrix; y: Float64Array | undefined };
  schema: FeatureSchema;
}

/** Passed to `fitModel`: progress reporting and cancellation between iterations. */
export interface FitContext {
  readonly signal: AbortSignal | undefined;
  /** Reports one finished iteration (1-based) with its metrics. */
  reportIteration(iteration: number, metrics: Readonly<Record<string, number>>): void;
  /** Throws AbortError if the signal fired; call between iterations. */
  throwIfAborted(iteration?: number): void;
}

interface Fitted<M> {
  model: M;
  schema: FeatureSchema;
  result: TrainResult;
  target: string | null;
}

/**
 * The contract every model trainer follows (budget, propensity, anomaly): constructed from a
 * validated configuration plus overrides; `train`/`fit` capture the feature schema, fit, and
 * report metrics with the Python module's names; `predict`/`evaluate` check tables against the
 * schema; `save` writes a model bundle; `logToMlflow` goes through the tracker seam.
 *
 * Subclasses implement `fitModel` (and `modelArtifacts` for saving).
 *
 * A trainer owns its fitted model: a refit disposes the model it replaces, and `dispose()` (or a
 * `using` declaration) frees the current one; a disposed trainer's methods throw DisposedError.
 */
export abstract class Trainer<K extends ModelKind, M extends FittedModel>
  extends EventEmitter<{ progress: [TrainingProgress] }>
  implements Disposable
{
  /** The validated configuration, frozen. */
  readonly config: ModelConfigOf<K>;
  protected readonly spec: TrainerSpec<K>;
  readonly #tracker: Tracker | undefined;
  readonly #policy: Partial<FeaturePolicy> | undefined;
  /** The `columns` option, checked: role -> the user's column name. */
  readonly columns: ColumnMapping<K>;
  #fitted: Fitted<M> | undefined;
  #training = false;
  #disposed = false;

  protected constructor(spec: TrainerSpec<K>, options: TrainerOptions<K> = {}) {
    super();
    checkKnownOptions(spec.name, options, ['config', 'overrides', 'params', 'tracker', 'featurePolicy', 'columns']);
    this.spec = spec;
    const base = options.config ?? loadConfig(spec.kind);
    const params = options.params === undefined ? undefined : checkParams(spec, options.params);
    const withOverrides = options.overrides === undefined ? base : applyOverrides(spec.kind, base, options.overrides);
    this.config =
      params === undefined
        ? withOverrides
        : applyOverrides(spec.kind, withOverrides, { hyperparameters: { [spec.paramsSection]: params } } as DeepPartial<ModelConfigOf<K>>, 'params');
    this.#tracker = options.tracker;
    this.#policy = options.featurePolicy;
    this.columns = checkColumnMapping(spec.name, spec.kind, options.columns);
  }

  /** The features that must be present at predict time, from the final configuration. */
  protected get requiredFeatures(): readonly string[] {
    const required = this.spec.requiredFeatures;
    return typeof required === 'function' ? required(this.config) : required;
  }

  /** The renames the `columns` option asks for (roles of `renamedColumns`), user name -> model name. */
  protected columnRenames(): ColumnRename[] {
    const modelColumns = this.spec.renamedColumns?.(this.config) ?? {};
    const required = this.requiredFeatures;
    const isRequired = (role: string) => ([] as string[]).concat(modelColumns[role]!).some((name) => required.includes(name));
    return columnRenames(this.columns, modelColumns, Object.keys(modelColumns).filter(isRequired));
  }

  /** `table` with the user's columns (the `columns` option) under the model's names; see renameColumns. */
  protected withModelColumns(table: FeatureTable, where: string, options: { scoring?: boolean } = {}): FeatureTable {
    return renameColumns(table, this.columnRenames(), { owner: this.spec.name, where, scoring: options.scoring === true });
  }

  /** The hyperparameters of the algorithm (`hyperparameters.<paramsSection>`). */
  get params(): Readonly<Record<string, unknown>> {
    return (this.config.hyperparameters as Record<string, Record<string, unknown>>)[this.spec.paramsSection] ?? {};
  }

  get isFitted(): boolean {
    return this.#fitted !== undefined;
  }

  /** Whether `dispose()` was called. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Frees the fitted model (its native boosters). Idempotent; afterwards every method throws
   * DisposedError. A training still running when the trainer is disposed frees its model when it
   * ends and rejects with DisposedError.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const fitted = this.#fitted;
    this.#fitted = undefined;
    fitted?.model.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The fitted model; throws NotFittedError before training. */
  get model(): M {
    return this.fitted('model').model;
  }

  /** The feature schema captured at fit time. */
  get featureSchema(): FeatureSchema {
    return this.fitted('featureSchema').schema;
  }

  /** The last training result. */
  get result(): TrainResult {
    return this.fitted('result').result;
  }

  /** Fits the model on a prepared table (the Python module's `train(X_train, y_train, X_val, y_val)`). */
  async train(XTrain: FeatureTable, yTrain: ArrayLike<number> | undefined, XVal?: FeatureTable, yVal?: ArrayLike<number>, options: TrainOptions = {}): Promise<TrainResult> {
    this.assertLive();
    checkKnownOptions(`${this.spec.name}.train`, options, ['signal', 'onProgress']);
    XTrain = this.withModelColumns(XTrain, 'XTrain');
    if (XVal !== undefined) XVal = this.withModelColumns(XVal, 'XVal');
    return this.exclusively(() => this.trainOnce(XTrain, yTrain, XVal, yVal, options, this.targetName()));
  }

  /** Two interleaved trainings would leave a model from one with the schema or result of the other. */
  private async exclusively(run: () => Promise<TrainResult>): Promise<TrainResult> {
    this.assertLive();
    if (this.#training) {
      throw new UsageError(`${this.spec.name} is already training. Await the previous train()/fit() (or abort it) first, or use a second trainer.`);
    }
    this.#training = true;
    try {
      return await run();
    } finally {
      this.#training = false;
    }
  }

  private async trainOnce(
    XTrain: FeatureTable,
    yTrain: ArrayLike<number> | undefined,
    XVal: FeatureTable | undefined,
    yVal: ArrayLike<number> | undefined,
    options: TrainOptions,
    target: string | null,
  ): Promise<TrainResult> {
    const started = performance.now();
    this.throwIfAborted(options.signal, 0);
    const unsupervised = this.config.model.type === 'anomaly_detection';
    const yTrainValues = this.checkTarget('yTrain', yTrain, XTrain, 'XTrain', unsupervised);
    if ((XVal === undefined) !== (yVal === undefined) && !(unsupervised && yVal === undefined)) {
      throw new ParameterError('XVal', `${this.spec.name}.train needs XVal and yVal together. Got only ${XVal === undefined ? 'yVal' : 'XVal'}.`);
    }
    const yValValues = XVal === undefined ? undefined : this.checkTarget('yVal', yVal, XVal, 'XVal', unsupervised);

    const schema = FeatureSchema.capture(XTrain, { ...this.featureColumns(XTrain), policy: this.#policy, owner: this.spec.name });
    const data: TrainingData = {
      train: { X: schema.encode(XTrain), y: yTrainValues },
      validation: XVal === undefined ? undefined : { X: schema.encode(XVal), y: yValValues },
      schema,
    };
    const encoded = performance.now();

    let iterations = 0;
    const history: Record<string, number[]> = {};
    const context: FitContext = {
      signal: options.signal,
      reportIteration: (iteration, metrics) => {
        iterations = iteration;
        for (const [name, value] of Object.entries(metrics)) (history[name] ??= []).push(value);
        const progress: TrainingProgress = { iteration, totalIterations: this.totalIterations(), metrics, elapsedMs: performance.now() - started };
        options.onProgress?.(progress);
        this.emit('progress', progress);
      },
      throwIfAborted: (iteration) => this.throwIfAborted(options.signal, iteration ?? iterations),
    };
    const outcome: FitOutcome<M> = await this.fitModel(data, context);
    // From here the new model is ours: kept on success, freed on any failure (abort, dispose).
    let result: TrainResult;
    try {
      this.throwIfAborted(options.signal, iterations);
      this.assertLive();
      const fitted = performance.now();
      const predicted = (X: FeatureMatrix, known: Float64Array | undefined) => (known !== undefined && known.length === X.rows ? known : outcome.model.predict(X));
      const known = outcome.predictionMetrics;
      const trainMetrics = known?.train ?? this.metricsFor(data.train.y, predicted(data.train.X, outcome.predictions?.train));
      const validationMetrics = data.validation ? (known?.validation ?? this.metricsFor(data.validation.y, predicted(data.validation.X, outcome.predictions?.validation))) : undefined;
      const done = performance.now();
      result = {
        metrics: outcome.metrics ?? validationMetrics ?? trainMetrics,
        metricsSet: outcome.metrics ? 'held_out' : validationMetrics ? 'validation' : 'training',
        trainMetrics,
        validationMetrics,
        bestIteration: outcome.bestIteration ?? iterations,
        history,
        timings: { encodeMs: encoded - started, fitMs: fitted - encoded, evaluateMs: done - fitted, totalMs: done - started },
      };
    } catch (e) {
      outcome.model.dispose();
      throw e;
    }
    // A refit replaces the model: the old one's native memory goes now, not at some later GC.
    const previous = this.#fitted;
    this.#fitted = { model: outcome.model, schema, result, target };
    if (previous !== undefined && previous.model !== outcome.model) previous.model.dispose();
    return result;
  }

  /** Fits on a table holding the target column (`fit(table, { target: 'return' })`). */
  async fit(table: FeatureTable, options: FitOptions = {}): Promise<TrainResult> {
    this.assertLive();
    checkKnownOptions(`${this.spec.name}.fit`, options, ['target', 'validation', 'signal', 'onProgress']);
    table = this.withModelColumns(table, 'the training table');
    const validation = options.validation === undefined ? undefined : this.withModelColumns(options.validation, 'the validation table');
    const target = options.target ?? this.targetName() ?? undefined;
    const y = target === undefined ? undefined : targetColumn(this.spec.name, table, target, 'table');
    const yVal = validation === undefined || target === undefined ? undefined : targetColumn(this.spec.name, validation, target, 'validation');
    const trainOptions = { signal: options.signal, onProgress: options.onProgress };
    return this.exclusively(() => this.trainOnce(table, y, validation, yVal, trainOptions, target ?? null));
  }

  /** Scores a table: predicted values, probabilities or 1/0 anomaly flags (see FittedModel). */
  predict(table: FeatureTable): Float64Array {
    const { model, schema } = this.fitted('predict');
    return model.predict(schema.encode(this.withModelColumns(table, 'the table', { scoring: true })));
  }

  /** Metrics of the fitted model on a table holding the target column (Python names). */
  evaluate(table: FeatureTable, options: { target?: string } = {}): Record<string, number> {
    checkKnownOptions(`${this.spec.name}.evaluate`, options, ['target']);
    const { model, schema } = this.fitted('evaluate');
    table = this.withModelColumns(table, 'the table', { scoring: true });
    const target = options.target ?? this.targetName() ?? undefined;
    const y = target === undefined ? undefined : targetColumn(this.spec.name, table, target, 'table');
    return this.metricsFor(y, model.predict(schema.encode(table)));
  }

  /**
   * Logs params, metrics, history, config, the bundle and the training report to MLflow through
   * the tracker; resolves to the run id. `artifacts` adds local files (artifact path -> file), e.g.
   * an HTML report.
   */
  async logToMlflow(options: { runName: string; artifacts?: Readonly<Record<string, string>> }): Promise<string> {
    checkKnownOptions(`${this.spec.name}.logToMlflow`, options, ['runName', 'artifacts']);
    if (typeof options?.runName !== 'string' || options.runName === '') {
      throw new ParameterError('runName', `The 'runName' option of ${this.spec.name}.logToMlflow must be a non-empty string. Got ${describe(options?.runName)}.`);
    }
    const files = artifactFiles(`${this.spec.name}.logToMlflow`, options.artifacts);
    const { result } = this.fitted('logToMlflow');
    const tracker = this.#tracker ?? (await defaultTracker({ trackingUri: this.config.mlflow.tracking_uri }));
    if (tracker === undefined) {
      throw new TrackingError(
        `${this.spec.name}.logToMlflow() has no tracker, so nothing was logged (the fitted model is kept). ` +
          `Pass one with the 'tracker' option (an object with logRun(run) returning the run id), or set mlflow.tracking_uri, then call logToMlflow() again.`,
      );
    }
    const params = Object.fromEntries(
      Object.entries(this.params).filter((e): e is [string, string | number | boolean] => ['string', 'number', 'boolean'].includes(typeof e[1])),
    );
    return tracker.logRun({
      runName: options.runName,
      experimentName: this.config.mlflow.experiment_name,
      params,
      metrics: result.metrics,
      history: result.history,
      config: this.config,
      tags: { 'kdap.model': this.spec.kind, 'kdap.trainer': this.spec.name, 'kdap.environment': this.config.environment },
      trackingUri: this.config.mlflow.tracking_uri,
      saveBundle: (dir) => this.save(dir),
      report: { metrics: result.metrics, train_metrics: result.trainMetrics, validation_metrics: result.validationMetrics ?? null, best_iteration: result.bestIteration, timings_ms: result.timings },
      ...(files === undefined ? {} : { files }),
    });
  }

  /**
   * Writes the fitted model as a bundle (see `saveBundle`), signed with `options.signingKey` or
   * `KDAP_BUNDLE_KEY` when either is set.
   */
  async save(dir: string, options: SaveBundleOptions = {}): Promise<BundleManifest> {
    const { model, schema, result, target } = this.fitted('save');
    const artifacts = this.modelArtifacts(model);
    const contents = {
      kind: this.spec.kind,
      featureSchema: schema.toJSON(),
      target,
      params: this.params,
      metrics: result.metrics,
      config: this.config,
      columns: this.columns as Readonly<Record<string, string | readonly string[]>>,
      modelFiles: artifacts.modelFiles,
      state: artifacts.state,
      versions: artifacts.versions,
      mlflow: artifacts.mlflow,
    };
    return saveBundle(dir, contents, { signingKey: options.signingKey });
  }

  /**
   * The features to capture from a training table: the configured lists by default. A trainer
   * that takes its features from the user's table (typed by the table's schema) overrides this.
   */
  protected featureColumns(_table: FeatureTable): { numerical: readonly string[]; categorical: readonly string[]; required: readonly string[] } {
    return { numerical: this.config.features.numerical, categorical: this.config.features.categorical, required: this.requiredFeatures };
  }

  /** Fits the model on encoded data, reporting each iteration through `context`. */
  protected abstract fitModel(data: TrainingData, context: FitContext): Promise<FitOutcome<M>>;

  /** The files that represent the fitted model in a bundle. */
  protected abstract modelArtifacts(model: M): ModelArtifacts;

  /** The configured maximum number of iterations, for progress events. */
  protected abstract totalIterations(): number;

  /** The default target column: the `columns` option's `target`, else `features.target`. */
  protected targetName(): string | null {
    const mapped = (this.columns as { target?: string }).target;
    return mapped ?? (this.config.features as { target?: string | null }).target ?? null;
  }

  /** Throws DisposedError once `dispose()` was called. */
  protected assertLive(): void {
    if (this.#disposed) throw new DisposedError(this.spec.name);
  }

  private fitted(method: string): Fitted<M> {
    this.assertLive();
    if (this.#fitted === undefined) throw new NotFittedError(this.spec.name, method, 'train(XTrain, yTrain) or fit(table, { target })');
    return this.#fitted;
  }

  private throwIfAborted(signal: AbortSignal | undefined, iteration: number): void {
    if (signal?.aborted) {
      const when = iteration === 0 ? 'before training started' : `after iteration ${iteration}`;
      throw new AbortError(`${this.spec.name} training was aborted ${when}.`, { cause: signal.reason });
    }
  }

  private checkTarget(name: string, y: ArrayLike<number> | undefined, X: FeatureTable, xName: string, optional: boolean): Float64Array | undefined {
    if (y === undefined) {
      if (optional) return undefined;
      throw new ParameterError(name, `The '${name}' argument of ${this.spec.name}.train must be an array of target values. Got undefined.`);
    }
    if (typeof y !== 'object' || typeof y.length !== 'number') {
      throw new ParameterError(name, `The '${name}' argument of ${this.spec.name}.train must be an array of target values. Got ${describe(y)}.`);
    }
    if (y.length !== X.rowCount) {
      throw new ParameterError(name, `The '${name}' argument of ${this.spec.name}.train must hold one value per row of ${xName} (${X.rowCount}). Got ${y.length}.`);
    }
    const values = Float64Array.from(y);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new ParameterError(name, `The '${name}' argument of ${this.spec.name}.train must hold finite numbers. Got ${values[bad]} at row ${bad}.`);
    if (this.config.model.type === 'classification') {
      const notBinary = values.findIndex((v) => v !== 0 && v !== 1);
      if (notBinary >= 0) throw new ParameterError(name, `The '${name}' argument of ${this.spec.name}.train must hold 0/1 labels. Got ${values[notBinary]} at row ${notBinary}.`);
    }
    return values;
  }

  /** The Python module's metrics for the model type. */
  protected metricsFor(y: Float64Array | undefined, predicted: Float64Array): Record<string, number> {
    switch (this.config.model.type) {
      case 'regression':
        return { ...regressionMetrics(y!, predicted) };
      case 'classification': {
        const configured = (this.config as { classification_threshold?: number | 'max_f1' }).classification_threshold;
        const threshold = configured === 'max_f1' ? chooseThreshold(y!, predicted).threshold : configured;
        return { ...classificationMetrics(y!, predicted, { threshold }) };
      }
      default:
        return { ...anomalyMetrics(predicted, y) };
    }
  }
}

/** A numeric target column of a table; names the table and the known columns when absent. */
function targetColumn(owner: string, table: FeatureTable, target: string, tableName: string): Float64Array {
  if (!table.columnNames.includes(target)) {
    const hint = closest(target, table.columnNames);
    throw new ParameterError(
      'target',
      `${owner}: the ${tableName} has no target column '${target}'.${hint ? ` Did you mean '${hint}'?` : ''} Its columns are: ${table.columnNames.join(', ')}.`,
    );
  }
  const column = table.column(target);
  if (column.kind !== 'numeric') {
    throw new ParameterError('target', `${owner}: the target column '${target}' of the ${tableName} must be numeric (0/1 for classification). Got a ${column.kind} column.`);
  }
  return Float64Array.from(column.values);
}

/** Flat hyperparameters checked one by one against the configuration schema of their section. */
function checkParams<K extends ModelKind>(spec: TrainerSpec<K>, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new ParameterError('params', `The 'params' option of ${spec.name} must be a mapping of hyperparameter name to value. Got ${describe(params)}.`);
  }
  const root = MODEL_CONFIGS[spec.kind].schema as unknown as z.ZodObject<Record<string, z.ZodObject<Record<string, z.ZodType>>>>;
  const section = root.shape.hyperparameters!.shape[spec.paramsSection] as unknown as z.ZodObject<Record<string, z.ZodType>>;
  const known = Object.keys(section.shape);
  for (const [key, value] of Object.entries(params)) {
    const schema = section.shape[key];
    if (schema === undefined) {
      const hint = closest(key, known);
      throw new ParameterError(key, `${spec.name} has no parameter '${key}'.${hint ? ` Did you mean '${hint}'?` : ''} Its parameters are: ${known.join(', ')}.`);
    }
    const checked = schema.safeParse(value);
    if (!checked.success) {
      throw new ParameterError(key, `The '${key}' parameter of ${spec.name} must be ${checked.error.issues[0]!.message}. Got ${describe(value)}.`);
    }
  }
  return { ...params };
}
