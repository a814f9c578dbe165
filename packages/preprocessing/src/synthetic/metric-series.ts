import { ParameterError, describeValue } from '../errors';
import { SeededRandom } from '../random/seeded-random';
import { Table } from '../table/table';
import { categoricalColumn, dateColumn, numericColumn } from '../table/column';
import { MS_PER_DAY } from '../table/dates';
import { resolveChannels } from './channels';

/** Kinds of injected anomaly; normal rows have anomaly_type 'none'. */
export type AnomalyType = 'spike' | 'drop' | 'level_shift';
export const ANOMALY_TYPES: readonly AnomalyType[] = ['spike', 'drop', 'level_shift'];

/** One injected anomaly. */
export interface InjectedAnomaly {
  readonly channel: string;
  readonly metric: string;
  /** Day it starts (epoch ms, UTC midnight). */
  readonly date: number;
  /** Row of the table where it starts. */
  readonly row: number;
  readonly type: AnomalyType;
  /** Multiplier applied to the normal value (a level shift keeps it for the rest of the series). */
  readonly factor: number;
}

/** Options of {@link syntheticMetricSeries}. */
export interface SyntheticMetricSeriesOptions {
  /** Days per series. */
  days: number;
  /** Channel ids, or how many of the standard channels; default 4. */
  channels?: number | readonly string[];
  seed: number;
  /** Metrics per channel; default ['spend', 'clicks', 'conversions', 'revenue']. */
  metrics?: readonly string[];
  /** Share of days (0-0.2) that start an anomaly; default 0.02. */
  anomalyRate?: number;
  /** First day (UTC); default 2023-01-01. */
  startDate?: Date;
}

const DEFAULT_METRICS = ['spend', 'clicks', 'conversions', 'revenue'];
const NOISE_SD = 0.05;
/** Anomalies start only after this many normal days, so a 28-day history exists before each. */
const WARMUP_DAYS = 28;

/**
 * Seeded daily metrics per (channel, metric): level x trend x weekly and yearly seasonality x 5%
 * noise, with injected anomalies: spikes (x2.5-4 for one day), drops (x0.1-0.4 for one day) and
 * level shifts (x1.6-2.2 or x0.4-0.6 from that day on; only the first day is labeled). Columns:
 * date, channel_id, metric, value, is_anomaly (0/1), anomaly_type ('none' | 'spike' | 'drop' |
 * 'level_shift'). Also returns each row's expected (noise- and anomaly-free) value.
 */
export function syntheticMetricSeries(options: SyntheticMetricSeriesOptions): {
  table: Table;
  anomalies: InjectedAnomaly[];
  expectedValues: Float64Array;
} {
  const days = options?.days;
  if (!Number.isInteger(days) || days < 1) {
    throw new ParameterError('days', `The 'days' option of syntheticMetricSeries must be an integer >= 1. Got ${describeValue(days)}.`);
  }
  const channels = resolveChannels('syntheticMetricSeries', options.channels, 4);
  const metrics = options.metrics ?? DEFAULT_METRICS;
  if (!Array.isArray(metrics) || metrics.length === 0 || new Set(metrics).size !== metrics.length) {
    throw new ParameterError('metrics', `The 'metrics' option of syntheticMetricSeries must be distinct metric names. Got ${describeValue(options.metrics)}.`);
  }
  const anomalyRate = options.anomalyRate ?? 0.02;
  if (!(anomalyRate >= 0 && anomalyRate <= 0.2)) {
    throw new ParameterError('anomalyRate', `The 'anomalyRate' option of syntheticMetricSeries must be in [0, 0.2]. Got ${describeValue(options.anomalyRate)}.`);
  }
  const random = new SeededRandom(options.seed);
  const start = options.startDate?.getTime() ?? Date.UTC(2023, 0, 1);
  const sortedChannels = [...channels].sort();
  const sortedMetrics = [...metrics].sort();
  const n = days * channels.length * metrics.length;
  const date = new Float64Array(n);
  const channelCodes = new Int32Array(n);
  const metricCodes = new Int32Array(n);
  const value = new Float64Array(n);
  const expectedValues = new Float64Array(n);
  const isAnomaly = new Float64Array(n);
  const typeCodes = new Int32Array(n);
  const typeCategories = ['none', ...ANOMALY_TYPES];
  const anomalies: InjectedAnomaly[] = [];

  let row = 0;
  for (const channel of channels) {
    for (const metric of metrics) {
      const level = random.logNormal(Math.log(metric === 'conversions' ? 50 : metric === 'clicks' ? 2000 : 5000), 0.8);
      const trendPerDay = random.normal(0, 0.0008);
      const weekly = random.between(0.05, 0.2);
      const weeklyPhase = random.between(0, 2 * Math.PI);
      const yearly = random.between(0.05, 0.15);
      let shift = 1;
      let lastAnomalyDay = -Infinity;
      for (let day = 0; day < days; day += 1) {
        const when = start + day * MS_PER_DAY;
        const dayOfWeek = new Date(when).getUTCDay();
        const expected =
          level *
          Math.exp(trendPerDay * day) *
          (1 + weekly * Math.sin((2 * Math.PI * dayOfWeek) / 7 + weeklyPhase)) *
          (1 + yearly * Math.sin((2 * Math.PI * day) / 365.25));
        let factor = 1;
        let type: AnomalyType | undefined;
        // Anomalies are spaced at least a week apart so each one has a clean local baseline.
        if (day >= WARMUP_DAYS && day - lastAnomalyDay >= 7 && random.uniform() < anomalyRate) {
          type = ANOMALY_TYPES[random.integer(ANOMALY_TYPES.length)] as AnomalyType;
          if (type === 'spike') factor = random.between(2.5, 4);
          else if (type === 'drop') factor = random.between(0.1, 0.4);
          else {
            factor = random.uniform() < 0.5 ? random.between(1.6, 2.2) : random.between(0.4, 0.6);
            shift *= factor;
          }
          lastAnomalyDay = day;
          anomalies.push({ channel, metric, date: when, row, type, factor });
        }
        const noisy = expected * shift * (type === 'level_shift' ? 1 : factor) * Math.max(0.05, 1 + random.normal(0, NOISE_SD));
        date[row] = when;
        channelCodes[row] = sortedChannels.indexOf(channel);
        metricCodes[row] = sortedMetrics.indexOf(metric);
        value[row] = metric === 'clicks' || metric === 'conversions' ? Math.round(noisy) : Math.round(noisy * 100) / 100;
        expectedValues[row] = expected * shift;
        isAnomaly[row] = type === undefined ? 0 : 1;
        typeCodes[row] = type === undefined ? 0 : typeCategories.indexOf(type);
        row += 1;
      }
    }
  }

  const table = new Table({
    date: dateColumn(date),
    channel_id: categoricalColumn(channelCodes, sortedChannels),
    metric: categoricalColumn(metricCodes, sortedMetrics),
    value: numericColumn(value),
    is_anomaly: numericColumn(isAnomaly),
    anomaly_type: categoricalColumn(typeCodes, typeCategories),
  });
  return { table, anomalies, expectedValues };
}

