import { BundleError, FeatureSchema, loadBundle, ParameterError, type FeatureMatrix, type FeatureTable } from '@kdap/core';
import { Booster } from '@kdap/lightgbm-node';
import { checkKnownOptions, describe } from '@kdap/napi-common';
import { allocateBudget } from './allocation';
import { EFFECTIVE_SPEND, effectiveSpend, steadyEffectiveSpend } from './carryover';
import { InfeasibleAllocationError } from './errors';
import { fitHillCurve, hillSlope, hillValue, largestSpendWithSlope, type HillCurve } from './hill-curve';
import { encodeRecord, type EncodedRecord } from './records';
import { BudgetResponseModel, type ResponseState } from './response-model';

const NAME = 'BudgetOptimizer';

/**
 * A recommendation, in the Python module's shape (snake_case keys). Money is in currency per
 * period (the period of the training rows, e.g. per day).
 */
export interface Recommendation {
  /** Spend per period to keep spending: the largest spend whose net marginal return is still >= the hurdle. */
  optimal_spend: number;
  /** Expected return per period at the optimal spend (smoothed response curve). */
  expected_return: number;
  /** Optimal spend under the lower quantile model's curve (the smaller of the two quantile optima). */
  confidence_interval_lower: number;
  /** Optimal spend under the upper quantile model's curve (the larger of the two quantile optima). */
  confidence_interval_upper: number;
  /** Net marginal return at the optimal spend: d(return)/d(spend) - 1 (0.15 = each extra unit brings back 1.15). */
  marginal_return: number;
  channel_id: string;
  /** True when the optimal spend lies outside the spend range seen in training for this channel. */
  extrapolated: boolean;
  /** R² of the smooth (Hill) curve against the model's traced curve, and the grid it was traced over. */
  fit_quality: { r2: number; grid_min_spend: number; grid_max_spend: number };
  /** The features that move the predicted return most at the optimal spend (SHAP, currency per period). */
  top_drivers: { feature: string; contribution: number }[];
}

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
  locked: boolean;
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
  channels: ChannelAllocation[];
}

interface Traced {
  encoded: EncodedRecord;
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
export class BudgetOptimizer {
  readonly model: BudgetResponseModel;
  readonly featureSchema: FeatureSchema;
  readonly #spendIndex: number;
  readonly #effectiveIndex: number;

  constructor(model: BudgetResponseModel, featureSchema: FeatureSchema) {
    this.model = model;
    this.featureSchema = featureSchema;
    this.#spendIndex = featureSchema.featureNames.indexOf(model.state.spendFeature);
    this.#effectiveIndex = featureSchema.featureNames.indexOf(EFFECTIVE_SPEND);
  }

  /** Loads a bundle saved by `BudgetOptimizerTrainer.save(dir)`; BundleError says why a bundle is refused. */
  static async load(dir: string): Promise<BudgetOptimizer> {
    const bundle = await loadBundle(dir, { kind: 'budget' });
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
    return new BudgetOptimizer(new BudgetResponseModel(booster('model.txt'), booster('model_lower.txt'), booster('model_upper.txt'), state), bundle.featureSchema);
  }

  /** Expected return (currency per period) per row of a table; effective spend derived as in training. */
  predict(table: FeatureTable): Float64Array {
    return this.model.predict(this.featureMatrix(table));
  }

  /** The feature matrix the boosters see (schema order, effective spend derived from dates). */
  featureMatrix(table: FeatureTable): FeatureMatrix {
    const s = this.model.state;
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
   * @throws FeatureError naming the field for a missing or mistyped channel_id / current_spend, a NaN, or an unknown channel.
   */
  recommend(record: Readonly<Record<string, unknown>>): Recommendation {
    return this.recommendEncoded(this.encode(`${NAME}.recommend`, record));
  }

  /** `recommend` for many records; an error names the record index. */
  recommendMany(records: readonly Readonly<Record<string, unknown>>[]): Recommendation[] {
    if (!Array.isArray(records)) throw new ParameterError('records', `${NAME}.recommendMany needs an array of records. Got ${describe(records)}.`);
    return records.map((r, i) => this.recommendEncoded(this.encode(`${NAME}.recommendMany`, r, i)));
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
   * @throws InfeasibleAllocationError naming the option when the bounds cannot be met.
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
        throw new InfeasibleAllocationError('minSpend', `The minSpend of '${id}' (${minSpend[id]}) is above its maxSpend (${maxSpend[id]}). Make minSpend <= maxSpend.`);
      }
    }

    const traced = encoded.map((e) => this.trace(e, this.model.state.grid.points));
    const free = encoded.flatMap((e, i) => (locked.includes(e.channel) ? [] : [i]));
    const lockedSpend = encoded.reduce((sum, e) => sum + (locked.includes(e.channel) ? e.currentSpend : 0), 0);
    const rest = totalBudget - lockedSpend;
    if (rest < 0) {
      throw new InfeasibleAllocationError('locked', `The locked channels spend ${lockedSpend}, more than the total budget (${totalBudget}). Unlock a channel or raise totalBudget.`);
    }
    const low = free.map((i) => minSpend[ids[i]!] ?? 0);
    const high = free.map((i) => maxSpend[ids[i]!] ?? Infinity);
    const minTotal = low.reduce((a, b) => a + b, 0);
    if (minTotal > rest + 1e-9 * Math.max(1, totalBudget)) {
      throw new InfeasibleAllocationError(
        'minSpend',
        `The minimum spends add up to ${minTotal}${lockedSpend > 0 ? ` (plus ${lockedSpend} locked)` : ''}, above the total budget (${totalBudget}). Lower minSpend${lockedSpend > 0 ? ', unlock channels' : ''} or raise totalBudget.`,
      );
    }
    const maxTotal = high.reduce((a, b) => a + b, 0);
    if (maxTotal < rest - 1e-9 * Math.max(1, totalBudget)) {
      throw new InfeasibleAllocationError(
        'maxSpend',
        `The maximum spends add up to ${maxTotal}${lockedSpend > 0 ? ` (plus ${lockedSpend} locked)` : ''}, below the total budget (${totalBudget}), so the budget cannot be spent. Raise maxSpend or lower totalBudget.`,
      );
    }
    const value = free.map((i) => (s: number) => allocationValue(traced[i]!, s));
    const split = free.length === 0 ? [] : allocateBudget(value, low, high, free.map((i) => encoded[i]!.currentSpend), rest);

    const channels = encoded.map((e, i): ChannelAllocation => {
      const t = traced[i]!;
      const k = free.indexOf(i);
      const spend = k < 0 ? e.currentSpend : split[k]!;
      return {
        channel_id: e.channel,
        optimal_spend: spend,
        expected_return: allocationValue(t, spend),
        marginal_return: allocationSlope(t, spend) - 1,
        current_spend: e.currentSpend,
        current_expected_return: allocationValue(t, e.currentSpend),
        current_marginal_return: allocationSlope(t, e.currentSpend) - 1,
        locked: k < 0,
        extrapolated: this.outsideTraining(e.channel, spend),
      };
    });
    const expected = channels.reduce((sum, c) => sum + c.expected_return, 0);
    const current = channels.reduce((sum, c) => sum + c.current_expected_return, 0);
    return {
      total_budget: totalBudget,
      expected_total_return: expected,
      current_total_spend: channels.reduce((sum, c) => sum + c.current_spend, 0),
      current_expected_total_return: current,
      expected_gain: expected - current,
      channels,
    };
  }

  private encode(owner: string, record: unknown, index?: number): EncodedRecord {
    return encodeRecord(owner, this.featureSchema, record, this.model.state.spendFeature, this.model.state.channelFeature, index);
  }

  private outsideTraining(channel: string, spend: number): boolean {
    const range = this.model.state.spendRange.byChannel[channel];
    return range === undefined || spend < range[0] * (1 - 1e-9) || spend > range[1] * (1 + 1e-9);
  }

  /** Grid of spends (currency per period): multiples of the current spend, clipped to the training range. */
  private grid(currentSpend: number, points: number): Float64Array {
    const { grid, spendRange } = this.model.state;
    let low = Math.max(grid.minMultiplier * currentSpend, spendRange.all[0]);
    let high = Math.min(grid.maxMultiplier * currentSpend, spendRange.all[1]);
    // A current spend far outside the training range: trace what the model knows instead.
    if (!(high > low)) [low, high] = spendRange.all;
    return Float64Array.from({ length: points }, (_, i) => low + ((high - low) * i) / (points - 1));
  }

  private trace(encoded: EncodedRecord, points: number): Traced {
    const spend = this.grid(encoded.currentSpend, points);
    const cols = encoded.row.length;
    const X = new Float64Array(points * cols);
    // Spending s every period settles the carried-over spend too: the curve is the steady state.
    const decay = this.model.state.decays[encoded.channel] ?? 0;
    for (let i = 0; i < points; i++) {
      X.set(encoded.row, i * cols);
      X[i * cols + this.#spendIndex] = spend[i]!;
      if (this.#effectiveIndex >= 0) X[i * cols + this.#effectiveIndex] = steadyEffectiveSpend(spend[i]!, decay);
    }
    const options = { rows: points, cols };
    const predicted = this.model.main.predictSync(X, options);
    const lower = this.model.lower.predictSync(X, options);
    const upper = this.model.upper.predictSync(X, options);
    const weights = this.support(encoded.channel, spend);
    return {
      encoded,
      spend,
      predicted,
      lower,
      upper,
      main: fitHillCurve(spend, predicted, weights),
      low: fitHillCurve(spend, lower, weights),
      high: fitHillCurve(spend, upper, weights),
    };
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

  private recommendEncoded(encoded: EncodedRecord): Recommendation {
    const t = this.trace(encoded, this.model.state.grid.points);
    const level = 1 + this.model.state.hurdle;
    const first = t.spend[0]!;
    const last = t.spend[t.spend.length - 1]!;
    const optimal = largestSpendWithSlope(t.main, level, first, last);
    const underLower = largestSpendWithSlope(t.low, level, first, last);
    const underUpper = largestSpendWithSlope(t.high, level, first, last);
    return {
      optimal_spend: optimal,
      expected_return: hillValue(t.main, optimal),
      confidence_interval_lower: Math.min(underLower, underUpper),
      confidence_interval_upper: Math.max(underLower, underUpper),
      marginal_return: hillSlope(t.main, optimal) - 1,
      channel_id: encoded.channel,
      extrapolated: this.outsideTraining(encoded.channel, optimal),
      fit_quality: { r2: t.main.r2, grid_min_spend: first, grid_max_spend: last },
      top_drivers: this.topDrivers(encoded, optimal),
    };
  }

  private topDrivers(encoded: EncodedRecord, spend: number): { feature: string; contribution: number }[] {
    const row = Float64Array.from(encoded.row);
    row[this.#spendIndex] = spend;
    if (this.#effectiveIndex >= 0) row[this.#effectiveIndex] = steadyEffectiveSpend(spend, this.model.state.decays[encoded.channel] ?? 0);
    const contrib = this.model.main.predictSync(row, { rows: 1, cols: row.length, type: 'contrib' });
    return this.featureSchema.featureNames
      .map((feature, j) => ({ feature, contribution: contrib[j]! }))
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
      .slice(0, 3);
  }
}

/**
 * Return (currency per period) of a channel at any spend, for allocation: the smooth curve over
 * and above the traced grid; below the grid's first spend, a straight line to zero return at zero
 * spend. The Hill curve's shape below the grid is an extrapolation (S-shaped curves are convex
 * there); the straight line keeps the value concave, where greedy allocation is exact, and never
 * promises more per unit than the grid's first point.
 */
function allocationValue(t: Traced, spend: number): number {
  const first = t.spend[0]!;
  return spend >= first * (1 - 1e-9) ? hillValue(t.main, spend) : (Math.max(0, hillValue(t.main, first)) * spend) / first;
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
