import { categoricalColumn, dateColumn, numericColumn, SeededRandom, Table, timeSeriesFeatures } from '@kdap/preprocessing';
import { DetectorFeatureLayout, detectorFeatureNames, detectorFeatures } from './series-features';

const MS_PER_DAY = 86_400_000;

/**
 * The detector features as they were computed before the scoring fast path: every row of the
 * series (context and scored) through @kdap/preprocessing's Table-based timeSeriesFeatures,
 * then the scored rows' features picked out by name. The reference the fast path must equal.
 */
function detectorFeaturesThroughTable(
  days: Float64Array,
  values: Float64Array,
  clean: Float64Array,
  baselineZ: Float64Array,
  spread: number,
  lags: readonly number[],
  windows: readonly number[],
  firstScored: number,
): Float64Array[] {
  const n = days.length;
  const table = new Table({
    date: dateColumn(Float64Array.from(days, (d) => d * MS_PER_DAY)),
    value: numericColumn(clean),
    series: categoricalColumn(new Int32Array(n), ['s']),
  });
  const features = timeSeriesFeatures(table, { entity: 'series', date: 'date', value: 'value', lags, windows, pctChangePeriods: [1, 7] });
  const col = (name: string) => features.numeric(name).values as Float64Array;
  const signedLog = (z: number) => Math.sign(z) * Math.log1p(Math.abs(z));
  const finiteOr = (v: number, fallback: number, limit = 50) => (Number.isFinite(v) ? Math.max(-limit, Math.min(limit, v)) : fallback);
  const rows: Float64Array[] = [];
  for (let i = firstScored; i < n; i += 1) {
    const v = values[i]!;
    const row: number[] = [signedLog(finiteOr(baselineZ[i - firstScored]!, 0, 1e6))];
    for (const k of lags) row.push(signedLog(finiteOr((v - col(`value_lag_${k}`)[i]!) / spread, 0, 1e6)));
    for (const w of windows) {
      const sd = col(`value_rolling_std_${w}`)[i]!;
      row.push(signedLog(finiteOr((v - col(`value_rolling_mean_${w}`)[i]!) / (sd > 0 ? sd : spread), 0, 1e6)));
    }
    for (const w of windows) row.push(finiteOr(Math.log1p(col(`value_rolling_std_${w}`)[i]! / spread), 0));
    const lag1 = col('value_lag_1')[i]!;
    const lag7 = col('value_lag_7')[i]!;
    row.push(signedLog(finiteOr(lag1 === 0 ? NaN : v / lag1 - 1, 0, 1e6)), signedLog(finiteOr(lag7 === 0 ? NaN : v / lag7 - 1, 0, 1e6)));
    const dow = col('day_of_week')[i]!;
    row.push(Math.sin((2 * Math.PI * dow) / 7), Math.cos((2 * Math.PI * dow) / 7), col('season_sin')[i]!, col('season_cos')[i]!);
    rows.push(Float64Array.from(row));
  }
  return rows;
}

describe('detectorFeatures (scored rows only, layout resolved once)', () => {
  it.each([
    ['the default lags and windows', [1, 7, 14, 28], [7, 14, 28]],
    ['other lags and windows', [1, 2, 7, 35], [3, 10, 42]],
  ])('equal the full Table path bit for bit on random series with %s (gaps, zeros, series boundaries)', (_, lags, windows) => {
    const random = new SeededRandom(23);
    const layout = new DetectorFeatureLayout(lags, windows);
    expect(layout.width).toBe(detectorFeatureNames(lags, windows).length);
    let compared = 0;
    for (let trial = 0; trial < 80; trial += 1) {
      const n = 1 + random.integer(120);
      const days = new Float64Array(n);
      const values = new Float64Array(n);
      const clean = new Float64Array(n);
      let day = 19_000 + random.integer(500);
      let level = random.between(1, 1e5);
      for (let i = 0; i < n; i += 1) {
        level *= 1 + random.normal(0, 0.15);
        days[i] = day;
        values[i] = random.uniform() < 0.05 ? 0 : random.uniform() < 0.05 ? level * 8 : level;
        // The cleaned history replaces some values by their baseline (and some by 0: a zero lag).
        clean[i] = random.uniform() < 0.05 ? 0 : random.uniform() < 0.1 ? level * 0.9 : values[i]!;
        day += random.uniform() < 0.8 ? 1 : random.uniform() < 0.8 ? 2 + random.integer(6) : 30 + random.integer(30);
      }
      const spread = random.between(0.01, 100) * (random.uniform() < 0.1 ? 1e-6 : 1);
      // Scored rows: the whole series (training), the last row (a served record), none, and a random cut.
      for (const firstScored of new Set([0, n - 1, n, random.integer(n)])) {
        const baselineZ = Float64Array.from({ length: n - firstScored }, () => (random.uniform() < 0.05 ? NaN : random.normal(0, 3)));
        const fast = detectorFeatures(layout, days, values, clean, baselineZ, spread, firstScored);
        const full = detectorFeaturesThroughTable(days, values, clean, baselineZ, spread, lags, windows, firstScored);
        expect(fast.length).toBe(full.length);
        fast.forEach((row, i) => {
          row.forEach((v, j) => {
            if (!Object.is(v, full[i]![j]!)) throw new Error(`trial ${trial}, firstScored ${firstScored}, row ${i}, feature ${j}: fast ${v}, full ${full[i]![j]}`);
            compared += 1;
          });
        });
      }
    }
    expect(compared).toBeGreaterThan(50_000);
  });
});
