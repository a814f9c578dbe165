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
  const output = features.map(() => new Float64Array(n).fill(NaN));
  const kernel = new SeriesFeatureKernel(settings);
  const row = new Float64Array(kernel.width);

  for (const rows of groupRows(entityColumns, n)) {
    let first = Infinity;
    let last = -Infinity;
    for (const r of rows) {
      first = Math.min(first, days[r] as number);
      last = Math.max(last, days[r] as number);
    }
    const calendar = new Float64Array(last - first + 1).fill(NaN);
    const observed = new Uint8Array(calendar.length);
    for (const r of rows) {
      const index = (days[r] as number) - first;
      if (observed[index]) throw sameDayError(days[r] as number, `row ${r} and an earlier one`, settings.entity, options.date);
      observed[index] = 1;
      calendar[index] = values[r] as number;
    }
    for (const r of rows) {
      kernel.write(calendar, (days[r] as number) - first, days[r] as number, row);
      for (let j = 0; j < row.length; j += 1) (output[j] as Float64Array)[r] = row[j] as number;
    }
  }

  let result = table;
  features.forEach((name, j) => {
    result = result.withColumn(name, numericColumn(output[j] as Float64Array));
  });
  return result;
}

/** Options of {@link SeriesFeatureRows}: those of timeSeriesFeatures without the table's column names. */
export type SeriesFeatureRowsOptions = Omit<TimeSeriesFeatureOptions, 'entity' | 'date' | 'value'> & {
  /** Prefix of the feature names (the value column's name); default 'value'. */
  value?: string;
};

/**
 * timeSeriesFeatures' features for the last rows of ONE series, from its days and values, without
 * a Table: the scoring path, where one new observation needs its lags and windows over the
 * history before it. Only the calendar days those rows' lags and windows reach are laid out (a
 * scored day after 56 days of history reads the last 28, and computes no feature of the history
 * itself); the arithmetic is timeSeriesFeatures' own, so the numbers are identical. Options are
 * checked and the layout fixed once, at construction; `compute` then does no name lookups.
 */
export class SeriesFeatureRows {
  /** Feature names in output order (timeSeriesFeatureNames of the same options). */
  readonly names: readonly string[];
  readonly #kernel: SeriesFeatureKernel;
  /** Reused calendar buffer (grown on demand): compute allocates only its result. */
  #calendar = new Float64Array(64);

  constructor(options: SeriesFeatureRowsOptions = {}) {
    const value = options.value ?? 'value';
    if (typeof value !== 'string') throw new ParameterError('value', `The 'value' option of SeriesFeatureRows must be a string (the feature names' prefix). Got ${describeValue(value)}.`);
    const settings = checkSettings({ ...options, entity: undefined }, 'SeriesFeatureRows');
    this.names = featureNames(value, settings);
    this.#kernel = new SeriesFeatureKernel(settings);
  }

  /** Position of a feature in each output row; throws when these options do not produce it. */
  indexOf(name: string): number {
    const j = this.names.indexOf(name);
    if (j < 0) throw new SchemaError(`SeriesFeatureRows has no feature '${name}' with these options (it computes ${this.names.join(', ')}).`, { column: name });
    return j;
  }

  /**
   * Features of rows `from`..end of one series, row-major ((days.length - from) x names.length).
   * `days`: epoch days (UTC), strictly ascending; `values` may hold NaN (missing values).
   */
  compute(days: ArrayLike<number>, values: ArrayLike<number>, from = 0): Float64Array {
    const n = days.length;
    if (values.length !== n) throw new ParameterError('values', `SeriesFeatureRows.compute needs one value per day: got ${n} days and ${values.length} values.`);
    if (!Number.isInteger(from) || from < 0 || from > n) throw new ParameterError('from', `The 'from' argument of SeriesFeatureRows.compute must be an integer in 0..${n}. Got ${describeValue(from)}.`);
    const width = this.names.length;
    const out = new Float64Array((n - from) * width);
    if (from === n) return out;
    // The first history row any scored row can reach: lags and windows look back at most `reach` days.
    const horizon = (days[from] as number) - this.#kernel.reach;
    let start = from;
    while (start > 0 && (days[start - 1] as number) >= horizon) start -= 1;
    for (let i = start; i < n; i += 1) {
      const day = days[i] as number;
      if (!Number.isInteger(day)) throw new DataError(`Day ${i} of the series is ${describeValue(day)}: SeriesFeatureRows needs whole epoch days. Drop or fill rows without a date first.`, { row: i });
      if (i > start && day <= (days[i - 1] as number)) {
        if (day === days[i - 1]) throw sameDayError(day, `positions ${i - 1} and ${i}`, [], 'days');
        throw new DataError(`Days ${i - 1} and ${i} of the series are out of order: SeriesFeatureRows needs them ascending. Sort the series by day first.`, { row: i });
      }
    }
    const first = days[start] as number;
    const length = (days[n - 1] as number) - first + 1;
    if (this.#calendar.length < length) this.#calendar = new Float64Array(Math.max(length, 2 * this.#calendar.length));
    const calendar = this.#calendar.subarray(0, length).fill(NaN);
    for (let i = start; i < n; i += 1) calendar[(days[i] as number) - first] = values[i] as number;
    for (let i = from; i < n; i += 1) this.#kernel.write(calendar, (days[i] as number) - first, days[i] as number, out, (i - from) * width);
    return out;
  }
}

/**
 * One row of features from a series laid on a daily calendar (NaN = not observed), in
 * featureNames order: the one implementation behind timeSeriesFeatures and SeriesFeatureRows.
 */
class SeriesFeatureKernel {
  readonly width: number;
  /** Days before a row that any feature reads. */
  readonly reach: number;
  readonly #settings: Settings;
  readonly #minPeriods: number[];

  constructor(settings: Settings) {
    this.#settings = settings;
    this.#minPeriods = settings.windows.map((w) => settings.minPeriods(w));
    this.width = settings.lags.length + 3 * settings.windows.length + settings.pctChangePeriods.length + 5;
    this.reach = Math.max(0, ...settings.lags, ...settings.windows, ...settings.pctChangePeriods);
  }

  /** Writes the features of calendar day `t` (epoch day `day`) to out[offset..offset + width). */
  write(calendar: Float64Array, t: number, day: number, out: Float64Array, offset = 0): void {
    const { lags, windows, pctChangePeriods } = this.#settings;
    const current = calendar[t] as number;
    const at = (back: number) => (t - back >= 0 ? (calendar[t - back] as number) : NaN);
    let j = offset;
    for (const lag of lags) out[j++] = at(lag);
    for (let w = 0; w < windows.length; w += 1) {
      const { mean, std } = pastWindowStats(calendar, t, windows[w] as number, this.#minPeriods[w] as number);
      out[j++] = mean;
      out[j++] = std;
      out[j++] = std === 0 ? NaN : (current - mean) / std;
    }
    for (const period of pctChangePeriods) {
      const before = at(period);
      out[j++] = before === 0 ? NaN : current / before - 1;
    }
    const date = new Date(day * MS_PER_DAY);
    const dayOfYear = day - Date.UTC(date.getUTCFullYear(), 0, 1) / MS_PER_DAY + 1;
    out[j++] = (date.getUTCDay() + 6) % 7;
    out[j++] = date.getUTCMonth() + 1;
    out[j++] = dayOfYear;
    out[j++] = Math.sin((2 * Math.PI * dayOfYear) / DAYS_PER_YEAR);
    out[j++] = Math.cos((2 * Math.PI * dayOfYear) / DAYS_PER_YEAR);
  }
}

function sameDayError(day: number, which: string, entity: readonly string[], dateColumn: string): DataError {
  return new DataError(
    `Two rows of the same series fall on ${new Date(day * MS_PER_DAY).toISOString().slice(0, 10)} (${which}). ` +
      `Aggregate to one row per ${entity.length > 0 ? `(${entity.join(', ')}, day)` : 'day'} first.`,
    { column: dateColumn },
  );
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
  return checkSettings(options);
}

function checkSettings(options: Omit<TimeSeriesFeatureOptions, 'date' | 'value'>, owner = 'timeSeriesFeatures'): Settings {
  const entity = options.entity === undefined ? [] : typeof options.entity === 'string' ? [options.entity] : [...options.entity];
  const positiveIntegers = (name: string, list: readonly number[] | undefined, fallback: readonly number[]) => {
    const chosen = list ?? fallback;
    if (!Array.isArray(chosen) || chosen.some((v) => !Number.isInteger(v) || v < 1)) {
      throw new ParameterError(name, `The '${name}' option of ${owner} must be an array of integers >= 1 (days). Got ${describeValue(list)}.`);
    }
    return chosen;
  };
  const windows = positiveIntegers('windows', options.windows, DEFAULT_WINDOWS);
  if (windows.some((w) => w < 2)) {
    throw new ParameterError('windows', `The 'windows' option of ${owner} must hold integers >= 2 (a std needs two days). Got ${describeValue(windows)}.`);
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

