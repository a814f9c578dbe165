import type { FeatureMatrix, FittedModel } from '@kdap/core';
import { DisposedError } from '@kdap/errors';
import type { Booster, Params } from '@kdap/lightgbm-node';

/** Spend range (currency per period) seen in training: [min, max]. */
export type SpendRange = readonly [number, number];

/** What the optimizer needs besides the boosters; saved as `state/response.json` in a bundle. */
export interface ResponseState {
  /** The spend feature the curves are traced over (currency per period). */
  spendFeature: string;
  /** The channel feature ('channel_id'). */
  channelFeature: string;
  /** Estimated carry-over (adstock decay per period, 0-0.9) per channel. */
  decays: Record<string, number>;
  /** Spend seen in training, over all channels and per channel. */
  spendRange: { all: SpendRange; byChannel: Record<string, SpendRange> };
  /**
   * Per channel, the 0th, 5th, ..., 100th percentile (21 values) of the steady spend per period
   * matching its training rows' carried-over spend (effective spend x (1 - decay); the spend
   * itself without carry-over): where the model saw data, so the smooth curve is fitted mostly
   * where the traced curve can be trusted.
   */
  supportQuantiles: Record<string, number[]>;
  /** Quantiles of the interval models, e.g. [0.1, 0.9]. */
  quantiles: readonly [number, number];
  /** Spend grid as multiples of the current spend, and its number of points. */
  grid: { minMultiplier: number; maxMultiplier: number; points: number };
  /** Net marginal return (return per extra currency unit, minus 1) below which spending more is not worth it. */
  hurdle: number;
  /** Exact LightGBM parameters and rounds of the three models (for audits and parity checks). */
  training: { main: Params; lower: Params; upper: Params; numBoostRound: number; earlyStoppingRounds: number | null };
}

/** The three boosters of a response model: expected return, lower and upper quantile. */
export type ResponseBooster = 'main' | 'lower' | 'upper';

/**
 * The fitted response model: a LightGBM regression of return on spend and context, and the lower
 * and upper quantile regressions of the interval. `predict` gives the expected return (currency
 * per period) per row of an encoded feature matrix.
 */
export class BudgetResponseModel implements FittedModel {
  #disposed = false;
  readonly #modelStrings = new Map<ResponseBooster, string>();

  constructor(
    readonly main: Booster,
    readonly lower: Booster,
    readonly upper: Booster,
    readonly state: ResponseState,
  ) {}

  predict(X: FeatureMatrix): Float64Array {
    if (this.#disposed) throw new DisposedError('BudgetResponseModel');
    return this.main.predictSync(X.values, { rows: X.rows, cols: X.cols });
  }

  /**
   * One booster's LightGBM text model (up to its best iteration), serialized once: the boosters do
   * not change after training, and both the bundle and the optimizer's grid tracers need the text
   * (each serialization ~60 ms per model on 100,000 rows with the packaged defaults).
   */
  modelString(which: ResponseBooster): string {
    if (this.#disposed) throw new DisposedError('BudgetResponseModel');
    let text = this.#modelStrings.get(which);
    if (text === undefined) this.#modelStrings.set(which, (text = this[which].toModelString()));
    return text;
  }

  /** Whether `dispose()` was called. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Frees the three native boosters; the model cannot predict afterwards. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#modelStrings.clear();
    this.main.dispose();
    this.lower.dispose();
    this.upper.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
