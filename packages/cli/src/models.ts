import { BudgetOptimizer, BudgetOptimizerTrainer } from '@kdap/budget';
import type { ModelConfigOf, ModelKind, TrainingProgress, TrainResult } from '@kdap/core';
import type { DataRecord, Table } from '@kdap/preprocessing';
import { syntheticMarketingSpend } from '@kdap/preprocessing';

/** What the CLI needs of a trainer: the core Trainer contract, narrowed. */
export interface CliTrainer {
  fit(table: Table, options: { target?: string; signal?: AbortSignal; onProgress?: (p: TrainingProgress) => void }): Promise<TrainResult>;
  save(dir: string): Promise<unknown>;
  featureSchema: { features: readonly { name: string }[] } | { names?: readonly string[] } | unknown;
  dispose?(): void;
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
};

/** Every model the CLI knows, by the name used on the command line. */
export const CLI_MODELS: Readonly<Record<string, CliModel>> = { budget } as Readonly<Record<string, CliModel>>;

/** The names `kdap train` accepts (models that have landed). */
export const MODEL_NAMES = Object.keys(CLI_MODELS);
