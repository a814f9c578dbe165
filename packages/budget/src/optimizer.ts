import { columnRenames, FeatureSchema, loadBundle, renameColumns, renameRecord, type BundleKey, type ColumnMapping, type ColumnRename, type FeatureMatrix, type FeatureTable } from '@kdap/core';
import { Booster } from '@kdap/lightgbm-node';
import { BundleError, checkKnownOptions, describe, DisposedError, ParameterError } from '@kdap/errors';
import { allocateBudget } from './allocation';
import { EFFECTIVE_SPEND, effectiveSpend, steadyEffectiveSpend } from './carryover';
import { fitHillCurve, hillSlope, hillValue, largestSpendWithSlope, type HillCurve } from './hill-curve';
import { GridTracer } from './grid-trace';
import { encodeRecord, type EncodedRecord } from './records';
import { DATE_COLUMN, withParsedDates } from './training-data';
import { BudgetResponseModel, type ResponseState, type SpendRange } from './response-model';

/** Below this R² of the smooth curve against the traced one, a recommendation reports no reliable optimum. */
const MIN_R2 = 0.5;
/** Below this average return per extra unit of spend across a channel's supported range, its traced curve counts as flat. */
const MIN_AVERAGE_RETURN = 0.05;

const NAME = 'BudgetOptimizer';

/**
 * A recommendation, in the Python module's shape (snake_case keys). Money is in currency per
 * period (the period of the training rows, e.g. per day).
 */
export interface Recommendation {
  /**
   * 'ok': the optimum was located on the channel's response curve. 'no_reliable_optimum': the
   * curve carries no information on the response to spend (see `reason`); `optimal_spend` is then
   * the current spend, i.e. "no change recommended".
   */
  status: RecommendationStatus;
  /** Why there is no reliable optimum (null when status is 'ok'). */
  reason: string | null;
  /**
   * Spend per period to keep spending: the largest spend in the channel's supported range whose
   * net marginal return is still >= the hurdle; the current spend when status is 'no_reliable_optimum'.
   */
  optimal_spend: number;
  /** Expected return per period at the optimal spend (smoothed response curve). */
  expected_return: number;
  /**
   * The smallest of the optimal spend and the optima under the lower and upper quantile models'
   * curves; the interval is at least one grid step wide and always contains `optimal_spend`.
   */
  confidence_interval_lower: number;
  /** The largest of the optimal spend and the two quantile optima (see confidence_interval_lower). */
  confidence_interval_upper: number;
  /** Net marginal return at the optimal spend: d(return)/d(spend) - 1 (0.15 = each extra unit brings back 1.15). */
  marginal_return: number;
  channel_id: string;
  /** True when the optimal spend lies outside the spend range seen in training for this channel. */
  extrapolated: boolean;
  /**
   * 'lower' or 'upper' when the optimum sits at that end of the channel's supported spend range:
   * the data say "spend less" (or "more") than the range, but not how much; null inside the range.
   */
  at_boundary: 'lower' | 'upper' | null;
  /** True when the record's current spend lies outside the spend range seen in training for this channel. */
  current_spend_outside_training: boolean;
  /**
   * R² of the smooth (Hill) curve against the model's traced curve, and the grid it was traced
   * over: the channel's supported spend range (5th-95th percentile of its training spend at steady state).
   */
  fit_quality: { r2: number; grid_min_spend: number; grid_max_spend: number };
  /** The features that move the predicted return most at the optimal spend (SHAP, currency per period). */
  top_drivers: { feature: string; contribution: number }[];
}

/** See `Recommendation.status`. */
export type RecommendationStatus = 'ok' | 'no_reliable_optimum';

/** One point of a traced response curve (currency per period). */
export interface ResponsePoint {
  spend: number;
  /** The model's prediction (step-shaped: trees). */
  predicted_return: number;
  /** The smooth Hill curve fitted to the predictions. */
  smoothed_return: number;
  /** Net marginal return of the smooth curve: d(return)/d(spend) - 1. */
  marginal_return: number;
  lower_return: number;
  upper_return: number;
}

export interface ResponseCurve {
  channel_id: string;
  points: ResponsePoint[];
  /** The fitted Hill curve: return = base + maxReturn * s^shape / (halfSaturation^shape + s^shape). */
  curve: HillCurve;
}

export interface AllocateOptions {
  /** Total spend to split, currency per period (locked channels' spend included). */
  totalBudget: number;
  /** One context record per channel (channel_id, current_spend, ...); current_spend is the current split. */
  channels: readonly Record<string, unknown>[];
  /** Minimum spend per channel id (currency per period); default 0. */
  minSpend?: Readonly<Record<string, number>>;
  /** Maximum spend per channel id (currency per period); default unbounded. */
  maxSpend?: Readonly<Record<string, number>>;
  /** Channel ids whose spend stays at current_spend. */
  locked?: readonly string[];
}

export interface ChannelAllocation {
  channel_id: string;
  /** Allocated spend, currency per period. */
  optimal_spend: number;
  expected_return: number;
  /** Net marginal return at the allocated spend: d(return)/d(spend) - 1. */
  marginal_return: number;
  current_spend: number;
  current_expected_return: number;
  current_marginal_return: number;
  /** Locked by the caller, or held at current spend because its curve carries no information (see status). */
  locked: boolean;
  /** 'no_reliable_optimum' (with reason) when the channel's curve carries no information: its spend is not moved. */
  status: RecommendationStatus;
  reason: string | null;
  /** The allocated spend lies outside the spend range seen in training for this channel. */
  extrapolated: boolean;
}

export interface Allocation {
  total_budget: number;
  expected_total_return: number;
  current_total_spend: number;
  current_expected_total_return: number;
  /** expected_total_return - current_expected_total_return (currency per period). */
  expected_gain: number;
  /**
   * The gain of the same split on the lower and upper quantile models' curves (the smaller and the
   * larger, widened to contain expected_gain): how sure the gain is. A lower bound below 0 means
   * the move may lose money.
   */
  expected_gain_lower: number;
  expected_gain_upper: number;
  channels: ChannelAllocation[];
}

interface Traced {
  encoded: EncodedRecord;
  /** Null when the curve can be used; otherwise why it carries no information. */
  unreliable: string | null;
  spend: Float64Array;
  predicted: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  main: HillCurve;
  low: HillCurve;
  high: HillCurve;
}

/**
 * The fitted Budget Optimizer: traces a channel's response curve over a spend grid, smooths it,
 * and answers "how much should we spend on this channel" (`recommend`) and "how should a total
 * budget be split" (`allocate`). Get one from `trainer.optimizer()` or `BudgetOptimizer.load(dir)`.
 */
export class BudgetOptimizer implements Disposable {
  readonly #model: BudgetResponseModel;
  readonly #ownsModel: boolean;
  #disposed = false;
  readonly featureSchema: FeatureSchema;
  readonly #spendIndex: number;
  readonly #effectiveIndex: number;
  readonly #grids = new Map<string, Float64Array>();
  readonly #weights = new Map<string, Float64Array>();
  readonly #steadyGrids = new Map<string, Float64Array>();
  /** The trainer's `columns` option: records and tables may use these names (or the model's). */
  readonly columns: ColumnMapping<'budget'>;
  readonly #renames: ColumnRename[];

  /**
   * @param options.ownsModel whether `dispose()` frees `model` too (true for `load`); an optimizer
   *   from `trainer.optimizer()` borrows the trainer's model, which the trainer frees.
   * @param options.columns the trainer's `columns` option (saved in the bundle): records and tables
   *   may name the channel, spend and date columns so, or use the model's names.
   */
  constructor(model: BudgetResponseModel, featureSchema: FeatureSchema, options: { ownsModel?: boolean; columns?: ColumnMapping<'budget'> } = {}) {
    this.#model = model;
    this.#ownsModel = options.ownsModel ?? false;
    this.featureSchema = featureSchema;
    this.columns = Object.freeze({ ...(options.columns ?? {}) });
    this.#renames = columnRenames(this.columns, { channel: model.state.channelFeature, spend: model.state.spendFeature, date: DATE_COLUMN }).filter((r) => r.column !== r.model);
    this.#spendIndex = featureSchema.featureNames.indexOf(model.state.spendFeature);
    this.#effectiveIndex = featureSchema.featureNames.indexOf(EFFECTIVE_SPEND);
  }

  /**
   * Loads a bundle saved by `BudgetOptimizerTrainer.save(dir)`; BundleError says why a bundle is
   * refused. With `signingKey` (default: `KDAP_BUNDLE_KEY`), only a bundle signed with it loads.
   */
  static async load(dir: string, options: { signingKey?: BundleKey } = {}): Promise<BudgetOptimizer> {
    const bundle = await loadBundle(dir, { kind: 'budget', signingKey: options.signingKey });
    const state = checkState(dir, bundle.state['response.json']);
    const booster = (file: string) => {
      const text = bundle.modelFiles[file];
      if (text === undefined) throw new BundleError(file, `Model bundle '${dir}': ${file} is missing; it is not a Budget Optimizer bundle. Save it again with BudgetOptimizerTrainer.save().`);
      try {
        return Booster.fromModelString(text.toString('utf8'));
      } catch (e) {
        throw new BundleError(file, `Model bundle '${dir}': ${file} is not a readable LightGBM model (${(e as Error).message}). Save it again with BudgetOptimizerTrainer.save().`, { cause: e });
      }
    };
    const boosters: Booster[] = [];
    try {
      for (const file of ['model.txt', 'model_lower.txt', 'model_upper.txt']) boosters.push(booster(file));
    } catch (e) {
      for (const loaded of boosters) loaded.dispose(); // a refused bundle keeps no native memory
      throw e;
    }
    const [main, lower, upper] = boosters as [Booster, Booster, Booster];
    return new BudgetOptimizer(new BudgetResponseModel(main, lower, upper, state), bundle.featureSchema, { ownsModel: true, columns: bundle.columns as ColumnMapping<'budget'> });
  }

  /** The response model; every method goes through it, so a disposed optimizer (or model) stops here. */
  get model(): BudgetResponseModel {
    if (this.#disposed) throw new DisposedError(NAME);
    if (this.#model.disposed) throw new DisposedError('BudgetResponseModel');
    return this.#model;
  }

  /** Whether `dispose()` was called. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Frees the boosters of a loaded optimizer (a borrowed model stays the trainer's). Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#ownsModel) this.#model.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Expected return (currency per period) per row of a table; effective spend derived as in training. */
  predict(table: FeatureTable): Float64Array {
    return this.model.predict(this.featureMatrix(table));
  }

  /** The feature matrix the boosters see (schema order, effective spend derived from dates). */
  featureMatrix(table: FeatureTable): FeatureMatrix {
    const s = this.model.state;
    table = withParsedDates(renameColumns(table, this.#renames, { owner: NAME, where: 'the table', scoring: true }), DATE_COLUMN, () => undefined);
    const derived: FeatureTable = table.columnNames.includes(EFFECTIVE_SPEND)
      ? table
      : {
          rowCount: table.rowCount,
          columnNames: [...table.columnNames, EFFECTIVE_SPEND],
          column: (name) => (name === EFFECTIVE_SPEND ? { kind: 'numeric', values: effectiveSpend(table, s.spendFeature, s.channelFeature, s.decays) } : table.column(name)),
        };
    return this.featureSchema.encode(derived);
  }

  /** Feature importance of the return model: total gain or number of splits per feature. */
  featureImportance(type: 'gain' | 'split' = 'gain'): Record<string, number> {
    const values = this.model.main.featureImportance(type);
    return Object.fromEntries(this.featureSchema.featureNames.map((name, j) => [name, values[j]!]));
  }

  /** SHAP contributions (currency per period) per row and feature, plus the base value in `bias`. */
  contributions(table: FeatureTable): { featureNames: string[]; values: Float64Array[]; bias: Float64Array } {
    const X = this.featureMatrix(table);
    const raw = this.model.main.predictSync(X.values, { rows: X.rows, cols: X.cols, type: 'contrib' });
    const width = X.cols + 1;
    const values = Array.from({ length: X.rows }, (_, i) => raw.slice(i * width, i * width + X.cols));
    return { featureNames: this.featureSchema.featureNames, values, bias: Float64Array.from({ length: X.rows }, (_, i) => raw[i * width + X.cols]!) };
  }

  /**
   * The recommendation for one channel context (currency per period): the response curve is traced
   * over the spend grid (config: 0.25x-3x current spend, clipped to the training spend range),
   * smoothed with a Hill curve; `optimal_spend` is the largest spend whose net marginal return
   * d(return)/d(spend) - 1 is still >= the hurdle (default 0: profit maximizing), reported there.
   *
   * @throws SchemaError naming the field (`column`) for a missing or mistyped channel_id / current_spend, a NaN, or an unknown channel.
   */
  recommend(record: Readonly<Record<string, unknown>>): Recommendation {
    return this.recommendAll([this.encode(`${NAME}.recommend`, record)])[0]!;
  }

  /**
   * A record with the user's column names (the `columns` mapping the model was trained with) under
   * the model's own names, for checks against `featureSchema` (e.g. a scoring server's); a record
   * already in the model's names comes back as it is. `recommend` does this itself.
   */
  toModelNames(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return (this.#renames.length === 0 ? record : renameRecord(record, this.#renames, { owner: NAME, where: 'the record' })) as Record<string, unknown>;
  }

  /** `recommend` for many records; an error names the record index. */
  recommendMany(records: readonly Readonly<Record<string, unknown>>[]): Recommendation[] {
    if (!Array.isArray(records)) throw new ParameterError('records', `${NAME}.recommendMany needs an array of records. Got ${describe(records)}.`);
    if (records.length === 0) return [];
    return this.recommendAll(records.map((r, i) => this.encode(`${NAME}.recommendMany`, r, i)));
  }

  private recommendAll(encoded: readonly EncodedRecord[]): Recommendation[] {
    const traced = this.traceMany(encoded, this.model.state.grid.points);
    const contribution = this.contributionsAt(traced);
    return traced.map((t, r) => this.recommendTraced(t, contribution, r));
  }

  /** The traced and smoothed response curve of a channel context, for plots (currency per period). */
  responseCurve(record: Readonly<Record<string, unknown>>, options: { points?: number } = {}): ResponseCurve {
    checkKnownOptions(`${NAME}.responseCurve`, options, ['points']);
    const points = options.points ?? this.model.state.grid.points;
    if (!Number.isInteger(points) || points < 2) throw new ParameterError('points', `The 'points' option of ${NAME}.responseCurve must be an integer >= 2. Got ${describe(points)}.`);
    const t = this.trace(this.encode(`${NAME}.responseCurve`, record), points);
    return {
      channel_id: t.encoded.channel,
      curve: t.main,
      points: Array.from(t.spend, (spend, i) => ({
        spend,
        predicted_return: t.predicted[i]!,
        smoothed_return: hillValue(t.main, spend),
        marginal_return: hillSlope(t.main, spend) - 1,
        lower_return: t.lower[i]!,
        upper_return: t.upper[i]!,
      })),
    };
  }

  /**
   * Splits a total budget (currency per period) across channels to maximize expected total
   * return on the smoothed response curves (below the traced grid: a straight line to zero
   * return at zero spend), within per-channel bounds, with locked channels kept
   * at their current spend. Starts from the current split, so it is never worse than it.
   *
   * @throws ParameterError naming the option (`parameter`) when the bounds cannot be met.
   */
  allocate(options: AllocateOptions): Allocation {
    const owner = `${NAME}.allocate`;
    if (options === null || typeof options !== 'object') throw new ParameterError('options', `${owner} needs { totalBudget, channels }. Got ${describe(options)}.`);
    checkKnownOptions(owner, options, ['totalBudget', 'channels', 'minSpend', 'maxSpend', 'locked']);
    const { totalBudget } = options;
    if (typeof totalBudget !== 'number' || !Number.isFinite(totalBudget) || totalBudget < 0) {
      throw new ParameterError('totalBudget', `The 'totalBudget' option of ${owner} must be a finite number >= 0 (currency per period). Got ${describe(totalBudget)}.`);
    }
    if (!Array.isArray(options.channels) || options.channels.length === 0) {
      throw new ParameterError('channels', `The 'channels' option of ${owner} must be a non-empty array of channel records. Got ${describe(options.channels)}.`);
    }
    const encoded = options.channels.map((r, i) => this.encode(owner, r, i));
    const ids = encoded.map((e) => e.channel);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate !== undefined) throw new ParameterError('channels', `The 'channels' option of ${owner} lists '${duplicate}' twice. Give one record per channel.`);
    const bound = (name: 'minSpend' | 'maxSpend') => {
      const given = options[name] ?? {};
      if (given === null || typeof given !== 'object') throw new ParameterError(name, `The '${name}' option of ${owner} must map channel ids to spend. Got ${describe(given)}.`);
      for (const [id, v] of Object.entries(given)) {
        if (!ids.includes(id)) throw new ParameterError(name, `The '${name}' option of ${owner} names '${id}', which is not among the channels (${ids.join(', ')}).`);
        if (typeof v !== 'number' || Number.isNaN(v) || v < 0) throw new ParameterError(name, `The '${name}' option of ${owner} must give '${id}' a number >= 0 (currency per period). Got ${describe(v)}.`);
      }
      return given;
    };
    const minSpend = bound('minSpend');
    const maxSpend = bound('maxSpend');
    const locked = options.locked ?? [];
    if (!Array.isArray(locked)) throw new ParameterError('locked', `The 'locked' option of ${owner} must be an array of channel ids. Got ${describe(locked)}.`);
    for (const id of locked) {
      if (!ids.includes(id)) throw new ParameterError('locked', `The 'locked' option of ${owner} names '${String(id)}', which is not among the channels (${ids.join(', ')}).`);
    }
    for (const id of ids) {
      if ((minSpend[id] ?? 0) > (maxSpend[id] ?? Infinity)) {
        throw new ParameterError('minSpend', `The minSpend of '${id}' (${minSpend[id]}) is above its maxSpend (${maxSpend[id]}). Make minSpend <= maxSpend.`);
      }
    }

    const traced = this.traceMany(encoded, this.model.state.grid.points);
    // A channel whose curve carries no information keeps its current spend: moving budget on it
    // would be a guess presented as an optimum.
    const held = (i: number) => locked.includes(encoded[i]!.channel) || traced[i]!.unreliable !== null;
    const free = encoded.flatMap((_, i) => (held(i) ? [] : [i]));
    const lockedSpend = encoded.reduce((sum, e, i) => sum + (held(i) ? e.currentSpend : 0), 0);
    const rest = totalBudget - lockedSpend;
    if (rest < 0) {
      const unreliable = encoded.filter((e, i) => traced[i]!.unreliable !== null && !locked.includes(e.channel)).map((e) => e.channel);
      throw new ParameterError(
        'locked',
        `The locked channels spend ${lockedSpend}, more than the total budget (${totalBudget})${unreliable.length > 0 ? ` (held at current spend for lack of a reliable response curve: ${unreliable.join(', ')})` : ''}. Unlock a channel or raise totalBudget.`,
      );
    }
    const low = free.map((i) => minSpend[ids[i]!] ?? 0);
    const high = free.map((i) => maxSpend[ids[i]!] ?? Infinity);
    const minTotal = low.reduce((a, b) => a + b, 0);
    if (minTotal > rest + 1e-9 * Math.max(1, totalBudget)) {
      throw new ParameterError(
        'minSpend',
        `The minimum spends add up to ${minTotal}${lockedSpend > 0 ? ` (plus ${lockedSpend} locked)` : ''}, above the total budget (${totalBudget}). Lower minSpend${lockedSpend > 0 ? ', unlock channels' : ''} or raise totalBudget.`,
      );
    }
    const maxTotal = high.reduce((a, b) => a + b, 0);
    if (maxTotal < rest - 1e-9 * Math.max(1, totalBudget)) {
      throw new ParameterError(
        'maxSpend',
        `The maximum spends add up to ${maxTotal}${lockedSpend > 0 ? ` (plus ${lockedSpend} locked)` : ''}, below the total budget (${totalBudget}), so the budget cannot be spent. Raise maxSpend or lower totalBudget.`,
      );
    }
    const value = free.map((i) => (s: number) => allocationValue(traced[i]!, traced[i]!.main, s));
    const split = free.length === 0 ? [] : allocateBudget(value, low, high, free.map((i) => encoded[i]!.currentSpend), rest);

    const channels = encoded.map((e, i): ChannelAllocation => {
      const t = traced[i]!;
      const k = free.indexOf(i);
      const spend = k < 0 ? e.currentSpend : split[k]!;
      return {
        channel_id: e.channel,
        optimal_spend: spend,
        expected_return: allocationValue(t, t.main, spend),
        marginal_return: allocationSlope(t, spend) - 1,
        current_spend: e.currentSpend,
        current_expected_return: allocationValue(t, t.main, e.currentSpend),
        current_marginal_return: allocationSlope(t, e.currentSpend) - 1,
        locked: k < 0,
        status: t.unreliable === null ? 'ok' : 'no_reliable_optimum',
        reason: t.unreliable,
        extrapolated: this.outsideTraining(e.channel, spend),
      };
    });
    const expected = channels.reduce((sum, c) => sum + c.expected_return, 0);
    const current = channels.reduce((sum, c) => sum + c.current_expected_return, 0);
    // The same move valued on the quantile curves: how much of the gain the interval models agree with.
    const gainOn = (curve: (t: Traced) => HillCurve) =>
      channels.reduce((sum, c, i) => sum + allocationValue(traced[i]!, curve(traced[i]!), c.optimal_spend) - allocationValue(traced[i]!, curve(traced[i]!), c.current_spend), 0);
    const gain = expected - current;
    const gainLow = gainOn((t) => t.low);
    const gainHigh = gainOn((t) => t.high);
    return {
      total_budget: totalBudget,
      expected_total_return: expected,
      current_total_spend: channels.reduce((sum, c) => sum + c.current_spend, 0),
      current_expected_total_return: current,
      expected_gain: gain,
      expected_gain_lower: Math.min(gain, gainLow, gainHigh),
      expected_gain_upper: Math.max(gain, gainLow, gainHigh),
      channels,
    };
  }

  private encode(owner: string, record: unknown, index?: number): EncodedRecord {
    const where = index === undefined ? 'the record' : `record ${index}`;
    const renamed = this.#renames.length === 0 ? record : renameRecord(record, this.#renames, { owner, where });
    const label = (model: string) => {
      const mapped = this.#renames.find((r) => r.model === model);
      return mapped === undefined ? undefined : `'${mapped.column}' (or '${model}')`;
    };
    const { spendFeature, channelFeature } = this.model.state;
    return encodeRecord(owner, this.featureSchema, renamed, spendFeature, channelFeature, index, { spend: label(spendFeature), channel: label(channelFeature) });
  }

  private outsideTraining(channel: string, spend: number): boolean {
    const range = this.model.state.spendRange.byChannel[channel];
    return range === undefined || spend < range[0] * (1 - 1e-9) || spend > range[1] * (1 + 1e-9);
  }

  /**
   * The channel's supported spend range (currency per period, steady state): the 5th to 95th
   * percentile of the spend levels its training rows carried. Trees are flat below the data and
   * climb on a few noisy rows above it, so a curve traced beyond this range looks like
   * information but is not. Undefined when the channel has no training spend.
   */
  supportedRange(channel: string): SpendRange | undefined {
    const q = this.model.state.supportQuantiles[channel];
    if (q === undefined || q.length < 3) return undefined;
    return [q[1]!, q[q.length - 2]!];
  }

  /** Evenly spaced spends over the channel's supported range (see supportedRange); cached per channel and point count. */
  private grid(channel: string, points: number): Float64Array {
    const key = `${points}\u0000${channel}`;
    let grid = this.#grids.get(key);
    if (grid === undefined) {
      const [low, high] = this.supportedRange(channel) ?? this.model.state.spendRange.byChannel[channel] ?? this.model.state.spendRange.all;
      grid = Float64Array.from({ length: points }, (_, i) => low + ((high - low) * i) / (points - 1));
      this.#grids.set(key, grid);
    }
    return grid;
  }

  /** The steady effective spend at each grid spend (see steadyEffectiveSpend), cached like the grid. */
  private steadyGrid(channel: string, points: number): Float64Array {
    const key = `${points}\u0000${channel}`;
    let steady = this.#steadyGrids.get(key);
    if (steady === undefined) {
      const decay = this.model.state.decays[channel] ?? 0;
      steady = Float64Array.from(this.grid(channel, points), (s) => steadyEffectiveSpend(s, decay));
      this.#steadyGrids.set(key, steady);
    }
    return steady;
  }

  /** Support weights of a channel's grid (see support), cached like the grid. */
  private gridWeights(channel: string, points: number): Float64Array {
    const key = `${points}\u0000${channel}`;
    let weights = this.#weights.get(key);
    if (weights === undefined) {
      weights = this.support(channel, this.grid(channel, points));
      this.#weights.set(key, weights);
    }
    return weights;
  }

  /**
   * Traces the response curves of many records in one native prediction call per model: each
   * record's context over its channel's grid (steady state: spending s every period settles the
   * carried-over spend at s / (1 - decay)), then fits the three smooth curves.
   */
  private traceMany(records: readonly EncodedRecord[], points: number): Traced[] {
    const tracers = this.gridTracers(records[0]!, points);
    const [predicted, lower, upper] = tracers === null ? this.predictGrids(records, points) : this.traceGrids(tracers, records, points);
    return records.map((encoded, r) => {
      const spend = this.grid(encoded.channel, points);
      const weights = this.gridWeights(encoded.channel, points);
      const slice = (values: Float64Array) => values.subarray(r * points, (r + 1) * points);
      const t = { encoded, spend, predicted: slice(predicted), lower: slice(lower), upper: slice(upper) };
      const main = fitHillCurve(spend, t.predicted, weights);
      return { ...t, main, low: fitHillCurve(spend, t.lower, weights), high: fitHillCurve(spend, t.upper, weights), unreliable: this.unreliable(encoded.channel, t.predicted, main) };
    });
  }

  /** The three models' predictions over each record's grid, one native call per model. */
  private predictGrids(records: readonly EncodedRecord[], points: number): [Float64Array, Float64Array, Float64Array] {
    const cols = this.featureSchema.features.length;
    const X = new Float64Array(records.length * points * cols);
    records.forEach((encoded, r) => {
      const spend = this.grid(encoded.channel, points);
      const decay = this.model.state.decays[encoded.channel] ?? 0;
      for (let i = 0; i < points; i++) {
        const at = (r * points + i) * cols;
        X.set(encoded.row, at);
        X[at + this.#spendIndex] = spend[i]!;
        if (this.#effectiveIndex >= 0) X[at + this.#effectiveIndex] = steadyEffectiveSpend(spend[i]!, decay);
      }
    });
    const options = { rows: records.length * points, cols, params: predictParams(records.length * points) };
    return [this.model.main.predictSync(X, options), this.model.lower.predictSync(X, options), this.model.upper.predictSync(X, options)];
  }

  /** The same predictions, each record's grid walked through every tree once (see GridTracer). */
  private traceGrids(tracers: Tracers, records: readonly EncodedRecord[], points: number): [Float64Array, Float64Array, Float64Array] {
    const out: [Float64Array, Float64Array, Float64Array] = [new Float64Array(records.length * points), new Float64Array(records.length * points), new Float64Array(records.length * points)];
    records.forEach((encoded, r) => {
      const spend = this.grid(encoded.channel, points);
      const varying = this.#effectiveIndex >= 0 ? [this.#spendIndex, this.#effectiveIndex] : [this.#spendIndex];
      const values = this.#effectiveIndex >= 0 ? [spend, this.steadyGrid(encoded.channel, points)] : [spend];
      tracers.forEach((tracer, m) => tracer.trace(encoded.row, varying, values, out[m]!.subarray(r * points, (r + 1) * points)));
    });
    return out;
  }

  /**
   * The grid tracers of the three models, checked once per model against the boosters on one
   * record's grid (every value identical, or the boosters trace from then on); null when a model
   * is not one the walk reproduces.
   */
  private gridTracers(sample: EncodedRecord, points: number): Tracers | null {
    const model = this.model;
    let tracers = TRACERS.get(model);
    if (tracers === undefined) {
      const built = (['main', 'lower', 'upper'] as const).map((which) => GridTracer.fromModelString(model.modelString(which)));
      tracers = built.every((t) => t !== undefined) ? (built as unknown as Tracers) : null;
      if (tracers !== null) {
        const expected = this.predictGrids([sample], points);
        const traced = this.traceGrids(tracers, [sample], points);
        if (!expected.every((values, m) => values.every((v, i) => Object.is(v, traced[m]![i]!)))) tracers = null;
      }
      TRACERS.set(model, tracers);
    }
    return tracers;
  }

  private trace(encoded: EncodedRecord, points: number): Traced {
    return this.traceMany([encoded], points)[0]!;
  }

  /**
   * Why a traced curve carries no information on the response to spend, or null when it does:
   * no training spend for the channel, spend that barely varied in training, a model prediction
   * that does not move with spend over the supported range, or a smooth curve that explains too
   * little of the trace (R² below MIN_R2) to place an optimum on.
   */
  private unreliable(channel: string, predicted: Float64Array, curve: HillCurve): string | null {
    const range = this.supportedRange(channel);
    const money = (v: number) => Math.round(v).toLocaleString('en-US');
    if (range === undefined) return `the model has no training spend for channel '${channel}'`;
    const [low, high] = range;
    if (!(high > low * 1.05)) {
      return `spend on '${channel}' barely varied in training (${money(low)}-${money(high)} per period between its 5th and 95th percentile), so the data cannot show how return responds to spend`;
    }
    let min = Infinity;
    let max = -Infinity;
    for (const v of predicted) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    // The trace is monotone: its rise over the range is what the model learned about spend. Less
    // than MIN_AVERAGE_RETURN per unit across the whole range is noise-level, not a response.
    if (!(max - min > MIN_AVERAGE_RETURN * (high - low)) || !(curve.maxReturn > 0)) {
      return `the model's predicted return does not change with spend over '${channel}''s supported range (${money(low)}-${money(high)} per period) in this context (it rises by ${money(max - min)} in all), so the training data carry no information on where spending stops paying`;
    }
    if (!(curve.r2 >= MIN_R2)) {
      return `the smooth response curve explains only ${(100 * Math.max(0, curve.r2)).toFixed(0)}% of the model's traced response over '${channel}''s supported range (below ${100 * MIN_R2}%), too little to place an optimum on`;
    }
    return null;
  }

  /**
   * How much training data backs each grid spend for this channel: the share of its training
   * spends within 15% either side, floored at 0.1% of the best-backed point; 0.01% outside the
   * 5th-95th percentile. Trees are flat where they saw no data, so points in the sparse tails
   * count (almost) nothing in the smooth fit.
   */
  private support(channel: string, spend: Float64Array): Float64Array {
    const q = this.model.state.supportQuantiles[channel];
    const weights = new Float64Array(spend.length).fill(1);
    if (q === undefined || q.length < 2) return weights;
    const cdf = (x: number) => {
      if (x <= q[0]!) return 0;
      if (x >= q[q.length - 1]!) return 1;
      let k = 0;
      while (q[k + 1]! < x) k++;
      const width = q[k + 1]! - q[k]!;
      return (k + (width > 0 ? (x - q[k]!) / width : 1)) / (q.length - 1);
    };
    let top = 0;
    for (let i = 0; i < spend.length; i++) {
      weights[i] = cdf(spend[i]! * 1.15) - cdf(spend[i]! / 1.15);
      top = Math.max(top, weights[i]!);
    }
    if (top <= 0) return weights.fill(1);
    // The outer 5% either side is where trees go flat (below) or climb on a few noisy rows under
    // the monotone constraint (above): those points barely count.
    const [inner0, inner1] = [q[1]!, q[q.length - 2]!];
    for (let i = 0; i < spend.length; i++) {
      const inside = spend[i]! >= inner0 && spend[i]! <= inner1;
      weights[i] = inside ? Math.max(weights[i]!, 1e-3 * top) : 1e-4 * top;
    }
    return weights;
  }

  private recommendTraced(t: Traced, contribution: Float64Array, at: number): Recommendation {
    const { encoded } = t;
    const level = 1 + this.model.state.hurdle;
    const first = t.spend[0]!;
    const last = t.spend[t.spend.length - 1]!;
    const current = encoded.currentSpend;
    const outside = this.outsideTraining(encoded.channel, current);
    const base = {
      channel_id: encoded.channel,
      current_spend_outside_training: outside,
      fit_quality: { r2: t.main.r2, grid_min_spend: first, grid_max_spend: last },
      top_drivers: this.topDrivers(contribution, at),
    };
    if (t.unreliable !== null) {
      // "No change recommended": consumers expecting a number get the safe one, and the interval
      // spans all the data saw, since nothing in it is preferred.
      return {
        status: 'no_reliable_optimum',
        reason: t.unreliable,
        optimal_spend: current,
        expected_return: hillValue(t.main, current),
        confidence_interval_lower: Math.min(first, current * 0.95),
        confidence_interval_upper: Math.max(last, current * 1.05),
        marginal_return: hillSlope(t.main, current) - 1,
        extrapolated: outside,
        at_boundary: null,
        ...base,
      };
    }
    const optimal = largestSpendWithSlope(t.main, level, first, last);
    const underLower = largestSpendWithSlope(t.low, level, first, last);
    const underUpper = largestSpendWithSlope(t.high, level, first, last);
    let lower = Math.min(underLower, underUpper, optimal);
    let upper = Math.max(underLower, underUpper, optimal);
    // The optimum is only located to within a grid step: the interval is never narrower.
    const step = (last - first) / (t.spend.length - 1);
    if (upper - lower < step) {
      lower = Math.max(first, Math.min(optimal - step / 2, last - step));
      upper = lower + step;
    }
    const edge = 1e-9 * last;
    return {
      status: 'ok',
      reason: null,
      optimal_spend: optimal,
      expected_return: hillValue(t.main, optimal),
      confidence_interval_lower: lower,
      confidence_interval_upper: upper,
      marginal_return: hillSlope(t.main, optimal) - 1,
      extrapolated: this.outsideTraining(encoded.channel, optimal),
      at_boundary: optimal <= first + edge ? 'lower' : optimal >= last - edge ? 'upper' : null,
      ...base,
    };
  }

  /** SHAP contributions at each record's optimal spend (current spend when there is no reliable optimum), in one native call. */
  private contributionsAt(traced: readonly Traced[]): Float64Array {
    const cols = this.featureSchema.features.length;
    const X = new Float64Array(traced.length * cols);
    const level = 1 + this.model.state.hurdle;
    traced.forEach((t, r) => {
      const spend = t.unreliable !== null ? t.encoded.currentSpend : largestSpendWithSlope(t.main, level, t.spend[0]!, t.spend[t.spend.length - 1]!);
      X.set(t.encoded.row, r * cols);
      X[r * cols + this.#spendIndex] = spend;
      if (this.#effectiveIndex >= 0) X[r * cols + this.#effectiveIndex] = steadyEffectiveSpend(spend, this.model.state.decays[t.encoded.channel] ?? 0);
    });
    return this.model.main.predictSync(X, { rows: traced.length, cols, type: 'contrib', params: predictParams(traced.length * 20) });
  }

  private topDrivers(contribution: Float64Array, record: number): { feature: string; contribution: number }[] {
    const names = this.featureSchema.featureNames;
    const at = record * (names.length + 1);
    // The three largest by magnitude, without sorting the whole row.
    const top: number[] = [];
    for (let j = 0; j < names.length; j++) {
      const v = Math.abs(contribution[at + j]!);
      let k = top.length;
      while (k > 0 && Math.abs(contribution[at + top[k - 1]!]!) < v) k--;
      if (k < 3) {
        top.splice(k, 0, j);
        if (top.length > 3) top.pop();
      }
    }
    return top.map((j) => ({ feature: names[j]!, contribution: contribution[at + j]! }));
  }
}

/**
 * Prediction threads for `rows` grid rows: one below PARALLEL_ROWS, where waking a team costs more
 * than it saves (and on a busy machine a spinning team stalls on a descheduled member); the
 * model's own setting above.
 */
type Tracers = readonly [GridTracer, GridTracer, GridTracer];
/** Per response model: its grid tracers, or null when the boosters trace (see gridTracers). */
const TRACERS = new WeakMap<BudgetResponseModel, Tracers | null>();

function predictParams(rows: number): { num_threads?: number } {
  return rows < PARALLEL_ROWS ? { num_threads: 1 } : {};
}
const PARALLEL_ROWS = 20_000;

/**
 * Return (currency per period) of a channel at any spend, for allocation: the smooth curve over
 * and above the traced grid; below the grid's first spend, a straight line to zero return at zero
 * spend. The Hill curve's shape below the grid is an extrapolation (S-shaped curves are convex
 * there); the straight line keeps the value concave, where greedy allocation is exact, and never
 * promises more per unit than the grid's first point.
 */
function allocationValue(t: Traced, curve: HillCurve, spend: number): number {
  const first = t.spend[0]!;
  return spend >= first * (1 - 1e-9) ? hillValue(curve, spend) : (Math.max(0, hillValue(curve, first)) * spend) / first;
}

/**
 * d allocationValue / d spend (currency returned per extra currency spent); at the grid's first
 * spend (a kink) the slope to the right, i.e. what one more unit of spend would bring.
 */
function allocationSlope(t: Traced, spend: number): number {
  const first = t.spend[0]!;
  return spend >= first * (1 - 1e-9) ? hillSlope(t.main, spend) : Math.max(0, hillValue(t.main, first)) / first;
}

/** Validates `state/response.json` of a bundle: a hand-edited or foreign file is refused with the reason. */
function checkState(dir: string, raw: unknown): ResponseState {
  const fail = (what: string) => new BundleError('state/response.json', `Model bundle '${dir}': state/response.json ${what}. Save the model again with BudgetOptimizerTrainer.save().`);
  if (raw === null || typeof raw !== 'object') throw fail('is missing or not an object');
  const s = raw as Partial<ResponseState>;
  if (typeof s.spendFeature !== 'string' || typeof s.channelFeature !== 'string') throw fail('does not name the spend and channel features');
  if (s.decays === null || typeof s.decays !== 'object' || Object.values(s.decays).some((d) => typeof d !== 'number' || !(d >= 0 && d < 1))) throw fail('has invalid carry-over decays');
  const range = s.spendRange;
  if (!range || !Array.isArray(range.all) || range.all.length !== 2 || typeof range.byChannel !== 'object') throw fail('has no training spend range');
  if (!Array.isArray(s.quantiles) || s.quantiles.length !== 2) throw fail('has no interval quantiles');
  const q = s.supportQuantiles;
  if (q === null || typeof q !== 'object' || Object.values(q).some((list) => !Array.isArray(list) || list.some((v) => typeof v !== 'number'))) {
    throw fail('has no per-channel training spend quantiles');
  }
  const g = s.grid;
  if (!g || !(g.minMultiplier > 0) || !(g.maxMultiplier > g.minMultiplier) || !Number.isInteger(g.points) || g.points < 2) throw fail('has an invalid spend grid');
  if (typeof s.hurdle !== 'number' || !Number.isFinite(s.hurdle)) throw fail('has an invalid marginal return hurdle');
  return s as ResponseState;
}
