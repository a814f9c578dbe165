import { BudgetOptimizer, BudgetOptimizerTrainer } from '@kdap/budget';
import type { ModelConfigOf, ModelKind, TrainingProgress, TrainResult } from '@kdap/core';
import type { DataRecord, Table } from '@kdap/preprocessing';
import { syntheticMarketingSpend } from '@kdap/preprocessing';
import type { ReportSection } from './report/report-data';

/** What the CLI needs of a trainer: the core Trainer contract, narrowed. */
export interface CliTrainer {
  fit(table: Table, options: { target?: string; signal?: AbortSignal; onProgress?: (p: TrainingProgress) => void }): Promise<TrainResult>;
  save(dir: string): Promise<unknown>;
  featureSchema: { features: readonly { name: string }[] } | { names?: readonly string[] } | unknown;
  dispose?(): void;
}

/** The model-specific parts of a training report. */
export interface ModelReport {
  importance: { feature: string; value: number }[];
  importanceKind: string;
  sections: ReportSection[];
}

/** What the CLI needs of a loaded model: batch scoring to the model's documented records. */
export interface CliScorer {
  scoreTable(table: Table): Promise<Record<string, unknown>[]>;
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
  createTrainer(config: ModelConfigOf<K> | undefined): CliTrainer;
  load(dir: string): Promise<CliScorer>;
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
  createTrainer: (config) => new BudgetOptimizerTrainer(config === undefined ? {} : { config }) as unknown as CliTrainer,
  load: async (dir) => {
    const optimizer = await BudgetOptimizer.load(dir);
    return {
      scoreTable: async (table) => optimizer.recommendMany(table.toRecords() as DataRecord[]) as unknown as Record<string, unknown>[],
      dispose: () => (optimizer as { dispose?: () => void }).dispose?.(),
    };
  },
  report: (trainer, table) => budgetReport((trainer as unknown as BudgetOptimizerTrainer).optimizer(), table),
};

/**
 * Budget report: for each channel, the traced response curve (model prediction, smooth Hill
 * curve, quantile band) around its latest training day, with the recommended optimum marked.
 */
function budgetReport(optimizer: BudgetOptimizer, table: Table): ModelReport {
  const gain = optimizer.featureImportance('gain');
  const importance = Object.entries(gain).map(([feature, value]) => ({ feature, value })).sort((a, b) => b.value - a.value);
  const latest = new Map<string, Record<string, unknown>>();
  if (table.has('channel_id')) {
    const records = table.toRecords();
    for (const r of records) latest.set(String(r.channel_id), r as Record<string, unknown>);
  }
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

/** Every model the CLI knows, by the name used on the command line. */
export const CLI_MODELS: Readonly<Record<string, CliModel>> = { budget } as Readonly<Record<string, CliModel>>;

/** The names `kdap train` accepts (models that have landed). */
export const MODEL_NAMES = Object.keys(CLI_MODELS);
