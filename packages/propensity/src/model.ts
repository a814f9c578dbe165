import type { FeatureMatrix, FittedModel } from '@kdap/core';
import { DisposedError } from '@kdap/errors';
import type { Booster, FeatureType, Params } from '@kdap/xgboost-node';
import type { Calibrator } from './calibrator';
import type { FeatureBaseline, NumericBaseline, ScoreDistribution } from './distribution';
import type { CalibrationReport } from './report';

/** A segment: customers whose calibrated score reaches `min_score` (highest first). */
export interface Segment {
  name: string;
  min_score: number;
}

/** What the scorer needs besides the booster and calibrator; saved as `state/propensity.json`. */
export interface PropensityState {
  /** Column whose value is returned as `customer_id`. */
  idColumn: string;
  /** Columns left out of the features because they identify rows. */
  droppedIdentifiers: string[];
  /** The decision threshold used for F1/precision/recall (resolved when configured as 'max_f1'). */
  threshold: number;
  segments: Segment[];
  /** XGBoost feature types in schema order ('c' = native categorical, 'q' = numeric). */
  featureTypes: FeatureType[];
  /** Exact XGBoost parameters and rounds (for audits and the Python parity check). */
  params: Params;
  numBoostRound: number;
  /** Rounds kept in the model (early stopping's best round + 1, or all). */
  rounds: number;
  calibrationMethod: 'isotonic' | 'sigmoid' | 'none';
  /** k when the calibrator was fitted on out-of-fold scores of k folds of the training rows; null (or absent in older bundles) for a held-out split. */
  calibrationFolds?: number | null;
  /** Rows in each named split, and how they were ordered. */
  splits: { train: number; validation: number; calibration: number; test: number; order: 'time' | 'stratified' | 'given' };
}

/** Training distributions that `drift()` compares new data with. */
export interface DriftBaseline {
  score: NumericBaseline;
  features: Record<string, FeatureBaseline>;
}

/**
 * The fitted propensity model: the XGBoost booster (binary:logistic) and the calibrator fitted on
 * held-out rows. `predict` gives calibrated conversion probabilities per encoded row.
 */
export class PropensityModel implements FittedModel {
  #disposed = false;

  constructor(
    readonly booster: Booster,
    readonly calibrator: Calibrator,
    readonly distribution: ScoreDistribution,
    readonly report: CalibrationReport | null,
    readonly baseline: DriftBaseline,
    readonly metrics: Readonly<Record<string, number>>,
    readonly state: PropensityState,
  ) {}

  /** The booster's probability per row, before calibration (one native call). */
  rawScores(X: FeatureMatrix): Float64Array {
    if (this.#disposed) throw new DisposedError('PropensityModel');
    if (X.rows === 0) return new Float64Array(0);
    return Float64Array.from(this.booster.predictSync(X.values, { rows: X.rows, cols: X.cols }));
  }

  /** Calibrated conversion probability per row. */
  predict(X: FeatureMatrix): Float64Array {
    return this.calibrator.transform(this.rawScores(X));
  }

  /** SHAP contributions in log-odds: rows x (cols + 1), the last column the bias. */
  contributions(X: FeatureMatrix): Float32Array {
    if (this.#disposed) throw new DisposedError('PropensityModel');
    if (X.rows === 0) return new Float32Array(0);
    return this.booster.predictSync(X.values, { rows: X.rows, cols: X.cols, contributions: true });
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** Frees the native booster; idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.booster.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
