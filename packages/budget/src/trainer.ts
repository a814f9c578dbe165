import {
  applyOverrides,
  loadConfig,
  Trainer,
  type BudgetOptimizerConfig,
  type FeatureColumn,
  type FeatureMatrix,
  type FeatureTable,
  type FitContext,
  type FitOptions,
  type FitOutcome,
  type ModelArtifacts,
  type TrainerOptions,
  type TrainingData,
  type TrainOptions,
  type TrainResult,
  validationSplit,
} from '@kdap/core';
import { AbortError, describe, NotFittedError, ParameterError } from '@kdap/errors';
import { Booster, Dataset, lightgbmVersion, type Params } from '@kdap/lightgbm-node';
import { defaultThreadCount } from '@kdap/napi-common';
import { tuneSection, type StudySummary, type TuneOptions, type TuneResult } from '@kdap/tuning';
import { dateColumnOf, EFFECTIVE_SPEND, effectiveSpend, estimateCarryover } from './carryover';
import { lightgbmParams } from './lightgbm-params';
import { BudgetOptimizer } from './optimizer';
import { BudgetResponseModel, type ResponseState } from './response-model';
import { checkBudgetTable, DATE_COLUMN, withParsedDates } from './training-data';

const NAME = 'BudgetOptimizerTrainer';
/** What to call before a fitted model is needed, for NotFittedError messages. */
const FIT_CALL = 'train(XTrain, yTrain) or fit(table, { target })';
/** The channel feature: the Python module's outputs key recommendations by it. */
export const CHANNEL_FEATURE = 'channel_id';
/** The column whose dates order the periods (carry-over, the held-out validation split). */
export { DATE_COLUMN };

/** `fit` options of the Budget Optimizer: the trainer contract's, plus the held-out validation split. */
export interface BudgetFitOptions extends FitOptions {
  /**
   * Without `validation`: the share of the latest dates (whole dates; the last rows without a
   * date column) held out so metrics are honest, default the configuration's
   * `data.validation_size` (0.1); `false` trains on every row and reports training metrics
   * (`result.metricsSet: 'training'`).
   */
  holdOut?: number | false;
}

/** The packaged configuration's spend feature (the Python module's name). */
const DEFAULT_SPEND_FEATURE = 'current_spend';

/**
 * The numerical features follow `optimization.spend_feature` (after overrides): a spend feature the
 * list lacks takes the place of the packaged default's `current_spend` (or is appended), and the
 * engineered effective spend is appended.
 */
function withSpendFeatures(config: BudgetOptimizerConfig): BudgetOptimizerConfig {
  const spend = config.optimization.spend_feature;
  let numerical = config.features.numerical;
  if (!numerical.includes(spend)) {
    numerical = numerical.includes(DEFAULT_SPEND_FEATURE) ? numerical.map((n) => (n === DEFAULT_SPEND_FEATURE ? spend : n)) : [...numerical, spend];
  }
  if (!numerical.includes(EFFECTIVE_SPEND)) numerical = [...numerical, EFFECTIVE_SPEND];
  return numerical === config.features.numerical ? config : { ...config, features: { ...config.features, numerical } };
}

/**
 * `params: { num_threads }` (LightGBM's name) or `{ n_jobs }` (scikit-learn's) set the
 * configuration's `training.n_jobs` (-1 or 0 = the default thread policy), so the thread count can
 * be given where the other hyperparameters are.
 */
function withThreadParams(options: TrainerOptions<'budget'>): TrainerOptions<'budget'> {
  const params = options?.params;
  if (params === null || typeof params !== 'object' || Array.isArray(params) || !('num_threads' in params || 'n_jobs' in params)) return options;
  if ('num_threads' in params && 'n_jobs' in params) throw new ParameterError('num_threads', `${NAME} takes 'num_threads' or 'n_jobs' in params, not both. Got ${describe(params.num_threads)} and ${describe(params.n_jobs)}.`);
  const name = 'num_threads' in params ? 'num_threads' : 'n_jobs';
  const value = params[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -1) {
    throw new ParameterError(name, `The '${name}' parameter of ${NAME} must be an integer >= 1, or -1 (or 0) for the default thread policy. Got ${describe(value)}.`);
  }
  const { [name]: _threads, ...rest } = params;
  const overrides = options.overrides ?? {};
  return { ...options, params: rest, overrides: { ...overrides, training: { ...(overrides.training ?? {}), n_jobs: value <= 0 ? -1 : value } } };
}

/** A table with extra (or replacing) columns, without copying the others. */
function extendTable(table: FeatureTable, extra: ReadonlyMap<string, FeatureColumn>): FeatureTable {
  const names = [...table.columnNames.filter((n) => !extra.has(n)), ...extra.keys()];
  return { rowCount: table.rowCount, columnNames: names, column: (name) => extra.get(name) ?? table.column(name) };
}

/**
 * Trains the Budget Optimizer: a LightGBM regression of return (currency per period) on spend and
 * context, monotone non-decreasing in spend, plus lower/upper quantile regressions for the
 * interval, all in one bundle. Adds `effective_spend` (spend with carry-over from earlier periods,
 * decay estimated per channel) when the table has a date column. Configured features the training
 * table lacks are trained as missing values (a notice says so once).
 *
 * ```ts
 * const trainer = new BudgetOptimizerTrainer({ params: { n_estimators: 300 } });
 * await trainer.fit(train, { validation });
 * const optimizer = trainer.optimizer();
 * optimizer.recommend({ channel_id: 'search', current_spend: 50000, historical_roi_mean: 2.5 });
 * ```
 */
export class BudgetOptimizerTrainer extends Trainer<'budget', BudgetResponseModel> {
  /** Messages about how the data was used (e.g. configured features the table lacks). */
  readonly notices: string[] = [];
  #decays: Record<string, number> = {};
  #preparing = false;
  #tuning: StudySummary | undefined;

  constructor(options: TrainerOptions<'budget'> = {}) {
    // Overrides first: the spend feature, the feature lists and what is required all derive from them.
    const { overrides, ...rest } = withThreadParams(options);
    const base = rest.config ?? loadConfig('budget');
    const config = overrides === undefined ? base : applyOverrides('budget', base, overrides);
    super(
      {
        name: NAME,
        kind: 'budget',
        paramsSection: 'lightgbm',
        requiredFeatures: (c) => [c.optimization.spend_feature, CHANNEL_FEATURE],
        renamedColumns: (c) => ({ channel: CHANNEL_FEATURE, spend: c.optimization.spend_feature, date: DATE_COLUMN }),
      },
      { ...rest, config: withSpendFeatures(config) },
    );
  }

  /**
   * Tunes the LightGBM hyperparameters over `tuning.search_space` for `tuning.metric` on `validation` (TPE,
   * median pruning on the per-iteration validation metric: a pruned trial stops boosting), then retrains on the
   * best ones. Resolves to the retrained trainer, whose bundle carries `tuning.json` (the study summary).
   */
  async tune(
    table: FeatureTable,
    options: { validation: FeatureTable } & Pick<TuneOptions, 'nTrials' | 'timeout' | 'signal' | 'sampler' | 'pruner' | 'storage' | 'studyName' | 'loadIfExists' | 'onTrial'>,
  ): Promise<TuneResult & { trainer: BudgetOptimizerTrainer }> {
    const { validation, ...studyOptions } = options;
    const { metric } = this.config.tuning;
    const result = await tuneSection(this.config.tuning, {
      ...studyOptions,
      evaluate: async (params, { signal, onIteration }) => {
        const trial = new BudgetOptimizerTrainer({ config: this.config, params, columns: this.columns });
        const fit = await trial.fit(table, {
          validation,
          signal,
          onProgress: ({ iteration, metrics }) => {
            const name = Object.keys(metrics).find((k) => k.startsWith('validation_'));
            if (name !== undefined) onIteration(iteration, metrics[name]!);
          },
        });
        trial.model.dispose();
        return fit.validationMetrics![metric]!;
      },
    });
    const best = new BudgetOptimizerTrainer({ config: this.config, params: result.bestParams, columns: this.columns });
    best.#tuning = result.summary;
    await best.fit(table, { validation, ...(options.signal ? { signal: options.signal } : {}) });
    return { ...result, trainer: best };
  }

  private get spendFeature(): string {
    return this.config.optimization.spend_feature;
  }

  /**
   * Fits on a table holding spend, channel and return. The spend, return and date columns are
   * checked first (typed errors name the column and rows; see training-data.ts); dates given as
   * ISO text are parsed. Without `validation`, the latest `holdOut` share of dates is held out.
   */
  override async fit(table: FeatureTable, options: BudgetFitOptions = {}): Promise<TrainResult> {
    if (this.#preparing) return super.fit(table, options); // the base class refuses overlapping trainings
    if (table === null || typeof table !== 'object' || !Array.isArray(table.columnNames)) {
      // The generators return { table, truth }: the most likely slip, so say so.
      const hint = table !== null && typeof table === 'object' && 'table' in table ? " It looks like a generator's result: pass its .table." : '';
      throw new ParameterError('table', `The 'table' argument of ${NAME}.fit must be a Table (readTable, Table.fromColumns). Got ${describe(table)}.${hint}`);
    }
    const { holdOut, ...fitOptions } = options ?? {};
    const target = fitOptions.target ?? this.targetName() ?? this.config.features.target;
    const columns = { spend: this.spendFeature, channel: CHANNEL_FEATURE, target };
    let train = withParsedDates(this.withModelColumns(table, 'the training table'), DATE_COLUMN, (m) => this.notice(m));
    checkBudgetTable(NAME, train, columns, 'training table');
    let validation = fitOptions.validation === undefined ? undefined : withParsedDates(this.withModelColumns(fitOptions.validation, 'the validation table'), DATE_COLUMN, (m) => this.notice(m));
    if (validation !== undefined) {
      checkBudgetTable(NAME, validation, columns, 'validation table');
    } else if (holdOut !== false && train !== null && typeof train === 'object' && Array.isArray(train.columnNames)) {
      const fraction = holdOut ?? this.config.data.validation_size;
      if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
        throw new ParameterError('holdOut', `The 'holdOut' option of ${NAME}.fit must be a number > 0 and < 1 (the share of the latest dates held out for validation) or false. Got ${describe(fraction)}.`);
      }
      const split = validationSplit(train, { fraction, dateColumn: dateColumnOf(train) });
      if (split.validation.rowCount > 0) {
        const when = split.cutoff === undefined ? `the last ${split.validation.rowCount} rows` : `the dates from ${new Date(split.cutoff).toISOString().slice(0, 10)} on (${split.validation.rowCount} rows)`;
        this.notice(`no validation table was given, so ${when} were held out for validation (${Math.round(100 * fraction)}% of the ${split.by === 'date' ? 'dates' : 'rows'}; option holdOut); the metrics are validation metrics.`);
        train = split.train;
        validation = split.validation;
        checkBudgetTable(NAME, train, columns, 'training table', ' after holding out the latest dates for validation (pass a validation table, or holdOut: false)');
      }
    }
    const y = train.columnNames.includes(target) && train.column(target).kind === 'numeric' ? (train.column(target) as { values: ArrayLike<number> }).values : undefined;
    const heldOut = validation;
    const prepared = train;
    return this.prepared(prepared, y, () => super.fit(this.augment(prepared, true), { ...fitOptions, target, validation: heldOut === undefined ? undefined : this.augment(heldOut, false) }));
  }

  /** Records a message about how the data was used (trainer.notices), and warns once. */
  private notice(message: string): void {
    const text = `${NAME}: ${message}`;
    if (this.notices.includes(text)) return;
    this.notices.push(text);
    process.emitWarning(text, { code: 'KDAP_BUDGET_DATA' });
  }

  override async train(XTrain: FeatureTable, yTrain: ArrayLike<number> | undefined, XVal?: FeatureTable, yVal?: ArrayLike<number>, options: TrainOptions = {}): Promise<TrainResult> {
    if (this.#preparing) return super.train(XTrain, yTrain, XVal, yVal, options);
    const columns = { spend: this.spendFeature, channel: CHANNEL_FEATURE, target: undefined };
    XTrain = withParsedDates(this.withModelColumns(XTrain, 'XTrain'), DATE_COLUMN, (m) => this.notice(m));
    checkBudgetTable(NAME, XTrain, columns, 'training table');
    if (XVal !== undefined) {
      XVal = withParsedDates(this.withModelColumns(XVal, 'XVal'), DATE_COLUMN, (m) => this.notice(m));
      checkBudgetTable(NAME, XVal, columns, 'validation table');
    }
    const y = yTrain !== undefined && typeof yTrain === 'object' && yTrain.length === XTrain?.rowCount ? yTrain : undefined;
    return this.prepared(XTrain, y, () => super.train(this.augment(XTrain, true), yTrain, XVal === undefined ? undefined : this.augment(XVal, false), yVal, options));
  }

  /** Expected return (currency per period) per row; effective spend is derived as in training. */
  override predict(table: FeatureTable): Float64Array {
    this.assertLive();
    if (!this.isFitted) throw new NotFittedError(NAME, 'predict', FIT_CALL);
    const model = this.model;
    return super.predict(this.withEffectiveSpend(this.withModelColumns(table, 'the table', { scoring: true }), model.state.decays));
  }

  /** The feature matrix the boosters see for a table (schema order, effective spend included). */
  featureMatrix(table: FeatureTable): FeatureMatrix {
    this.assertLive();
    if (!this.isFitted) throw new NotFittedError(NAME, 'featureMatrix', FIT_CALL);
    return this.featureSchema.encode(this.withEffectiveSpend(this.withModelColumns(table, 'the table', { scoring: true }), this.model.state.decays));
  }

  /** The fitted optimizer (recommend, allocate, response curves). Throws NotFittedError before training. */
  optimizer(): BudgetOptimizer {
    this.assertLive();
    if (!this.isFitted) throw new NotFittedError(NAME, 'optimizer', FIT_CALL);
    return new BudgetOptimizer(this.model, this.featureSchema, { columns: this.columns });
  }

  private async prepared(table: FeatureTable, y: ArrayLike<number> | undefined, run: () => Promise<TrainResult>): Promise<TrainResult> {
    this.#preparing = true;
    try {
      const canEstimate = y !== undefined && table?.columnNames?.includes(this.spendFeature) && table.columnNames.includes(CHANNEL_FEATURE) && table.column(this.spendFeature).kind === 'numeric';
      this.#decays = canEstimate ? estimateCarryover(table, this.spendFeature, CHANNEL_FEATURE, y) : {};
      return await run();
    } finally {
      this.#preparing = false;
    }
  }

  /** Training tables: effective spend added; configured features the table lacks become missing values. */
  private augment(table: FeatureTable, noticeMissing: boolean): FeatureTable {
    if (table === null || typeof table !== 'object' || !Array.isArray(table.columnNames)) return table;
    const extra = new Map<string, FeatureColumn>();
    const required = new Set([this.spendFeature, CHANNEL_FEATURE]);
    const absent: string[] = [];
    for (const name of this.config.features.numerical) {
      if (name === EFFECTIVE_SPEND || required.has(name) || table.columnNames.includes(name)) continue;
      absent.push(name);
      extra.set(name, { kind: 'numeric', values: new Float64Array(table.rowCount).fill(Number.NaN) });
    }
    for (const name of this.config.features.categorical) {
      if (required.has(name) || table.columnNames.includes(name)) continue;
      absent.push(name);
      extra.set(name, { kind: 'categorical', codes: new Int32Array(table.rowCount).fill(-1), categories: [] });
    }
    if (absent.length > 0 && noticeMissing) {
      const notice = `${NAME}: the training table has no column ${absent.map((n) => `'${n}'`).join(', ')}; training on the columns present (these features are missing values for the model).`;
      if (!this.notices.includes(notice)) {
        this.notices.push(notice);
        process.emitWarning(notice, { code: 'KDAP_BUDGET_FEATURES' });
      }
    }
    return extendTable(this.withEffectiveSpend(table, this.#decays), extra);
  }

  private withEffectiveSpend(table: FeatureTable, decays: Readonly<Record<string, number>>): FeatureTable {
    if (table === null || typeof table !== 'object' || !Array.isArray(table.columnNames)) return table;
    if (table.columnNames.includes(EFFECTIVE_SPEND)) return table;
    table = withParsedDates(table, DATE_COLUMN, () => undefined);
    return extendTable(table, new Map([[EFFECTIVE_SPEND, { kind: 'numeric', values: effectiveSpend(table, this.spendFeature, CHANNEL_FEATURE, decays) } as FeatureColumn]]));
  }

  protected override totalIterations(): number {
    return this.config.hyperparameters.lightgbm.n_estimators;
  }

  protected override async fitModel(data: TrainingData, context: FitContext): Promise<FitOutcome<BudgetResponseModel>> {
    const names = data.schema.featureNames;
    const categorical = data.schema.features.flatMap((f, i) => (f.kind === 'categorical' ? [i] : []));
    const monotone = this.config.optimization.monotone_spend ? [this.spendFeature, EFFECTIVE_SPEND].filter((n) => names.includes(n)) : [];
    const [qLow, qHigh] = this.config.optimization.interval_quantiles;
    const objective = this.config.hyperparameters.lightgbm.objective;
    // One thread count for the three models, sized once to the data and the idle cores.
    const jobs = this.config.training.n_jobs;
    const threads = jobs < 0 ? defaultThreadCount({ rows: data.train.X.rows }) : jobs;
    const params = {
      // LightGBM's quantile objective needs its alpha; the configured objective keeps LightGBM's defaults otherwise.
      main: lightgbmParams(this.config, names, monotone, { objective }, threads),
      lower: lightgbmParams(this.config, names, monotone, { objective: 'quantile', alpha: qLow }, threads),
      upper: lightgbmParams(this.config, names, monotone, { objective: 'quantile', alpha: qHigh }, threads),
    };
    const numBoostRound = this.config.hyperparameters.lightgbm.n_estimators;
    const earlyStoppingRounds = data.validation ? this.config.training.early_stopping_rounds : null;

    // One training and one validation Dataset for the three models: they differ only in objective
    // and alpha, which binning does not use, so the bins (and models) are those of a Dataset per
    // model (tested), and LightGBM bins the 80,000 training rows of the benchmark once, not three
    // times (~0.5 s each with two threads).
    const { X, y } = data.train;
    // The Datasets keep a reference to the matrices (held here anyway: freeRawData false), so the
    // return model's copies of LightGBM's scores are taken at sparse checkpoints (below).
    const trainSet = new Dataset(X.values, { rows: X.rows, cols: X.cols, label: y!, featureNames: names, categoricalFeatures: categorical, freeRawData: false });
    const v = data.validation;
    const validSet = v
      ? new Dataset(v.X.values, { rows: v.X.rows, cols: v.X.cols, label: v.y!, featureNames: names, categoricalFeatures: categorical, reference: trainSet, freeRawData: false })
      : undefined;
    // The return model's metrics (base class) need its predictions of the training and validation
    // rows at the best iteration: LightGBM holds them while it trains, copied in the training loop
    // (keepBestPredictions) at checkpoints and brought forward to the best iteration by adding the
    // later trees' leaf values, so those 100,000 rows of the benchmark are not predicted again.
    const trainOne = async (p: Params, returnModel: boolean): Promise<Booster> => {
      try {
        return await Booster.train(p, trainSet, {
          numBoostRound,
          validSets: validSet ? [validSet] : [],
          validNames: validSet ? ['validation'] : [],
          earlyStoppingRounds: earlyStoppingRounds ?? undefined,
          keepBestPredictions: returnModel,
          signal: context.signal,
          onIteration: returnModel
            ? (info) => context.reportIteration(info.iteration, Object.fromEntries(info.evals.map((e) => [`${e.dataName}_${e.metric}`, e.value])))
            : undefined,
        });
      } catch (e) {
        // The base class words the abort with the iteration it stopped after.
        if (e instanceof AbortError) context.throwIfAborted();
        throw e;
      }
    };

    let main: Booster | undefined;
    let lower: Booster | undefined;
    try {
      const mainTraining = trainOne(params.main, true);
      // Computed on the JS thread while LightGBM bins the data and trains off it.
      let spendRange: ResponseState['spendRange'];
      let support: ResponseState['supportQuantiles'];
      try {
        spendRange = spendRanges(data, this.spendFeature);
        support = supportQuantiles(data, this.spendFeature, this.#decays);
      } catch (e) {
        void mainTraining.then((booster) => booster.dispose(), () => undefined);
        throw e;
      }
      main = await mainTraining;
      lower = await trainOne(params.lower, false);
      const upper = await trainOne(params.upper, false);
      const state: ResponseState = {
        spendFeature: this.spendFeature,
        channelFeature: CHANNEL_FEATURE,
        decays: { ...this.#decays },
        spendRange,
        supportQuantiles: support,
        quantiles: [qLow, qHigh],
        grid: {
          minMultiplier: this.config.optimization.spend_grid.min_multiplier,
          maxMultiplier: this.config.optimization.spend_grid.max_multiplier,
          points: this.config.optimization.spend_grid.points,
        },
        hurdle: this.config.optimization.marginal_return_hurdle,
        training: { ...params, numBoostRound, earlyStoppingRounds },
      };
      // Undefined when LightGBM's copy could not be kept (the base class then predicts the rows).
      const kept = main.bestPredictions;
      const predictions = kept === undefined ? undefined : { train: kept.training, validation: kept.valid[0] };
      return { model: new BudgetResponseModel(main, lower, upper, state), bestIteration: main.bestIteration > 0 ? main.bestIteration : undefined, predictions };
    } catch (e) {
      main?.dispose();
      lower?.dispose();
      throw e;
    } finally {
      // The boosters were reloaded from their model text: none holds the datasets any more.
      trainSet.dispose();
      validSet?.dispose();
    }
  }

  protected override modelArtifacts(model: BudgetResponseModel): ModelArtifacts {
    const version = lightgbmVersion();
    return {
      modelFiles: { 'model.txt': model.modelString('main'), 'model_lower.txt': model.modelString('lower'), 'model_upper.txt': model.modelString('upper') },
      state: { 'response.json': model.state, ...(this.#tuning ? { 'tuning.json': this.#tuning } : {}) },
      versions: { lightgbm: version },
      mlflow: { name: 'lightgbm', data: 'model.txt', loaderModule: 'mlflow.lightgbm', options: { lgb_version: version, model_class: 'lightgbm.basic.Booster' } },
    };
  }
}

/**
 * Per channel, at every 5th percentile of its training rows, the steady spend per period that
 * matches the row's carried-over spend: effective spend x (1 - decay), or the spend itself
 * without carry-over. Effective spend averages several periods, so it varies less than daily
 * spend, and a traced curve is flat (trees extrapolate flat) where no training row had that level.
 */
function supportQuantiles(data: TrainingData, spendFeature: string, decays: Readonly<Record<string, number>>): Record<string, number[]> {
  const { X } = data.train;
  const e = data.schema.featureNames.indexOf(EFFECTIVE_SPEND);
  const s = e >= 0 ? e : data.schema.featureNames.indexOf(spendFeature);
  const c = data.schema.featureNames.indexOf(CHANNEL_FEATURE);
  const categories = data.schema.features[c]?.categories ?? [];
  // Levels gathered per channel code into typed arrays (no boxed numbers), channels in order of
  // first appearance (the order of the saved state's keys).
  const scale = categories.map((channel) => (e >= 0 ? 1 - (decays[channel] ?? 0) : 1));
  const counts = new Int32Array(categories.length);
  const order: number[] = [];
  const levelOf = (i: number): number => {
    const code = X.values[i * X.cols + c]!;
    if (!(code >= 0 && code < categories.length)) return Number.NaN;
    return X.values[i * X.cols + s]! * scale[code]!;
  };
  for (let i = 0; i < X.rows; i++) {
    if (!Number.isFinite(levelOf(i))) continue;
    const code = X.values[i * X.cols + c]!;
    if (counts[code] === 0) order.push(code);
    counts[code] = counts[code]! + 1;
  }
  const levels = Array.from(counts, (n) => new Float64Array(n));
  counts.fill(0);
  for (let i = 0; i < X.rows; i++) {
    const level = levelOf(i);
    if (!Number.isFinite(level)) continue;
    const code = X.values[i * X.cols + c]!;
    const at = counts[code]!;
    levels[code]![at] = level;
    counts[code] = at + 1;
  }
  const out: Record<string, number[]> = {};
  for (const code of order) {
    const channel = categories[code]!;
    const sorted = levels[code]!.sort();
    out[channel] = Array.from({ length: 21 }, (_, k) => {
      const position = (k / 20) * (sorted.length - 1);
      const below = Math.floor(position);
      const above = Math.min(below + 1, sorted.length - 1);
      return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
    });
  }
  return out;
}

/** Spend seen in training, overall and per channel (currency per period). */
function spendRanges(data: TrainingData, spendFeature: string): ResponseState['spendRange'] {
  const { X } = data.train;
  const s = data.schema.featureNames.indexOf(spendFeature);
  const c = data.schema.featureNames.indexOf(CHANNEL_FEATURE);
  const categories = data.schema.features[c]?.categories ?? [];
  let low = Infinity;
  let high = -Infinity;
  const byChannel: Record<string, [number, number]> = {};
  for (let i = 0; i < X.rows; i++) {
    const spend = X.values[i * X.cols + s]!;
    if (!Number.isFinite(spend)) continue;
    low = Math.min(low, spend);
    high = Math.max(high, spend);
    const code = X.values[i * X.cols + c]!;
    const channel = Number.isNaN(code) ? undefined : categories[code];
    if (channel === undefined) continue;
    const range = (byChannel[channel] ??= [spend, spend]);
    range[0] = Math.min(range[0], spend);
    range[1] = Math.max(range[1], spend);
  }
  return { all: [low, high], byChannel };
}
