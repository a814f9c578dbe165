import { AnomalyDetector, AnomalyDetectorTrainer, type AnomalyResult } from '@kdap/anomaly';
import { BudgetOptimizer, BudgetOptimizerTrainer } from '@kdap/budget';
import { PropensityScorer, PropensityTrainer } from '@kdap/propensity';
import { validationSplit, type BundleKey, type ModelConfigOf, type ModelKind, type TrainingProgress, type TrainResult } from '@kdap/core';
import type { DataRecord, Table } from '@kdap/preprocessing';
import { syntheticCustomers, syntheticMarketingSpend, syntheticMetricSeries } from '@kdap/preprocessing';
import type { TrialRecord } from './commands/tuning-runs';
import type { ModelName } from './model-names';
import type { ReportSection } from './report/report-data';

/** What the CLI needs of a trainer: the core Trainer contract, narrowed. */
export interface CliTrainer {
  fit(table: Table, options: { target?: string; signal?: AbortSignal; onProgress?: (p: TrainingProgress) => void }): Promise<TrainResult>;
  save(dir: string, options?: { signingKey?: BundleKey }): Promise<unknown>;
  /** Logs params, metrics, history, config, the bundle and a logged model to MLflow; resolves to the run id. */
  logToMlflow(options: { runName: string; artifacts?: Readonly<Record<string, string>> }): Promise<string>;
  featureSchema: { features: readonly { name: string }[] } | { names?: readonly string[] } | unknown;
  dispose?(): void;
}

/** What `kdap train --tune` asks of a model's tuner. */
export interface TuneRequest {
  nTrials: number;
  signal: AbortSignal;
  /** --target: the target (propensity) or label column (anomaly). */
  target?: string;
  onTrial: (trial: { number: number; state: string; value: number | undefined }, best: number | undefined) => void;
}

/** What a model's tuner hands back: the refitted trainer, the study's best, and every trial (for MLflow's nested runs). */
export interface TuneOutcome {
  trainer: CliTrainer;
  bestValue: number;
  bestParams: Record<string, unknown>;
  metric: string;
  trials: readonly TrialRecord[];
}

/** A study's onTrial callback that hands the CLI each finished trial and the best value so far. */
function reportTrials(onTrial: TuneRequest['onTrial']): (trial: { number: number; state: string; value: number | undefined }, study: { readonly bestValue: number }) => void {
  return (trial, study) => {
    let best: number | undefined;
    try {
      best = study.bestValue;
    } catch {
      best = undefined; // no complete trial yet
    }
    onTrial({ number: trial.number, state: String(trial.state), value: trial.value }, best);
  };
}

/** The label column the anomaly study scores against: --target, else features.target, else the synthetic data's `is_anomaly`. */
export const ANOMALY_LABEL_COLUMN = 'is_anomaly';

/** The model-specific parts of a training report. */
export interface ModelReport {
  importance: { feature: string; value: number }[];
  importanceKind: string;
  sections: ReportSection[];
}

/** What the CLI needs of a loaded model: batch scoring to the model's documented records. */
export interface CliScorer {
  scoreTable(table: Table): Promise<Record<string, unknown>[]>;
  /**
   * The same results as a Table of typed columns, for tabular outputs (Parquet, CSV): no object
   * per row. Optional; models without it go through `scoreTable`'s records.
   */
  scoreColumns?(table: Table): Table;
  dispose?(): void;
}

/** One model the CLI can train, synthesize data for, and score with. */
export interface CliModel<K extends ModelKind = ModelKind> {
  kind: K;
  /** The bundle directory's name under --output (the Python module's model file stem). */
  bundleName: string;
  title: string;
  /** What --samples counts, for --help. */
  samplesMeaning: string;
  defaultSamples: number;
  synthesize(samples: number, seed: number): Table;
  /** A trainer with the configuration (default: packaged) and the column flags' `columns` option. */
  createTrainer(config: ModelConfigOf<K> | undefined, columns: Readonly<Record<string, string | string[]>>): CliTrainer;
  /** Loads a bundle; with `signingKey` only one signed with it. */
  load(dir: string, options?: { signingKey?: BundleKey }): Promise<CliScorer>;
  /**
   * Hyperparameter search (TPE with median pruning over the YAML search space) on a time-ordered
   * validation split, then the final fit with the best parameters; absent when the model has none yet.
   */
  tune?(trainer: CliTrainer, table: Table, options: TuneRequest): Promise<TuneOutcome>;
  /** Feature importance and the model's own charts, from the fitted trainer and its training table. */
  report(trainer: CliTrainer, table: Table): ModelReport;
}

const budget: CliModel<'budget'> = {
  kind: 'budget',
  bundleName: 'budget_optimizer',
  title: 'Budget Optimizer',
  samplesMeaning: 'channel-days',
  defaultSamples: 10_000,
  synthesize: (samples, seed) => syntheticMarketingSpend({ rows: samples, seed }).table,
  createTrainer: (config, columns) => new BudgetOptimizerTrainer({ ...(config === undefined ? {} : { config }), columns }) as unknown as CliTrainer,
  load: async (dir, options) => {
    const optimizer = await BudgetOptimizer.load(dir, options);
    return {
      scoreTable: async (table) => optimizer.recommendMany(table.toRecords() as DataRecord[]) as unknown as Record<string, unknown>[],
      dispose: () => (optimizer as { dispose?: () => void }).dispose?.(),
    };
  },
  report: (trainer, table) => budgetReport((trainer as unknown as BudgetOptimizerTrainer).optimizer(), table),
  tune: async (trainer, table, { nTrials, signal, onTrial }) => {
    const budgetTrainer = trainer as unknown as BudgetOptimizerTrainer;
    const date = budgetTrainer.columns.date ?? 'date';
    const dateColumn = table.has(date) && table.column(date).kind === 'date' ? date : undefined;
    const split = validationSplit(table, { fraction: budgetTrainer.config.data.validation_size ?? 0.1, ...(dateColumn ? { dateColumn } : {}) });
    const tuned = await budgetTrainer.tune(split.train as Table, {
      validation: split.validation,
      nTrials,
      signal,
      onTrial: reportTrials(onTrial),
    });
    return { trainer: tuned.trainer as unknown as CliTrainer, bestValue: tuned.bestValue, bestParams: tuned.bestParams, trials: tuned.study.trials, metric: budgetTrainer.config.tuning.metric };
  },
};

/**
 * Budget report: for each channel, the traced response curve (model prediction, smooth Hill
 * curve, quantile band) around its latest training day, with the recommended optimum marked.
 */
/**
 * Each channel's last row in table order, as a record, channels in order of first appearance
 * (missing channel: 'null'). Only those rows become records: all 100,000 as records took ~0.15 s
 * of `kdap train budget` plus their garbage collection.
 */
function latestRowPerChannel(table: Table, channelColumn: string): Map<string, Record<string, unknown>> {
  const lastRow = new Map<string, number>();
  if (table.has(channelColumn)) {
    const column = table.column(channelColumn);
    if (column.kind === 'categorical') {
      for (let i = 0; i < column.codes.length; i++) {
        const code = column.codes[i]!;
        lastRow.set(code < 0 ? 'null' : column.categories[code]!, i);
      }
    } else {
      table.toRecords().forEach((r, i) => lastRow.set(String(r[channelColumn]), i));
    }
  }
  return new Map([...lastRow].map(([channel, i]) => [channel, table.slice(i, i + 1).toRecords()[0] as Record<string, unknown>]));
}

function budgetReport(optimizer: BudgetOptimizer, table: Table): ModelReport {
  const gain = optimizer.featureImportance('gain');
  const importance = Object.entries(gain).map(([feature, value]) => ({ feature, value })).sort((a, b) => b.value - a.value);
  // The table is in the user's column names (--channel-column ...); the optimizer takes those.
  const latest = latestRowPerChannel(table, optimizer.columns.channel ?? 'channel_id');
  const charts: ReportSection['charts'] = [];
  const rows: (string | number | null)[][] = [];
  for (const [channel, record] of latest) {
    const curve = optimizer.responseCurve(record, { points: 60 });
    const rec = optimizer.recommend(record);
    const at = (key: 'lower_return' | 'upper_return' | 'predicted_return' | 'smoothed_return') => curve.points.map((p) => ({ x: p.spend, y: p[key] }));
    charts.push({
      id: `response-${channel}`.replace(/[^A-Za-z0-9_-]/g, '_'),
      title: `Response curve: ${channel}`,
      caption: `Return per period against spend on the channel's latest training day; band = quantile models; marker = recommended spend ${Math.round(rec.optimal_spend).toLocaleString('en-US')}.`,
      kind: 'line',
      xLabel: 'spend per period',
      yLabel: 'return per period',
      series: [
        { label: 'lower quantile', data: at('lower_return'), dashed: true },
        { label: 'upper quantile', data: at('upper_return'), dashed: true, fillToPrevious: true },
        { label: 'model prediction', data: at('predicted_return') },
        { label: 'smooth curve', data: at('smoothed_return') },
        { label: 'recommended spend', data: [{ x: rec.optimal_spend, y: rec.expected_return }], pointsOnly: true },
      ],
    });
    rows.push([channel, Number(record.current_spend), rec.optimal_spend, rec.confidence_interval_lower, rec.confidence_interval_upper, rec.expected_return, rec.marginal_return]);
  }
  return {
    importance,
    importanceKind: 'total gain',
    sections: [{
      title: 'Budget response by channel',
      text: 'Each curve is traced by the fitted model over the spend range it supports for that channel, holding the rest of the latest day fixed.',
      charts,
      tables: [{ title: 'Recommendations at the latest training day', columns: ['channel', 'current spend', 'optimal spend', 'interval lower', 'interval upper', 'expected return', 'marginal return'], rows }],
    }],
  };
}

const propensity: CliModel<'propensity'> = {
  kind: 'propensity',
  bundleName: 'propensity',
  title: 'Propensity Scorer',
  samplesMeaning: 'customers',
  defaultSamples: 10_000,
  synthesize: (samples, seed) => syntheticCustomers({ samples, seed }).table,
  createTrainer: (config, columns) => new PropensityTrainer({ ...(config === undefined ? {} : { config }), columns }) as unknown as CliTrainer,
  load: async (dir, options) => {
    const scorer = await PropensityScorer.load(dir, options);
    return {
      scoreTable: async (table) => scorer.scoreMany(table) as unknown as Record<string, unknown>[],
      scoreColumns: (table) => scorer.scoreTable(table),
      dispose: () => scorer.dispose(),
    };
  },
  report: (trainer, table) => propensityReport((trainer as unknown as PropensityTrainer).scorer(), table),
  tune: async (trainer, table, { nTrials, signal, target, onTrial }) => {
    const propensityTrainer = trainer as unknown as PropensityTrainer;
    // The trainer splits off its own early-stopping rows; trials are scored there, the metric rows stay unseen.
    const tuned = await propensityTrainer.tune(table, { nTrials, signal, ...(target === undefined ? {} : { target }), onTrial: reportTrials(onTrial) });
    return { trainer: tuned.trainer as unknown as CliTrainer, bestValue: tuned.bestValue, bestParams: tuned.bestParams, trials: tuned.study.trials, metric: propensityTrainer.config.tuning.metric };
  },
};

/** Synthetic metric series: 4 channels x 4 metrics = 16 series, so N rows = ceil(N / 16) days each. */
const ANOMALY_SERIES = 16;

const anomaly: CliModel<'anomaly'> = {
  kind: 'anomaly',
  bundleName: 'anomaly_detector',
  title: 'Anomaly Detector',
  samplesMeaning: `rows (days x ${ANOMALY_SERIES} series)`,
  defaultSamples: 5_000,
  synthesize: (samples, seed) => syntheticMetricSeries({ days: Math.max(1, Math.ceil(samples / ANOMALY_SERIES)), seed }).table,
  createTrainer: (config, columns) => new AnomalyDetectorTrainer({ ...(config === undefined ? {} : { config }), columns }) as unknown as CliTrainer,
  load: async (dir, options) => {
    const detector = await AnomalyDetector.load(dir, options);
    return { scoreTable: async (table) => detector.detectTable(table) as unknown as Record<string, unknown>[], dispose: () => detector.dispose() };
  },
  report: (trainer, table) => anomalyReport((trainer as unknown as AnomalyDetectorTrainer).detector, table),
  tune: async (trainer, table, { nTrials, signal, target, onTrial }) => {
    const anomalyTrainer = trainer as unknown as AnomalyDetectorTrainer;
    const label = target ?? anomalyTrainer.config.features.target ?? (table.has(ANOMALY_LABEL_COLUMN) ? ANOMALY_LABEL_COLUMN : undefined);
    const tuned = await anomalyTrainer.tune(table, { nTrials, signal, ...(label === undefined ? {} : { target: label }), onTrial: reportTrials(onTrial) });
    return { trainer: tuned.trainer as unknown as CliTrainer, bestValue: tuned.bestValue, bestParams: tuned.bestParams, trials: tuned.study.trials, metric: anomalyTrainer.config.tuning.metric };
  },
};

/** Every model the CLI knows, by the name used on the command line (MODEL_NAMES, checked here at compile time). */
export const CLI_MODELS: Readonly<Record<string, CliModel>> = { budget, propensity, anomaly } satisfies Record<ModelName, CliModel<ModelKind>> as Readonly<Record<string, CliModel>>;

export { MODEL_NAMES } from './model-names';

/** Customers whose SHAP contributions give the propensity report's feature importance. */
const SHAP_SAMPLE = 500;

/**
 * Propensity report: calibration (reliability bins with Wilson intervals against the diagonal),
 * cumulative gains by decile, the score distribution, and mean |SHAP| as importance.
 */
function propensityReport(scorer: PropensityScorer, table: Table): ModelReport {
  const sample = table.rowCount > 2000 ? table.slice(0, 2000) : table;
  // Exact TreeSHAP costs about 1 ms a customer (121 trees of depth 6: 2,000 rows took 2.2 s of a
  // 7 s `kdap train propensity --samples 100000` on a busy machine); the mean |SHAP| of 500 rows
  // ranks the features the same way (measured on that model: same order, means within 5%).
  const factors = scorer.topFactors(sample.rowCount > SHAP_SAMPLE ? sample.slice(0, SHAP_SAMPLE) : sample, { top: 1000 });
  const sums = new Map<string, number>();
  for (const row of factors) for (const f of row) sums.set(f.feature, (sums.get(f.feature) ?? 0) + Math.abs(f.contribution));
  const importance = [...sums].map(([feature, total]) => ({ feature, value: total / Math.max(1, factors.length) })).sort((a, b) => b.value - a.value);
  const report = scorer.report;
  const charts: ReportSection['charts'] = [];
  const tables: NonNullable<ReportSection['tables']> = [];
  if (report !== null) {
    const bins = report.bins.filter((b) => b.count > 0);
    charts.push({
      id: 'calibration-curve',
      title: 'Calibration (held-out rows)',
      caption: `Observed conversion rate per score bin with 95% Wilson intervals; on the diagonal = calibrated. ECE ${report.ece.toFixed(4)}, Brier ${report.brier.toFixed(4)}.`,
      kind: 'line',
      xLabel: 'mean calibrated score',
      yLabel: 'observed rate',
      series: [
        { label: 'Wilson lower', data: bins.map((b) => ({ x: b.mean_predicted, y: b.wilson_lower })), dashed: true },
        { label: 'Wilson upper', data: bins.map((b) => ({ x: b.mean_predicted, y: b.wilson_upper })), dashed: true, fillToPrevious: true },
        { label: 'observed rate', data: bins.map((b) => ({ x: b.mean_predicted, y: b.observed_rate })) },
        { label: 'perfect calibration', data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], dashed: true },
      ],
    });
    const gains = report.gains;
    if (gains.length > 0) {
      charts.push({
        id: 'gains',
        title: 'Cumulative gains by decile',
        caption: 'Share of all converters found when contacting the top deciles by score.',
        kind: 'line',
        xLabel: 'deciles contacted',
        yLabel: 'share of converters',
        series: [
          { label: 'model', data: [{ x: 0, y: 0 }, ...gains.map((g) => ({ x: g.decile, y: g.cumulative_gain }))] },
          { label: 'random', data: [{ x: 0, y: 0 }, { x: gains.length, y: 1 }], dashed: true },
        ],
      });
      tables.push({ title: 'Gains and lift (held-out rows)', columns: ['decile', 'customers', 'converters', 'response rate', 'cumulative gain', 'lift'], rows: gains.map((g) => [g.decile, g.count, g.positives, g.response_rate, g.cumulative_gain, g.lift]) });
    }
  }
  const scores = scorer.predict(sample);
  const counts = new Array<number>(20).fill(0);
  for (const p of scores) counts[Math.min(19, Math.floor(p * 20))]!++;
  charts.push({ id: 'score-histogram', title: 'Score distribution (training customers)', kind: 'bar', xLabel: 'calibrated score', yLabel: 'customers', labels: counts.map((_, i) => `${(i / 20).toFixed(2)}`), series: [{ label: 'customers', data: counts }] });
  return { importance, importanceKind: 'mean |SHAP| (log-odds)', sections: [{ title: 'Propensity: calibration and ranking', charts, tables }] };
}

/** Anomaly report: the first series with the expected value, flagged points by type. */
function anomalyReport(detector: AnomalyDetector, table: Table): ModelReport {
  const results = detector.detectTable(table) as AnomalyResult[];
  const bySeries = new Map<string, AnomalyResult[]>();
  for (const r of results) {
    const key = Object.values(r.entity).join(' / ') || 'series';
    (bySeries.get(key) ?? bySeries.set(key, []).get(key)!).push(r);
  }
  const charts: ReportSection['charts'] = [];
  const rows: (string | number | null)[][] = [];
  for (const [key, series] of bySeries) {
    const flagged = series.filter((r) => r.is_anomaly);
    rows.push([key, series.length, flagged.length, flagged.filter((r) => r.anomaly_type === 'spike').length, flagged.filter((r) => r.anomaly_type === 'drop').length, flagged.filter((r) => r.anomaly_type === 'level_shift').length]);
    if (charts.length >= 4) continue;
    const day = (r: AnomalyResult) => Date.parse(r.date) / 86_400_000;
    const points = (type: string) => flagged.filter((r) => r.anomaly_type === type).map((r) => ({ x: day(r), y: r.value }));
    charts.push({
      id: `series-${charts.length}`,
      title: `Series ${key}`,
      caption: 'Value and the robust seasonal expectation; flagged points by type (x: days since 1970-01-01).',
      kind: 'line',
      xLabel: 'day',
      yLabel: 'value',
      series: [
        { label: 'value', data: series.map((r) => ({ x: day(r), y: r.value })) },
        { label: 'expected', data: series.map((r) => ({ x: day(r), y: Number.isFinite(r.expected_value) ? r.expected_value : null })), dashed: true },
        { label: 'spike', data: points('spike'), pointsOnly: true },
        { label: 'drop', data: points('drop'), pointsOnly: true },
        { label: 'level shift', data: points('level_shift'), pointsOnly: true },
      ],
    });
  }
  return {
    importance: [],
    importanceKind: 'none (unsupervised)',
    sections: [{ title: 'Anomalies in the training data', text: 'Detection over the training rows themselves (the first four series drawn).', charts, tables: [{ title: 'Flags per series', columns: ['series', 'rows', 'flagged', 'spikes', 'drops', 'level shifts'], rows }] }],
  };
}
