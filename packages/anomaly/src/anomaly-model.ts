import type { AnomalyDetectorConfig, FeatureMatrix, FeatureSpec, FittedModel } from '@kdap/core';
import { DataError, DisposedError, InsufficientDataError, SchemaError } from '@kdap/errors';
import { SeededRandom } from '@kdap/preprocessing';
import { IsolationForest, type IsolationForestJSON } from './isolation-forest';
import { LocalOutlierFactor, type LocalOutlierFactorJSON } from './local-outlier-factor';
import { percentile } from './numeric-matrix';
import { checkSeries, DetectorFeatureLayout, detectorFeatureNames, detectorFeatures, robustSpread, seasonalBaseline, type Baseline, type Observation, type SeriesState } from './series-features';

const MS_PER_DAY = 86_400_000;
/** Training days kept per series as context for the lags and baselines of later data. */
const HISTORY_DAYS = 56;
/** LocalOutlierFactor stores its reference rows: cap them (seeded sample) to bound bundle size and scoring time. */
const MAX_LOF_ROWS = 20_000;
const CONTEXT_FEATURE = /^(day_of_week_|season_|rolling_std_)/;

/** One detection, in the Python module's shape plus severity, direction and % delta. */
export interface AnomalyResult {
  /** Entity values of the series, by entity column. */
  entity: Record<string, string>;
  /** ISO date (UTC day). */
  date: string;
  value: number;
  is_anomaly: boolean;
  /** Empirical CDF of the ensemble raw score over this series' training rows (0.99 = more anomalous than 99 % of its history). */
  anomaly_score: number;
  /** 'spike' / 'drop' (one-off, by sign), 'level_shift' (the series moved and stays moved), 'none' when not an anomaly. */
  anomaly_type: 'spike' | 'drop' | 'level_shift' | 'none';
  /** Robust seasonal baseline (same-weekday median of the last 4 weeks, flagged points left out). */
  expected_value: number;
  /** value - expected_value, in the metric's unit. */
  deviation: number;
  /** 0-1: half the two detectors' agreement with the decision, half the distance past the threshold. */
  confidence: number;
  /** 0-100: |deviation| in robust sds, 100 at twice the z-score threshold. */
  severity: number;
  direction: 'up' | 'down' | 'flat';
  /** deviation / |expected_value| in %, null when expected_value is 0. */
  delta_pct: number | null;
}

/** How a detector's raw score becomes "robust sds more abnormal than its training median". */
interface Normalizer {
  median: number;
  scale: number;
}

/** The model's JSON state (the detectors are separate files). */
export interface AnomalyModelState {
  version: 1;
  columns: { value: string; date: string; entities: string[] };
  lags: number[];
  windows: number[];
  zThreshold: number;
  weights: { isolation_forest: number; lof: number };
  featureMean: number[];
  featureSd: number[];
  normalizers: { isolation_forest: Normalizer; lof: Normalizer };
  /** Thresholds: ensemble raw score, and each detector's own normalized offset. */
  threshold: number;
  modelThresholds: { isolation_forest: number; lof: number };
  /** Robust spread of the ensemble raw scores on training rows (confidence's unit of distance). */
  rawSpread: number;
  series: Record<string, SeriesState>;
}

interface Row extends Observation {
  row: number;
}

/**
 * The fitted Anomaly Detector: per-series robust baselines and context, the scale-free feature
 * standardisation, an IsolationForest and a LocalOutlierFactor, and how their scores combine.
 * `predict` gives 1/0 flags (the Trainer contract); `detectMatrix` the full results.
 */
export class AnomalyModel implements FittedModel, Disposable {
  #forest: IsolationForest | undefined;
  #lof: LocalOutlierFactor | undefined;
  /** Where each detector input sits in the time-series features, resolved once. */
  readonly #layout: DetectorFeatureLayout;
  readonly state: AnomalyModelState;
  /** The feature schema's specs, so results name their series' categories. */
  specs: readonly FeatureSpec[] | undefined;

  constructor(state: AnomalyModelState, forest: IsolationForest, lof: LocalOutlierFactor) {
    this.state = state;
    this.#layout = new DetectorFeatureLayout(state.lags, state.windows);
    this.#forest = forest;
    this.#lof = lof;
  }

  /** Fits on encoded training rows (features: value, date as epoch ms, entity codes). */
  static fit(
    X: FeatureMatrix,
    specs: readonly FeatureSpec[],
    config: AnomalyDetectorConfig,
    minHistoryDays: number,
  ): { model: AnomalyModel; flags: Float64Array; features: { values: Float64Array; rows: number; cols: number }; rowOf: number[] } {
    const f = config.features;
    const columns = { value: f.value_column, date: f.date_column, entities: [...f.entity_columns] };
    const lags = [...f.lags];
    const windows = [...f.rolling_windows];
    const zThreshold = config.detection.z_score_threshold;
    const groups = groupRows(X, columns, specs);
    const layout = new DetectorFeatureLayout(lags, windows);
    const series: Record<string, SeriesState> = {};
    const featureRows: Float64Array[] = [];
    const rowOf: number[] = [];
    const seriesOfRow: string[] = [];
    for (const [key, group] of groups) {
      checkSeries(group.entity, columns, group.rows);
      if (group.rows.length < minHistoryDays) {
        throw new InsufficientDataError(
          `Series (${group.entity.join(', ')}) has ${group.rows.length} days of '${columns.value}', the detector needs at least ${minHistoryDays} (two weekly cycles) ` +
            'to learn its baseline. Collect more history, or drop this series from the training table.',
          { column: columns.value },
        );
      }
      const spread = robustSpread(group.rows);
      const baseline = seasonalBaseline([], group.rows, spread, zThreshold);
      const days = Float64Array.from(group.rows, (r) => r.day);
      const values = Float64Array.from(group.rows, (r) => r.value);
      const clean = cleaned(values, baseline);
      const features = detectorFeatures(layout, days, values, clean, baseline.z, spread, 0);
      features.forEach((row, i) => {
        featureRows.push(row);
        rowOf.push(group.rows[i]!.row);
        seriesOfRow.push(key);
      });
      const keep = group.rows.slice(-HISTORY_DAYS).map((r, j, kept) => {
        const i = group.rows.length - kept.length + j;
        return { day: r.day, value: r.value, clean: clean[i]!, excluded: baseline.excluded[i] === 1, baseFrom: baseline.baseFrom[i]! };
      });
      series[key] = { entity: group.entity, spread, history: keep, trainingScores: [], trainingDays: group.rows.length };
    }
    const width = detectorFeatureNames(lags, windows).length;
    const n = featureRows.length;
    const featureMean = new Array<number>(width).fill(0);
    const featureSd = new Array<number>(width).fill(0);
    for (const row of featureRows) for (let j = 0; j < width; j += 1) featureMean[j]! += row[j]! / n;
    for (const row of featureRows) for (let j = 0; j < width; j += 1) featureSd[j]! += (row[j]! - featureMean[j]!) ** 2 / n;
    for (let j = 0; j < width; j += 1) featureSd[j] = Math.sqrt(featureSd[j]!) || 1;
    // Context features (calendar, volatility) shape the neighbourhoods but should not make a row
    // unusual on their own: their unit is 4 sds, so a Monday is never an outlier for being a Monday.
    detectorFeatureNames(lags, windows).forEach((name, j) => {
      if (CONTEXT_FEATURE.test(name)) featureSd[j] = featureSd[j]! * 4;
    });
    const matrix = standardize(featureRows, featureMean, featureSd);

    const h = config.hyperparameters;
    const contamination = config.detection.contamination;
    const forest = new IsolationForest({
      nEstimators: h.isolation_forest.n_estimators,
      maxSamples: h.isolation_forest.max_samples,
      maxFeatures: h.isolation_forest.max_features,
      bootstrap: h.isolation_forest.bootstrap,
      contamination,
      seed: h.isolation_forest.random_state,
    }).fit(matrix);
    const lofRows = sampleRows(matrix, MAX_LOF_ROWS, h.isolation_forest.random_state);
    const p = h.lof.metric === 'manhattan' ? 1 : h.lof.metric === 'euclidean' ? 2 : h.lof.p;
    const lof = new LocalOutlierFactor({ nNeighbors: h.lof.n_neighbors, contamination, p, leafSize: h.lof.leaf_size }).fit(lofRows);

    const ifScores = forest.scoreSamples(matrix);
    const lofScores = lof.scoreSamples(matrix);
    const normalizers = { isolation_forest: normalizer(ifScores), lof: normalizer(lofScores) };
    const weights = { ...config.detection.ensemble_weights };
    const modelThresholds = { isolation_forest: normalize(forest.offset, normalizers.isolation_forest), lof: normalize(lof.offset, normalizers.lof) };
    const raw = new Float64Array(n);
    for (let i = 0; i < n; i += 1) {
      raw[i] = weights.isolation_forest * normalize(ifScores[i]!, normalizers.isolation_forest) + weights.lof * normalize(lofScores[i]!, normalizers.lof);
    }
    const threshold =
      contamination === 'auto' ? weights.isolation_forest * modelThresholds.isolation_forest + weights.lof * modelThresholds.lof : percentile(raw, 100 * (1 - contamination));
    const rawNormalizer = normalizer(raw);
    for (let i = 0; i < n; i += 1) series[seriesOfRow[i]!]!.trainingScores.push(raw[i]!);
    for (const s of Object.values(series)) s.trainingScores.sort((a, b) => a - b);

    const state: AnomalyModelState = {
      version: 1,
      columns,
      lags,
      windows,
      zThreshold,
      weights,
      featureMean,
      featureSd,
      normalizers,
      threshold,
      modelThresholds,
      rawSpread: rawNormalizer.scale,
      series,
    };
    const flags = new Float64Array(X.rows);
    for (let i = 0; i < n; i += 1) flags[rowOf[i]!] = raw[i]! > threshold ? 1 : 0;
    const model = new AnomalyModel(state, forest, lof);
    model.specs = specs;
    return { model, flags, features: matrix, rowOf };
  }

  /** 1 for anomalies, 0 otherwise, per row (Trainer contract). */
  predict(X: FeatureMatrix, specs = this.specs): Float64Array {
    return Float64Array.from(this.detectMatrix(X, specs), (r) => (r.is_anomaly ? 1 : 0));
  }

  /** Full results per row, in input order. `specs` names the entity categories (from the feature schema). */
  detectMatrix(X: FeatureMatrix, specs = this.specs): AnomalyResult[] {
    const forest = this.alive(this.#forest);
    const lof = this.alive(this.#lof);
    const s = this.state;
    const groups = groupRows(X, s.columns, specs);
    const results = new Array<AnomalyResult>(X.rows);
    for (const [key, group] of groups) {
      const state = s.series[key];
      if (state === undefined) {
        throw new InsufficientDataError(
          `Series (${group.entity.join(', ')}) was not in the training data, so the detector has no baseline for it. Retrain with its history included.`,
          { column: s.columns.entities[0] },
        );
      }
      checkSeries(group.entity, s.columns, group.rows);
      const first = group.rows[0]!.day;
      const context = state.history.filter((h) => h.day < first);
      const baseline = seasonalBaseline(context, group.rows, state.spread, s.zThreshold);
      const days = Float64Array.from([...context.map((c) => c.day), ...group.rows.map((r) => r.day)]);
      const values = Float64Array.from([...context.map((c) => c.value), ...group.rows.map((r) => r.value)]);
      const scoredClean = cleaned(Float64Array.from(group.rows, (r) => r.value), baseline);
      const clean = Float64Array.from([...context.map((c) => c.clean), ...scoredClean]);
      const features = standardize(detectorFeatures(this.#layout, days, values, clean, baseline.z, state.spread, context.length), s.featureMean, s.featureSd);
      const ifScores = forest.scoreSamples(features);
      const lofScores = lof.scoreSamples(features);
      group.rows.forEach((r, i) => {
        const ifNorm = normalize(ifScores[i]!, s.normalizers.isolation_forest);
        const lofNorm = normalize(lofScores[i]!, s.normalizers.lof);
        const raw = s.weights.isolation_forest * ifNorm + s.weights.lof * lofNorm;
        const isAnomaly = raw > s.threshold;
        const agreeing = Number(ifNorm > s.modelThresholds.isolation_forest === isAnomaly) + Number(lofNorm > s.modelThresholds.lof === isAnomaly);
        const margin = Math.min(1, Math.abs(raw - s.threshold) / (3 * s.rawSpread));
        const expected = baseline.expected[i]!;
        const deviation = r.value - expected;
        const z = baseline.z[i]!;
        results[r.row] = {
          entity: Object.fromEntries(s.columns.entities.map((c, j) => [c, group.entity[j]!])),
          date: new Date(r.day * MS_PER_DAY).toISOString().slice(0, 10),
          value: r.value,
          is_anomaly: isAnomaly,
          anomaly_score: ecdf(state.trainingScores, raw),
          anomaly_type: !isAnomaly ? 'none' : baseline.levelShift[i] ? 'level_shift' : deviation >= 0 ? 'spike' : 'drop',
          expected_value: expected,
          deviation,
          confidence: 0.5 * (agreeing / 2) + 0.5 * margin,
          severity: Math.round(Math.min(100, (100 * Math.abs(z)) / (2 * s.zThreshold))),
          direction: deviation > 0 ? 'up' : deviation < 0 ? 'down' : 'flat',
          delta_pct: expected === 0 ? null : (100 * deviation) / Math.abs(expected),
        };
      });
    }
    return results;
  }

  /** The detectors as JSON documents, for the bundle. */
  detectorsJSON(): { isolation_forest: IsolationForestJSON; lof: LocalOutlierFactorJSON } {
    return { isolation_forest: this.alive(this.#forest).toJSON(), lof: this.alive(this.#lof).toJSON() };
  }

  static fromJSON(state: AnomalyModelState, forest: IsolationForestJSON, lof: LocalOutlierFactorJSON): AnomalyModel {
    if (state?.version !== 1) throw new DataError(`The anomaly model state has version ${String(state?.version)}; this library reads version 1. Retrain or use the matching library version.`);
    return new AnomalyModel(state, IsolationForest.fromJSON(forest), LocalOutlierFactor.fromJSON(lof));
  }

  /** Releases both detectors; idempotent. */
  dispose(): void {
    this.#forest?.dispose();
    this.#lof?.dispose();
    this.#forest = undefined;
    this.#lof = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private alive<T>(detector: T | undefined): T {
    if (detector === undefined) throw new DisposedError('AnomalyModel');
    return detector;
  }
}

/** Values with the baseline's flagged points replaced by their expected value. */
function cleaned(values: Float64Array, baseline: Baseline): Float64Array {
  return Float64Array.from(values, (v, i) => (baseline.excluded[i] ? baseline.expected[i]! : v));
}

function normalizer(scores: Float64Array): Normalizer {
  const m = percentile(scores, 50);
  const deviations = Float64Array.from(scores, (v) => Math.abs(v - m));
  return { median: m, scale: 1.4826 * percentile(deviations, 50) || 1e-12 };
}

/** Robust sds below the training median (detector scores: lower = more abnormal), so higher = more abnormal. */
function normalize(score: number, n: Normalizer): number {
  return (n.median - score) / n.scale;
}

/** Share of `sorted` at or below `value`. */
function ecdf(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length === 0 ? 0 : lo / sorted.length;
}

function standardize(rows: Float64Array[], mean: number[], sd: number[]): { values: Float64Array; rows: number; cols: number } {
  const cols = mean.length;
  const values = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    for (let j = 0; j < cols; j += 1) values[i * cols + j] = (row[j]! - mean[j]!) / sd[j]!;
  });
  return { values, rows: rows.length, cols };
}

function sampleRows(m: { values: Float64Array; rows: number; cols: number }, max: number, seed: number): { values: Float64Array; rows: number; cols: number } {
  if (m.rows <= max) return m;
  const random = new SeededRandom(seed);
  const order = Int32Array.from({ length: m.rows }, (_, i) => i);
  for (let i = 0; i < max; i += 1) {
    const j = i + random.integer(m.rows - i);
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  const picked = order.subarray(0, max).sort();
  const values = new Float64Array(max * m.cols);
  picked.forEach((row, i) => values.set(m.values.subarray(row * m.cols, (row + 1) * m.cols), i * m.cols));
  return { values, rows: max, cols: m.cols };
}

/** Rows grouped by series (entity codes), each group sorted by day: input order never matters. */
function groupRows(
  X: FeatureMatrix,
  columns: { value: string; date: string; entities: string[] },
  specs: readonly FeatureSpec[] | undefined,
): Map<string, { entity: string[]; rows: Row[] }> {
  const index = (name: string) => {
    const i = X.featureNames.indexOf(name);
    if (i < 0) throw new SchemaError(`The table has no column '${name}'. The anomaly detector needs its date, value and entity columns.`, { column: name });
    return i;
  };
  const valueAt = index(columns.value);
  const dateAt = index(columns.date);
  const entityAt = columns.entities.map(index);
  const categories = columns.entities.map((name) => specs?.find((s) => s.name === name)?.categories);
  const groups = new Map<string, { entity: string[]; rows: Row[] }>();
  for (let row = 0; row < X.rows; row += 1) {
    const base = row * X.cols;
    const codes = entityAt.map((j) => X.values[base + j]!);
    const missing = codes.findIndex((c) => Number.isNaN(c));
    if (missing >= 0) {
      const column = columns.entities[missing]!;
      throw new DataError(`Row ${row} has no '${column}' (or a value never seen in training). Every row needs its series' entity values; fill or drop it.`, { row, column });
    }
    const key = codes.join('|');
    let group = groups.get(key);
    if (group === undefined) {
      group = { entity: codes.map((c, j) => categories[j]?.[c] ?? String(c)), rows: [] };
      groups.set(key, group);
    }
    const ms = X.values[base + dateAt]!;
    group.rows.push({ day: Number.isFinite(ms) ? Math.floor(ms / MS_PER_DAY) : NaN, value: X.values[base + valueAt]!, row });
  }
  for (const group of groups.values()) group.rows.sort((a, b) => a.day - b.day);
  return groups;
}
