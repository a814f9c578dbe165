import { DataError, ParameterError, SchemaError, describeValue } from '../errors';
import type { Table } from '../table/table';
import { type Column, MISSING_CODE, numericColumn } from '../table/column';
import { MS_PER_DAY, epochDay } from '../table/dates';

/** Options of {@link timeSeriesFeatures}. */
export interface TimeSeriesFeatureOptions {
  /** Column(s) identifying one series, e.g. ['channel_id', 'metric']; omit for a single series. */
  entity?: string | readonly string[];
  /** Date column (daily observations; times of day are floored to the UTC day). */
  date: string;
  /** Numeric column the features describe. */
  value: string;
  /** Lags in days; default [1, 7, 14, 28]. */
  lags?: readonly number[];
  /** Rolling windows in days; default [7, 14, 28]. */
  windows?: readonly number[];
  /** Periods in days of the percentage changes; default [1, 7]. */
  pctChangePeriods?: readonly number[];
  /** Observed days a window needs before its mean/std are defined; default ceil(window / 2). */
  minPeriods?: (window: number) => number;
}

const DEFAULT_LAGS = [1, 7, 14, 28];
const DEFAULT_WINDOWS = [7, 14, 28];
const DEFAULT_PCT_PERIODS = [1, 7];
const DAYS_PER_YEAR = 365.25;

/**
 * Adds per-series time-series features to every row (row order kept):
 * - `${value}_lag_${k}`: the value k calendar days earlier (NaN if that day was not observed);
 * - `${value}_rolling_mean_${w}` / `_rolling_std_${w}` (sample std, ddof 1): over the w days
 *   before the row's day, the row itself excluded, so no feature sees the present or future;
 * - `${value}_zscore_${w}`: (value - rolling mean) / rolling std, NaN when the std is 0;
 * - `${value}_pct_change_${k}`: value / value k days earlier - 1 (NaN when that is 0 or missing);
 * - `day_of_week` (0 = Monday), `month` (1-12), `day_of_year` (1-366), `season_sin`/`season_cos`
 *   = sin/cos(2 pi day_of_year / 365.25).
 * Missing calendar days are gaps, not shifted over: each series is laid on a daily calendar.
 */
export function timeSeriesFeatures(table: Table, options: TimeSeriesFeatureOptions): Table {
  const settings = checkOptions(options);
  const entityColumns = settings.entity.map((name) => table.column(name));
  const dates = table.date(options.date).values;
  const values = table.numeric(options.value).values;
  const n = table.rowCount;

  const days = new Float64Array(n);
  for (let row = 0; row < n; row += 1) {
    const ms = dates[row] as number;
    if (Number.isNaN(ms)) {
      throw new DataError(`Row ${row} has no '${options.date}'. Every observation of a time series needs a date; drop or fill such rows first.`, {
        column: options.date,
      });
    }
    days[row] = epochDay(ms);
  }

  const features = featureNames(options.value, settings);
  const clash = features.find((name) => table.has(name));
  if (clash !== undefined) {
    throw new SchemaError(`timeSeriesFeatures would overwrite the table's column '${clash}'. Rename or drop that column first.`, { column: clash });
  }
  const output = new Map<string, Float64Array>(features.map((name) => [name, new Float64Array(n).fill(NaN)]));
  const column = (name: string) => output.get(name) as Float64Array;

  for (const rows of groupRows(entityColumns, n)) {
    let first = Infinity;
    let last = -Infinity;
    for (const row of rows) {
      first = Math.min(first, days[row] as number);
      last = Math.max(last, days[row] as number);
    }
    const calendar = new Float64Array(last - first + 1).fill(NaN);
    const observed = new Uint8Array(calendar.length);
    for (const row of rows) {
      const index = (days[row] as number) - first;
      if (observed[index]) {
        throw new DataError(
          `Two rows of the same series fall on ${new Date((days[row] as number) * MS_PER_DAY).toISOString().slice(0, 10)} (row ${row} and an earlier one). ` +
            `Aggregate to one row per ${settings.entity.length > 0 ? `(${settings.entity.join(', ')}, day)` : 'day'} first.`,
          { column: options.date },
        );
      }
      observed[index] = 1;
      calendar[index] = values[row] as number;
    }
    for (const row of rows) {
      const t = (days[row] as number) - first;
      const current = calendar[t] as number;
      const at = (offset: number) => (t - offset >= 0 ? (calendar[t - offset] as number) : NaN);
      for (const lag of settings.lags) column(`${options.value}_lag_${lag}`)[row] = at(lag);
      for (const window of settings.windows) {
        const { mean, std } = pastWindowStats(calendar, t, window, settings.minPeriods(window));
        column(`${options.value}_rolling_mean_${window}`)[row] = mean;
        column(`${options.value}_rolling_std_${window}`)[row] = std;
        column(`${options.value}_zscore_${window}`)[row] = std === 0 ? NaN : (current - mean) / std;
      }
      for (const period of settings.pctChangePeriods) {
        const before = at(period);
        column(`${options.value}_pct_change_${period}`)[row] = before === 0 ? NaN : current / before - 1;
      }
    }
  }

  for (let row = 0; row < n; row += 1) {
    const date = new Date((days[row] as number) * MS_PER_DAY);
    const dayOfYear = (days[row] as number) - Date.UTC(date.getUTCFullYear(), 0, 1) / MS_PER_DAY + 1;
    column('day_of_week')[row] = (date.getUTCDay() + 6) % 7;
    column('month')[row] = date.getUTCMonth() + 1;
    column('day_of_year')[row] = dayOfYear;
    column('season_sin')[row] = Math.sin((2 * Math.PI * dayOfYear) / DAYS_PER_YEAR);
    column('season_cos')[row] = Math.cos((2 * Math.PI * dayOfYear) / DAYS_PER_YEAR);
  }

  let result = table;
  for (const [name, data] of output) result = result.withColumn(name, numericColumn(data));
  return result;
}

/** Names of the columns timeSeriesFeatures adds, in order. */
export function timeSeriesFeatureNames(options: TimeSeriesFeatureOptions): string[] {
  return featureNames(options.value, checkOptions(options));
}

interface Settings {
  entity: string[];
  lags: readonly number[];
  windows: readonly number[];
  pctChangePeriods: readonly number[];
  minPeriods: (window: number) => number;
}

function featureNames(value: string, settings: Settings): string[] {
  return [
    ...settings.lags.map((lag) => `${value}_lag_${lag}`),
    ...settings.windows.flatMap((w) => [`${value}_rolling_mean_${w}`, `${value}_rolling_std_${w}`, `${value}_zscore_${w}`]),
    ...settings.pctChangePeriods.map((p) => `${value}_pct_change_${p}`),
    'day_of_week',
    'month',
    'day_of_year',
    'season_sin',
    'season_cos',
  ];
}

function checkOptions(options: TimeSeriesFeatureOptions): Settings {
  if (options === null || typeof options !== 'object' || typeof options.date !== 'string' || typeof options.value !== 'string') {
    throw new ParameterError('options', `timeSeriesFeatures needs { date: string, value: string, entity?: string | string[] }. Got ${describeValue(options)}.`);
  }
  const entity = options.entity === undefined ? [] : typeof options.entity === 'string' ? [options.entity] : [...options.entity];
  const positiveIntegers = (name: string, list: readonly number[] | undefined, fallback: readonly number[]) => {
    const chosen = list ?? fallback;
    if (!Array.isArray(chosen) || chosen.some((v) => !Number.isInteger(v) || v < 1)) {
      throw new ParameterError(name, `The '${name}' option of timeSeriesFeatures must be an array of integers >= 1 (days). Got ${describeValue(list)}.`);
    }
    return chosen;
  };
  const windows = positiveIntegers('windows', options.windows, DEFAULT_WINDOWS);
  if (windows.some((w) => w < 2)) {
    throw new ParameterError('windows', `The 'windows' option of timeSeriesFeatures must hold integers >= 2 (a std needs two days). Got ${describeValue(windows)}.`);
  }
  return {
    entity,
    lags: positiveIntegers('lags', options.lags, DEFAULT_LAGS),
    windows,
    pctChangePeriods: positiveIntegers('pctChangePeriods', options.pctChangePeriods, DEFAULT_PCT_PERIODS),
    minPeriods: options.minPeriods ?? ((window) => Math.ceil(window / 2)),
  };
}

/** Row indices grouped by the entity columns' values (one group when there are none). */
function groupRows(entityColumns: readonly Column[], n: number): number[][] {
  const groups = new Map<string, number[]>();
  for (let row = 0; row < n; row += 1) {
    const key = entityColumns
      .map((column) => {
        if (column.kind === 'categorical') return String(column.codes[row] ?? MISSING_CODE);
        return String(column.values[row]);
      })
      .join('\u0000');
    let rows = groups.get(key);
    if (rows === undefined) {
      rows = [];
      groups.set(key, rows);
    }
    rows.push(row);
  }
  return [...groups.values()];
}

/** Mean and sample std (ddof 1) of the observed values on days [t - window, t - 1]. */
function pastWindowStats(calendar: Float64Array, t: number, window: number, minPeriods: number): { mean: number; std: number } {
  let sum = 0;
  let count = 0;
  for (let d = Math.max(0, t - window); d < t; d += 1) {
    const v = calendar[d] as number;
    if (!Number.isNaN(v)) {
      sum += v;
      count += 1;
    }
  }
  if (count < Math.max(1, minPeriods)) return { mean: NaN, std: NaN };
  const mean = sum / count;
  if (count < 2) return { mean, std: NaN };
  let squares = 0;
  for (let d = Math.max(0, t - window); d < t; d += 1) {
    const v = calendar[d] as number;
    if (!Number.isNaN(v)) squares += (v - mean) * (v - mean);
  }
  return { mean, std: Math.sqrt(squares / (count - 1)) };
}

