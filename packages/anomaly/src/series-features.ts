import { DataError } from '@kdap/errors';
import { SeriesFeatureRows } from '@kdap/preprocessing';

const MS_PER_DAY = 86_400_000;
/** 1.4826 x MAD estimates the standard deviation of normal data. */
const MAD_TO_SD = 1.4826;
/** Consecutive same-side deviations past the threshold that make a level shift. */
export const LEVEL_SHIFT_RUN = 3;
/** Same-weekday observations the seasonal median looks back over (4 weeks). */
const SEASONAL_WEEKS = 4;

/** One observation of a series. */
export interface Observation {
  /** Epoch day (UTC). */
  day: number;
  value: number;
}

/** What a series keeps from training: its robust spread and its recent history (context for lags). */
export interface SeriesState {
  /** Entity values, e.g. ['search', 'clicks']. */
  entity: string[];
  /** Robust sd of the residuals vs the seasonal baseline on the training rows (> 0). */
  spread: number;
  /** The last training days (ascending), with the baseline's exclusion flags. */
  history: { day: number; value: number; clean: number; excluded: boolean; baseFrom: number }[];
  /** Training ensemble raw scores of this series, ascending (the anomaly_score CDF). */
  trainingScores: number[];
  /** Observed training days. */
  trainingDays: number;
}

/** Per-row baseline of one series, in day order. */
export interface Baseline {
  expected: Float64Array;
  /** (value - expected) / spread. */
  z: Float64Array;
  /** 1 where the row starts or continues a level shift run. */
  levelShift: Uint8Array;
  /** Rows left out of the baseline (|z| past the threshold, not part of a level shift). */
  excluded: Uint8Array;
  baseFrom: Float64Array;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The robust seasonal baseline, one pass in day order: the expected value is the median of the
 * same weekday over the last 4 weeks (at least 2 of them observed), else the median of the last 7
 * observed days; points whose |z| passes `threshold` are left out of later baselines so one spike
 * does not move the band; 3 consecutive same-side exceedances are a level shift, which rebases the
 * baseline on the days since the shift began. `context` rows (history) come first and keep their flags.
 */
export function seasonalBaseline(
  context: SeriesState['history'],
  rows: Observation[],
  spread: number,
  threshold: number,
): Baseline {
  const n = rows.length;
  const expected = new Float64Array(n);
  const z = new Float64Array(n);
  const levelShift = new Uint8Array(n);
  const excluded = new Uint8Array(n);
  const baseFrom = new Float64Array(n);
  // Usable history by day: value when not excluded.
  const usable = new Map<number, number>();
  const order: number[] = [];
  let from = -Infinity;
  for (const h of context) {
    if (!h.excluded) usable.set(h.day, h.value);
    order.push(h.day);
    from = h.baseFrom;
  }
  let run: number[] = [];
  let runSign = 0;
  for (let i = 0; i < n; i += 1) {
    const { day, value } = rows[i]!;
    const seasonal: number[] = [];
    for (let w = 1; w <= SEASONAL_WEEKS; w += 1) {
      const v = usable.get(day - 7 * w);
      if (v !== undefined && day - 7 * w >= from) seasonal.push(v);
    }
    let e: number;
    if (seasonal.length >= 2) {
      e = median(seasonal);
    } else {
      const recent: number[] = [];
      for (let j = order.length - 1; j >= 0 && recent.length < 7; j -= 1) {
        const d = order[j]!;
        if (d < from || d >= day) continue;
        const v = usable.get(d);
        if (v !== undefined) recent.push(v);
      }
      e = recent.length > 0 ? median(recent) : value;
    }
    expected[i] = e;
    const zi = (value - e) / spread;
    z[i] = zi;
    const sign = zi > threshold ? 1 : zi < -threshold ? -1 : 0;
    if (sign !== 0 && sign === runSign) run.push(i);
    else {
      run = sign === 0 ? [] : [i];
      runSign = sign;
    }
    if (run.length >= LEVEL_SHIFT_RUN) {
      // The series moved: rebase on the run and keep its points in the new baseline.
      from = rows[run[0]!]!.day;
      for (const r of run) {
        levelShift[r] = 1;
        excluded[r] = 0;
        usable.set(rows[r]!.day, rows[r]!.value);
      }
      run = [];
      runSign = 0;
    } else if (sign !== 0) {
      excluded[i] = 1;
    }
    if (!excluded[i]) usable.set(day, value);
    order.push(day);
    baseFrom[i] = from;
  }
  return { expected, z, levelShift, excluded, baseFrom };
}

/** Robust sd of a series' residuals vs a baseline without exclusions (first pass), floored above 0. */
export function robustSpread(rows: Observation[]): number {
  const first = seasonalBaseline([], rows, Infinity, Infinity);
  const residuals = rows.map((r, i) => r.value - first.expected[i]!);
  const m = median(residuals);
  const mad = median(residuals.map((r) => Math.abs(r - m)));
  const level = median(rows.map((r) => Math.abs(r.value)));
  // A constant series has MAD 0: any change from it is then a large z (documented in docs/anomaly.md).
  return Math.max(MAD_TO_SD * mad, 1e-6 * Math.max(1, level));
}

/** Names of the scale-free detector features, in matrix order. */
export function detectorFeatureNames(lags: readonly number[], windows: readonly number[]): string[] {
  return [
    'baseline_z',
    ...lags.map((k) => `lag_${k}_change_z`),
    ...windows.map((w) => `zscore_${w}`),
    ...windows.map((w) => `rolling_std_${w}_ratio`),
    'pct_change_1',
    'pct_change_7',
    'day_of_week_sin',
    'day_of_week_cos',
    'season_sin',
    'season_cos',
  ];
}

function finiteOr(v: number, fallback: number, limit = 50): number {
  return Number.isFinite(v) ? Math.max(-limit, Math.min(limit, v)) : fallback;
}

/**
 * sign(z) log(1 + |z|): deviations in sds on a log scale, so a x0.3 drop (z -10) and a x3 spike
 * (z +40) sit at similar distances from normal rows, and ordinary noise keeps its shape near 0.
 */
function signedLog(z: number): number {
  return Math.sign(z) * Math.log1p(Math.abs(z));
}

/**
 * Where the detector's inputs sit in @kdap/preprocessing's SeriesFeatureRows output, resolved once
 * per model (from its lags and windows) so that scoring a row does no name lookups.
 */
export class DetectorFeatureLayout {
  readonly series: SeriesFeatureRows;
  /** Detector features per row (detectorFeatureNames order). */
  readonly width: number;
  readonly lags: number[];
  readonly means: number[];
  readonly sds: number[];
  readonly lag1: number;
  readonly lag7: number;
  readonly dayOfWeek: number;
  readonly seasonSin: number;
  readonly seasonCos: number;

  constructor(lags: readonly number[], windows: readonly number[]) {
    // pct_change_1/7 divide by the lags 1 and 7: computed even when the configured lags omit them.
    this.series = new SeriesFeatureRows({ value: 'value', lags: [...new Set([...lags, 1, 7])], windows, pctChangePeriods: [] });
    const at = (name: string) => this.series.indexOf(name);
    this.width = detectorFeatureNames(lags, windows).length;
    this.lags = lags.map((k) => at(`value_lag_${k}`));
    this.means = windows.map((w) => at(`value_rolling_mean_${w}`));
    this.sds = windows.map((w) => at(`value_rolling_std_${w}`));
    this.lag1 = at('value_lag_1');
    this.lag7 = at('value_lag_7');
    this.dayOfWeek = at('day_of_week');
    this.seasonSin = at('season_sin');
    this.seasonCos = at('season_cos');
  }
}

/**
 * Detector features of one series' rows from `firstScored` on (context rows first, scored rows
 * after, all in day order): @kdap/preprocessing's time-series features of the scored rows only
 * (their lags and windows read the context), divided by the series' spread so that every metric
 * lands on one scale. Missing lags/windows (the first weeks, gaps) become 0 (no change), a
 * documented choice: rows are scored, never dropped.
 */
export function detectorFeatures(
  layout: DetectorFeatureLayout,
  days: Float64Array,
  values: Float64Array,
  clean: Float64Array,
  baselineZ: Float64Array,
  spread: number,
  firstScored: number,
): Float64Array[] {
  // Lags and windows look at the cleaned history (flagged points replaced by their expected
  // value), so the days after a spike do not look like drops; each row keeps its own value.
  const f = layout.series.compute(days, clean, firstScored);
  const stride = layout.series.names.length;
  const rows: Float64Array[] = [];
  for (let i = firstScored, base = 0; i < days.length; i += 1, base += stride) {
    const v = values[i]!;
    const row = new Float64Array(layout.width);
    let j = 0;
    row[j++] = signedLog(finiteOr(baselineZ[i - firstScored]!, 0, 1e6));
    for (const lag of layout.lags) row[j++] = signedLog(finiteOr((v - f[base + lag]!) / spread, 0, 1e6));
    layout.means.forEach((mean, w) => {
      const sd = f[base + layout.sds[w]!]!;
      row[j++] = signedLog(finiteOr((v - f[base + mean]!) / (sd > 0 ? sd : spread), 0, 1e6));
    });
    for (const sd of layout.sds) row[j++] = finiteOr(Math.log1p(f[base + sd]! / spread), 0);
    const lag1 = f[base + layout.lag1]!;
    const lag7 = f[base + layout.lag7]!;
    row[j++] = signedLog(finiteOr(lag1 === 0 ? NaN : v / lag1 - 1, 0, 1e6));
    row[j++] = signedLog(finiteOr(lag7 === 0 ? NaN : v / lag7 - 1, 0, 1e6));
    const dow = f[base + layout.dayOfWeek]!;
    row[j++] = Math.sin((2 * Math.PI * dow) / 7);
    row[j++] = Math.cos((2 * Math.PI * dow) / 7);
    row[j++] = f[base + layout.seasonSin]!;
    row[j++] = f[base + layout.seasonCos]!;
    rows.push(row);
  }
  return rows;
}

/** Checks a series' observations: finite values, distinct days. Names the entity and the fix. */
export function checkSeries(entity: string[], columns: { value: string; date: string }, rows: { day: number; value: number; row: number }[]): void {
  const seen = new Map<number, number>();
  for (const r of rows) {
    if (!Number.isFinite(r.day)) {
      throw new DataError(`Row ${r.row} has no '${columns.date}'. Every observation needs a date; drop or fill such rows first.`, { row: r.row, column: columns.date });
    }
    if (!Number.isFinite(r.value)) {
      throw new DataError(
        `Row ${r.row} (${entity.join(', ')}) holds ${r.value} in '${columns.value}'. The detector needs finite numbers: drop the row (the day then counts as a gap) or fill it.`,
        { row: r.row, column: columns.value },
      );
    }
    const earlier = seen.get(r.day);
    if (earlier !== undefined) {
      throw new DataError(
        `Rows ${earlier} and ${r.row} of series (${entity.join(', ')}) fall on the same day ${new Date(r.day * MS_PER_DAY).toISOString().slice(0, 10)}. ` +
          `Aggregate to one row per series and day first.`,
        { row: r.row, column: columns.date },
      );
    }
    seen.set(r.day, r.row);
  }
}
