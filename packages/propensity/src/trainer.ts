import {
  loadConfig,
  sortScoresInPlace,
  tableRows,
  Trainer,
  type FeatureMatrix,
  type FeatureSchema,
  type FeatureTable,
  type FitContext,
  type FitOptions,
  type FitOutcome,
  type ModelArtifacts,
  type PropensityConfig,
  type TrainerOptions,
  type TrainingData,
  type TrainOptions,
  type TrainResult,
} from '@kdap/core';
import { missingColumnError } from '@kdap/core';
import { AbortError, DataError, describe, SchemaError, InsufficientDataError, NotFittedError, ParameterError, UsageError } from '@kdap/errors';
import { defaultThreadCount } from '@kdap/napi-common';
import type { StudySummary, TuneResult } from '@kdap/tuning';
import { Booster, DMatrix, xgboostVersion, type FeatureType, type Params } from '@kdap/xgboost-node';
import { IdentityCalibrator, type Calibrator } from './calibrator';
import { categoricalBaselineOfColumn, numericBaselineOfColumn, numericBaselineOfSorted, ScoreDistribution, type FeatureBaseline } from './distribution';
import { IsotonicCalibrator } from './isotonic';
import { PropensityModel, type PropensityState } from './model';
import { calibrationReport, propensityMetrics } from './report';
import { PropensityScorer } from './scorer';
import { SigmoidCalibrator } from './sigmoid';
import { contiguousFolds, stratifiedFolds } from './folds';
import { propensitySplits } from './splits';
import { withColumn } from './table-rows';
import { binaryTarget, checkEligibility } from './target';
import { tunePropensityTrainer, type PropensityTuneOptions } from './tune';

const NAME = 'PropensityTrainer';

/**
 * The XGBoost feature type of each schema feature: the one place categorical features are
 * encoded for the booster. Today: the index of the category in the training categories, typed
 * 'c' so XGBoost splits on category sets natively (no one-hot); XGBoost 3 can keep the names too.
 */
export function xgboostFeatureTypes(schema: FeatureSchema): FeatureType[] {
  return schema.features.map((f) => (f.kind === 'categorical' ? 'c' : 'q'));
}

/** XGBoost's rule for feature names (its text dumps use these characters as delimiters). */
function validFeatureNames(names: readonly string[]): boolean {
  return names.every((n) => n.length > 0 && !/[[\]<,]/.test(n));
}

/** Options of `PropensityTrainer.fit` beyond the Trainer contract's. */
export interface PropensityFitOptions extends FitOptions {
  /** For a text target with two labels: the one that means "converted". */
  positiveLabel?: string;
}

interface Pending {
  calibration: FeatureTable;
  calibrationY: Float64Array;
  test: FeatureTable;
  testY: Float64Array;
  splits: PropensityState['splits'];
  droppedIdentifiers: string[];
  features: { numerical: string[]; categorical: string[] } | undefined;
  /** With calibration.cv_folds: the fold of each training row (row order of the train split). */
  folds: { k: number; of: Int32Array } | undefined;
}

/**
 * Trains the Propensity Scorer: an XGBoost `binary:logistic` classifier of the target (0/1) on
 * the configured features, calibrated on held-out rows (isotonic by default), with metrics and a
 * calibration report from a metric set no fitting step has seen.
 *
 * Splits (see docs/propensity.md): `data.test_size` of all rows is the metric set; of the rest,
 * `calibration.holdout_fraction` calibrates, `data.validation_size` drives early stopping, the
 * remainder trains. With `calibration.cv_folds: k` there is no calibration split: the calibrator is
 * fitted on out-of-fold scores of the training rows (scikit-learn's CalibratedClassifierCV with
 * ensemble=False: one booster and one calibrator in the bundle). With a date column the parts follow time (train oldest, metric set newest);
 * without, they are stratified by the target (seed `data.random_state`).
 *
 * ```ts
 * const trainer = new PropensityTrainer();
 * await trainer.fit(customers);                       // features from config/propensity.yaml
 * await trainer.fit(myTable, { target: 'converted' }); // user data: every usable column is a feature
 * const scorer = trainer.scorer();
 * scorer.score({ customer_id: 'C1', recency: 12, ... });
 * ```
 */
export class PropensityTrainer extends Trainer<'propensity', PropensityModel> {
  /** Messages about how the data was used (features chosen, identifiers dropped, small calibration set). */
  readonly notices: string[] = [];
  #pending: Pending | undefined;
  #preparing = false;
  #disposed = false;
  /** The study that chose these hyperparameters (set by `tune`); saved in the bundle as `state/tuning.json`. */
  tuningSummary: StudySummary | undefined;

  constructor(options: TrainerOptions<'propensity'> = {}) {
    super(
      { name: NAME, kind: 'propensity', paramsSection: 'xgboost', requiredFeatures: [], renamedColumns: (c) => ({ id: c.features.id_column }) },
      { ...options, config: options.config ?? loadConfig('propensity') },
    );
  }

  /**
   * Fits on a table holding the target column. Without `target`, the configured features and
   * target are used; with `target` (user data), every numeric and categorical column of the
   * table is a feature except the target, date columns and identifiers (`features.id_column`,
   * or a text column unique per row), and a notice says which.
   */
  override async fit(table: FeatureTable, options: PropensityFitOptions = {}): Promise<TrainResult> {
    if (this.#preparing) return super.fit(table, options);
    this.#checkAlive('fit');
    if (table === null || typeof table !== 'object' || !Array.isArray(table.columnNames) || typeof table.rowCount !== 'number') {
      throw new ParameterError('table', `The 'table' argument of ${NAME}.fit must be a Table. Got ${describe(table)}.`);
    }
    const { positiveLabel, ...rest } = options;
    // The id column (the `columns` option) under features.id_column; a mapped target means the user's own data too.
    table = this.withModelColumns(table, 'the training table');
    if (rest.validation !== undefined) rest.validation = this.withModelColumns(rest.validation, 'the validation table');
    const userData = options.target !== undefined || this.columns.target !== undefined;
    const target = options.target ?? this.targetName() ?? this.config.features.target;
    if (table.rowCount === 0) {
      throw new InsufficientDataError(`${NAME}.fit got an empty table (0 rows). Training needs at least ${this.config.eligibility.min_positives} converters and ${this.config.eligibility.min_negatives} non-converters.`);
    }
    refuseInfinity(table, target);
    const y = binaryTarget(NAME, table, target, positiveLabel);
    checkEligibility(NAME, target, y, this.config.eligibility.min_positives, this.config.eligibility.min_negatives);

    const dateColumn = this.#dateColumn(table);
    const dates = dateColumn === undefined ? undefined : (table.column(dateColumn) as { values: ArrayLike<number> }).values;
    const { identifiers, features } = this.#chooseFeatures(table, target, userData);
    const given = options.validation !== undefined;
    const { method, cv_folds: k, holdout_fraction: holdout } = this.config.calibration;
    const crossValidated = method !== 'none' && k !== null;
    const splits = propensitySplits(
      y,
      { test: this.config.data.test_size, calibration: method === 'none' || crossValidated ? 0 : holdout, validation: given ? 0 : this.config.data.validation_size },
      this.config.data.random_state,
      dates,
    );
    const folds = crossValidated ? { k, of: calibrationFolds(y, dates, splits.train, k) } : undefined;
    const labelled = withColumn(table, target, { kind: 'numeric', values: y });
    const part = (rows: Int32Array) => tableRows(labelled, rows);
    let validation = rest.validation;
    if (validation !== undefined) {
      validation = withColumn(validation, target, { kind: 'numeric', values: binaryTarget(NAME, validation, target, positiveLabel) });
    } else if (splits.validation.length > 0) {
      validation = part(splits.validation);
    }
    this.#pending = {
      calibration: part(splits.calibration),
      calibrationY: Float64Array.from(splits.calibration, (i) => y[i]!),
      test: part(splits.test),
      testY: Float64Array.from(splits.test, (i) => y[i]!),
      splits: {
        train: splits.train.length,
        validation: given ? rest.validation!.rowCount : splits.validation.length,
        calibration: splits.calibration.length,
        test: splits.test.length,
        order: splits.order,
      },
      droppedIdentifiers: identifiers,
      features,
      folds,
    };
    this.#preparing = true;
    try {
      return await super.fit(part(splits.train), { ...rest, target, validation });
    } finally {
      this.#preparing = false;
      this.#pending = undefined;
    }
  }

  /**
   * Tunes the XGBoost hyperparameters over `tuning.search_space` for `tuning.metric` on the early-stopping
   * rows, pruning between boosting rounds, then retrains on the best ones (see tune.ts). Resolves to the
   * retrained trainer, whose bundle carries `state/tuning.json`.
   */
  tune(table: FeatureTable, options: PropensityTuneOptions = {}): Promise<TuneResult & { trainer: PropensityTrainer }> {
    this.#checkAlive('tune');
    return tunePropensityTrainer(this, (o) => new PropensityTrainer(o), table, options);
  }

  /** The Trainer contract's `train(X, y, ...)` is not how this model trains: it chooses its own splits. */
  override async train(_XTrain: FeatureTable, _yTrain: ArrayLike<number> | undefined, _XVal?: FeatureTable, _yVal?: ArrayLike<number>, _options: TrainOptions = {}): Promise<TrainResult> {
    throw new UsageError(`${NAME}.train(X, y) is not supported: the Propensity Scorer splits one table into train, early-stopping, calibration and metric rows. Call fit(table, { target }) instead.`);
  }

  /** The fitted scorer (score, segments, top factors, report, drift). It shares the trainer's model. */
  scorer(): PropensityScorer {
    this.#checkAlive('scorer');
    if (!this.isFitted) throw new NotFittedError(NAME, 'scorer');
    return new PropensityScorer(this.model, this.featureSchema, { owned: false, columns: this.columns });
  }

  /** Frees the fitted model's native memory (the base class does); idempotent. */
  override dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    super.dispose();
  }

  override [Symbol.dispose](): void {
    this.dispose();
  }

  #checkAlive(method: string): void {
    if (this.#disposed) throw new UsageError(`${NAME}.${method}() was called after dispose(). Create a new ${NAME}.`);
  }

  #notice(text: string): void {
    if (this.notices.includes(text)) return;
    this.notices.push(text);
    process.emitWarning(text, { code: 'KDAP_PROPENSITY' });
  }

  /**
   * The column whose dates order the splits: the `columns` option's `date` (which must hold dates),
   * else the table's first date column.
   */
  #dateColumn(table: FeatureTable): string | undefined {
    const mapped = this.columns.date;
    if (mapped === undefined) return table.columnNames.find((n) => table.column(n).kind === 'date');
    if (!table.columnNames.includes(mapped)) throw missingColumnError(NAME, 'the training table', { role: 'date', column: mapped, mapped: true }, table.columnNames);
    const kind = table.column(mapped).kind;
    if (kind !== 'date') {
      throw new SchemaError(`${NAME}: column '${mapped}' (the date column, option columns.date) must hold dates (a date column; read CSVs with the column typed as a date). Got a ${kind} column.`, { column: mapped });
    }
    return mapped;
  }

  /** Identifier columns, and with user data the features the table's schema gives. */
  #chooseFeatures(table: FeatureTable, target: string, userData: boolean): { identifiers: string[]; features: Pending['features'] } {
    const idColumn = this.config.features.id_column;
    const identifiers: string[] = [];
    for (const name of table.columnNames) {
      if (name === target) continue;
      if (name === idColumn) {
        identifiers.push(name);
        continue;
      }
      const column = table.column(name);
      if (column.kind === 'categorical' && table.rowCount >= 20 && uniquePerRow(column.codes)) identifiers.push(name);
    }
    const configured = [...this.config.features.numerical, ...this.config.features.categorical];
    const dropped = identifiers.filter((n) => userData || configured.includes(n));
    // Notices name the user's columns: the table here has the `columns` option's renames applied.
    const userNames = new Map(this.columnRenames().map((r) => [r.model, r.column]));
    const userName = (n: string) => userNames.get(n) ?? n;
    if (dropped.length > 0) {
      this.#notice(`${NAME}: ${dropped.map((n) => `'${userName(n)}'`).join(', ')} identif${dropped.length === 1 ? 'ies' : 'y'} customers (unique per row or the id column), so ${dropped.length === 1 ? 'it is' : 'they are'} not used as a feature.`);
    }
    if (!userData) return { identifiers: dropped, features: undefined };
    const numerical: string[] = [];
    const categorical: string[] = [];
    for (const name of table.columnNames) {
      if (name === target || identifiers.includes(name)) continue;
      const kind = table.column(name).kind;
      if (kind === 'numeric') numerical.push(name);
      else if (kind === 'categorical') categorical.push(name);
    }
    if (numerical.length + categorical.length === 0) {
      throw new ParameterError('table', `${NAME}.fit: the table has no feature columns besides the target '${target}' and identifiers (${identifiers.join(', ') || 'none'}).`);
    }
    const dates = table.columnNames.filter((n) => table.column(n).kind === 'date');
    this.#notice(
      `${NAME}: training on the table's columns as its schema types them: numerical ${numerical.map(userName).join(', ') || '(none)'}; categorical ${categorical.map(userName).join(', ') || '(none)'}` +
        `${dates.length > 0 ? `; date column ${dates.map(userName).join(', ')} orders the splits and is not a feature` : ''}.`,
    );
    return { identifiers, features: { numerical, categorical } };
  }

  protected override featureColumns(table: FeatureTable): { numerical: readonly string[]; categorical: readonly string[]; required: readonly string[] } {
    const chosen = this.#pending?.features;
    const drop = new Set(this.#pending?.droppedIdentifiers ?? []);
    const numerical = (chosen?.numerical ?? this.config.features.numerical).filter((n) => !drop.has(n));
    const categorical = (chosen?.categorical ?? this.config.features.categorical).filter((n) => !drop.has(n));
    void table;
    // Every feature is required at scoring: a column missing from a scoring table is a mistake, not a missing value.
    return { numerical, categorical, required: [...numerical, ...categorical] };
  }

  protected override totalIterations(): number {
    return this.config.hyperparameters.xgboost.n_estimators;
  }

  /** XGBoost parameters of this configuration for training rows with `positives` of `rows`. */
  xgboostParams(positives: number, rows: number): Params {
    const h = this.config.hyperparameters.xgboost;
    const scalePosWeight = h.scale_pos_weight === 'auto' ? (positives === 0 ? 1 : (rows - positives) / positives) : h.scale_pos_weight;
    const params: Record<string, string | number> = {
      objective: h.objective,
      max_depth: h.max_depth,
      eta: h.learning_rate,
      min_child_weight: h.min_child_weight,
      gamma: h.gamma,
      subsample: h.subsample,
      colsample_bytree: h.colsample_bytree,
      alpha: h.reg_alpha,
      lambda: h.reg_lambda,
      scale_pos_weight: scalePosWeight,
      tree_method: h.tree_method,
      eval_metric: h.eval_metric,
      seed: this.config.training.random_seed,
    };
    // -1 means "all cores": the idle ones, sized to the data (a team larger than the idle cores
    // collapses on a busy machine; see defaultThreadCount).
    params.nthread = this.config.training.n_jobs < 0 ? defaultThreadCount({ rows }) : this.config.training.n_jobs;
    return params;
  }

  protected override async fitModel(data: TrainingData, context: FitContext): Promise<FitOutcome<PropensityModel>> {
    const pending = this.#pending;
    if (pending === undefined) throw new UsageError(`${NAME}: fitModel runs only inside fit(table).`);
    const { X, y } = data.train;
    let positives = 0;
    for (const v of y!) positives += v;
    const params = this.xgboostParams(positives, X.rows);
    const featureTypes = xgboostFeatureTypes(data.schema);
    const names = data.schema.featureNames;
    const featureNames = validFeatureNames(names) ? names : undefined;
    const numBoostRound = this.config.hyperparameters.xgboost.n_estimators;
    const matrix = (m: FeatureMatrix, label: Float64Array) => new DMatrix(m.values, { rows: m.rows, cols: m.cols, label, featureNames, featureTypes });

    const dtrain = matrix(X, y!);
    const v = data.validation;
    const dvalid = v && v.X.rows > 0 ? matrix(v.X, v.y!) : undefined;
    let trained: Booster;
    let prepared: Prepared;
    try {
      const training = Booster.train(params, dtrain, {
        numBoostRound,
        evals: dvalid ? [[dtrain, 'train'], [dvalid, 'validation']] : [[dtrain, 'train']],
        earlyStoppingRounds: dvalid ? this.config.training.early_stopping_rounds : undefined,
        signal: context.signal,
        // The training and early-stopping rows' scores at the best round, copied in the training loop:
        // the percentile population and the base class's metrics need no new prediction of them.
        keepBestPredictions: true,
        onIteration: (info) => context.reportIteration(info.iteration + 1, Object.fromEntries(info.evals.map((e) => [`${e.dataName}_${e.metric}`, e.value]))),
      });
      // Handled below; this keeps a failure during the preparation from counting as unhandled.
      training.catch(() => undefined);
      try {
        prepared = await prepareWhileBoosting(data, pending, this.config.calibration.method !== 'none' && pending.folds === undefined);
      } catch (e) {
        await training.then((b) => b.dispose(), () => undefined);
        throw e;
      }
      trained = await training;
    } catch (e) {
      if (e instanceof AbortError) context.throwIfAborted();
      throw e;
    } finally {
      dtrain.dispose();
      dvalid?.dispose();
    }
    // Keep the best round's trees only, so the saved model predicts as it was validated (in any language).
    const best = trained.getAttr('best_iteration');
    const kept = keptScores(trained, best, dvalid !== undefined);
    let booster = trained;
    if (best !== null && Number(best) + 1 < trained.numBoostedRounds) {
      booster = trained.slice(0, Number(best) + 1);
      trained.dispose();
    }
    try {
      // Cross-validated calibration: fold boosters like this one (same parameters and rounds) score the rows they did not see.
      const outOfFold = pending.folds && (() => outOfFoldScores(params, booster.numBoostedRounds, data.train.X, y!, pending.folds!, matrix, context));
      const { model, predictions, predictionMetrics } = await this.#calibrated(booster, data, pending, prepared, kept, outOfFold, params, featureTypes, numBoostRound);
      return { model, bestIteration: best === null ? undefined : Number(best) + 1, metrics: model.metrics, predictions, predictionMetrics };
    } catch (e) {
      booster.dispose();
      throw e;
    }
  }

  /**
   * Calibrates, evaluates and summarises the trained booster. The predictions (calibration and
   * metric rows; the training and early-stopping rows too when training kept no scores of them)
   * start at once off the JS thread, and this thread fits the calibrator, the metrics and the report
   * as they arrive. Resolves to the model, and the calibrated scores of the training and
   * early-stopping rows with the base class's metrics of them.
   */
  async #calibrated(
    booster: Booster,
    data: TrainingData,
    pending: Pending,
    prepared: Prepared,
    kept: KeptScores,
    outOfFold: (() => Promise<Float64Array>) | undefined,
    params: Params,
    featureTypes: FeatureType[],
    numBoostRound: number,
  ): Promise<Required<Pick<FitOutcome<PropensityModel>, 'model' | 'predictions' | 'predictionMetrics'>>> {
    const predict = async (m: FeatureMatrix) => (m.rows === 0 ? new Float64Array(0) : Float64Array.from(await booster.predict(m.values, { rows: m.rows, cols: m.cols })));
    const method = this.config.calibration.method;
    const calibrationRaw = outOfFold !== undefined ? outOfFold() : prepared.calibrationX === undefined ? undefined : predict(prepared.calibrationX);
    const calibrationY = outOfFold !== undefined ? data.train.y! : pending.calibrationY;
    const testRawScores = predict(prepared.testX);
    const trainRawScores = kept.train !== undefined ? Promise.resolve(kept.train) : predict(data.train.X);
    // The early-stopping rows' scores serve the base class's validation metrics (fitModel hands them over).
    const validationX = data.validation?.X;
    const validationRawScores = validationX === undefined ? undefined : kept.validation !== undefined ? Promise.resolve(kept.validation) : predict(validationX);
    // Every prediction is awaited before an error leaves (no booster disposed under a running prediction, no unhandled rejection).
    const settled = Promise.allSettled([calibrationRaw, testRawScores, trainRawScores, validationRawScores]);
    try {
      const features = prepared.baselines;
      let calibrator: Calibrator = new IdentityCalibrator();
      if (calibrationRaw !== undefined) {
        const raw = await calibrationRaw;
        const rows = raw.length;
        if (method === 'isotonic' && rows < this.config.calibration.min_isotonic_rows) {
          this.#notice(
            `${NAME}: isotonic calibration on only ${rows} ${outOfFold === undefined ? 'held-out' : 'out-of-fold'} rows (under calibration.min_isotonic_rows = ${this.config.calibration.min_isotonic_rows}) can overfit into a staircase. ` +
              'Consider calibration.method: sigmoid (Platt scaling, two parameters), or more data.',
          );
        }
        calibrator = method === 'isotonic' ? IsotonicCalibrator.fit(raw, calibrationY) : SigmoidCalibrator.fit(raw, calibrationY);
      }
      // The training and early-stopping rows' part needs only the calibrator: with their scores
      // kept it runs while XGBoost still predicts the metric rows (this thread waited 50-100 ms
      // for those, then did this and the base class its metrics); predicted, their predictions
      // come last, so the metric rows' part goes first.
      const training = async () => {
        const calibrated = calibrator.transform(await trainRawScores);
        // One sort of the training scores serves the percentile population and the score's drift bins.
        const sorted = sortScoresInPlace(Float64Array.from(calibrated));
        const validation = validationRawScores === undefined ? undefined : calibrator.transform(await validationRawScores);
        return {
          calibrated,
          validation,
          distribution: ScoreDistribution.fromSorted(sorted),
          baseline: numericBaselineOfSorted(sorted),
          // The Trainer base class's training and validation metrics, as it would compute them from these scores.
          metrics: { train: this.metricsFor(data.train.y, calibrated), validation: validation && this.metricsFor(data.validation!.y, validation) },
        };
      };
      const trainingFirst = kept.train !== undefined ? await training() : undefined;
      const testRaw = await testRawScores;
      const testCalibrated = calibrator.transform(testRaw);
      const configured = this.config.classification_threshold;
      const metrics = propensityMetrics(pending.testY, testRaw, testCalibrated, configured);
      const report = calibrationReport(pending.testY, testCalibrated);
      const { calibrated: trainCalibrated, validation, distribution, baseline, metrics: predictionMetrics } = trainingFirst ?? (await training());
      const state: PropensityState = {
        idColumn: this.config.features.id_column,
        droppedIdentifiers: pending.droppedIdentifiers,
        threshold: metrics.threshold!,
        segments: this.config.segments.map((s) => ({ ...s })),
        featureTypes,
        params,
        numBoostRound,
        rounds: booster.numBoostedRounds,
        calibrationMethod: method,
        calibrationFolds: pending.folds?.k ?? null,
        splits: pending.splits,
      };
      const model = new PropensityModel(booster, calibrator, distribution, report, { score: baseline, features }, metrics, state);
      return { model, predictions: { train: trainCalibrated, validation }, predictionMetrics };
    } catch (e) {
      await settled;
      throw e;
    }
  }

  protected override modelArtifacts(model: PropensityModel): ModelArtifacts {
    const version = xgboostVersion();
    return {
      modelFiles: { 'model.json': model.booster.toBuffer('json') },
      state: {
        'calibration.json': model.calibrator.toJSON(),
        'score_distribution.json': model.distribution.toJSON(),
        'calibration_report.json': model.report,
        'drift_baseline.json': model.baseline,
        'propensity.json': model.state,
        'metrics.json': model.metrics,
        ...(this.tuningSummary ? { 'tuning.json': this.tuningSummary } : {}),
      },
      versions: { xgboost: version },
      mlflow: { name: 'xgboost', data: 'model.json', loaderModule: 'mlflow.xgboost', options: { xgb_version: version, model_class: 'xgboost.core.Booster', model_format: 'json' } },
    };
  }
}

/** Raw scores of the training and early-stopping rows at the kept round, as `Booster.predict` gives them; undefined: predict. */
interface KeptScores {
  train: Float64Array | undefined;
  validation: Float64Array | undefined;
}

/**
 * The training loop's copies of the training and early-stopping rows' scores (keepBestPredictions),
 * when they belong to the round the model keeps: early stopping's best round, or the last round
 * without early stopping. Anything else (none kept, another round) leaves them to be predicted.
 */
function keptScores(trained: Booster, best: string | null, validating: boolean): KeptScores {
  const kept = trained.bestPredictions;
  const round = best === null ? trained.numBoostedRounds - 1 : Number(best);
  if (kept === undefined || kept.iteration !== round) return { train: undefined, validation: undefined };
  const validation = validating ? kept.evals[1] : undefined;
  return { train: Float64Array.from(kept.training), validation: validation === undefined ? undefined : Float64Array.from(validation) };
}

/** What the trainer computes while XGBoost boosts: everything after boosting that needs no booster. */
interface Prepared {
  /** Drift baselines of each feature over the training rows. */
  baselines: Record<string, FeatureBaseline>;
  /** The encoded calibration rows (none when calibration is off). */
  calibrationX: FeatureMatrix | undefined;
  /** The encoded metric rows. */
  testX: FeatureMatrix;
}

/**
 * Runs while XGBoost boosts off the JS thread. The rounds do not wait for this thread (the native
 * loop stops early by itself), but their progress reports do: this work yields to the event loop
 * between pieces (the baselines, one matrix), so a report waits for at most one piece.
 */
async function prepareWhileBoosting(data: TrainingData, pending: Pending, calibrating: boolean): Promise<Prepared> {
  const yieldToRounds = () => new Promise<void>((resolve) => setImmediate(resolve));
  const baselines = featureBaselines(data.train.X, data.schema);
  await yieldToRounds();
  const calibrationX = calibrating ? data.schema.encode(pending.calibration) : undefined;
  await yieldToRounds();
  const testX = data.schema.encode(pending.test);
  return { baselines, calibrationX, testX };
}

/**
 * The drift baseline of each feature over the training rows, read straight from the feature
 * matrix. A plain function, not a loop in the async caller: V8 optimizes a loop inside an async
 * function only by on-stack replacement, recompiled at every fit.
 */
function featureBaselines(X: FeatureMatrix, schema: FeatureSchema): Record<string, FeatureBaseline> {
  const baselines: Record<string, FeatureBaseline> = {};
  schema.features.forEach((f, j) => {
    baselines[f.name] = f.kind === 'categorical' ? categoricalBaselineOfColumn(X.values, j, X.cols, X.rows, f.categories ?? []) : numericBaselineOfColumn(X.values, j, X.cols, X.rows);
  });
  return baselines;
}

/**
 * The fold of each training row for cross-validated calibration: scikit-learn's StratifiedKFold
 * over the training rows' targets, or with dates KFold over the rows oldest first (each fold a
 * period; rows without a date oldest, as the splits order them).
 */
function calibrationFolds(y: Float64Array, dates: ArrayLike<number> | undefined, train: Int32Array, k: number): Int32Array {
  if (dates === undefined) return stratifiedFolds(Float64Array.from(train, (row) => y[row]!), k, NAME);
  const key = (p: number) => (Number.isNaN(dates[train[p]!]!) ? -Infinity : dates[train[p]!]!);
  const order = Array.from({ length: train.length }, (_, p) => p).sort((a, b) => key(a) - key(b) || a - b);
  return contiguousFolds(order, k, NAME);
}

/**
 * Out-of-fold raw scores of the training rows (scikit-learn's cross_val_predict inside
 * CalibratedClassifierCV with ensemble=False): per fold, a booster with the final model's
 * parameters and number of rounds is trained on the other folds and scores this one; it is then
 * freed, so the bundle keeps one booster and one calibrator.
 */
async function outOfFoldScores(
  params: Params,
  rounds: number,
  X: FeatureMatrix,
  y: Float64Array,
  folds: { k: number; of: Int32Array },
  matrix: (m: FeatureMatrix, label: Float64Array) => DMatrix,
  context: FitContext,
): Promise<Float64Array> {
  const scores = new Float64Array(X.rows);
  for (let f = 0; f < folds.k; f++) {
    const held: number[] = [];
    const fit: number[] = [];
    folds.of.forEach((g, row) => (g === f ? held : fit).push(row));
    const dfit = matrix(rowsOf(X, fit), Float64Array.from(fit, (row) => y[row]!));
    let booster: Booster;
    try {
      booster = await Booster.train(params, dfit, { numBoostRound: rounds, signal: context.signal });
    } catch (e) {
      if (e instanceof AbortError) context.throwIfAborted();
      throw e;
    } finally {
      dfit.dispose();
    }
    try {
      const part = rowsOf(X, held);
      const raw = await booster.predict(part.values, { rows: part.rows, cols: part.cols });
      held.forEach((row, j) => (scores[row] = raw[j]!));
    } finally {
      booster.dispose();
    }
  }
  return scores;
}

/** The rows `rows` of a row-major matrix. */
function rowsOf(X: FeatureMatrix, rows: readonly number[]): FeatureMatrix {
  const values = new Float64Array(rows.length * X.cols);
  rows.forEach((row, i) => values.set(X.values.subarray(row * X.cols, (row + 1) * X.cols), i * X.cols));
  return { ...X, rows: rows.length, values };
}

/** XGBoost would read ±Infinity as a huge number; it is almost always a broken export. NaN is a missing value. */
function refuseInfinity(table: FeatureTable, target: string): void {
  for (const name of table.columnNames) {
    if (name === target) continue;
    const column = table.column(name);
    if (column.kind !== 'numeric') continue;
    for (let i = 0; i < table.rowCount; i++) {
      const v = column.values[i]!;
      if (v === Infinity || v === -Infinity) {
        throw new DataError(`${NAME}.fit: column '${name}' is ${v} in row ${i}. Features must be finite numbers; leave the cell empty (missing) if the value is unknown.`, { column: name, row: i });
      }
    }
  }
}

function uniquePerRow(codes: ArrayLike<number>): boolean {
  const seen = new Set<number>();
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c < 0 || seen.has(c)) return false;
    seen.add(c);
  }
  return true;
}

export type { PropensityConfig };
