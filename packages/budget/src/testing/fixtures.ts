import { budgetOptimizerDefaults, type BudgetOptimizerConfig, type DeepPartial, applyOverrides } from '@kdap/core';
import { syntheticMarketingSpend, type ChannelResponseTruth, type Table } from '@kdap/preprocessing';

/** Test configuration: the built-in defaults with fewer rounds, so the suite stays fast. */
export function testConfig(overrides: DeepPartial<BudgetOptimizerConfig> = {}): BudgetOptimizerConfig {
  return applyOverrides('budget', budgetOptimizerDefaults, {
    hyperparameters: { lightgbm: { n_estimators: 400, learning_rate: 0.08 } },
    // One thread: the suite runs next to other work, where an OpenMP team spinning on a descheduled member collapses.
    training: { early_stopping_rounds: 30, n_jobs: 1 },
    ...overrides,
  });
}

/** Seeded synthetic data, split in time: the first 80% of days train, the rest validate. */
export function syntheticSplit(rows: number, seed: number) {
  const generated = syntheticMarketingSpend({ rows, seed });
  const cut = Math.floor((rows * 0.8) / 6) * 6;
  return { ...generated, train: generated.table.slice(0, cut), validation: generated.table.slice(cut) };
}

/**
 * The generator's context multiplier of expected return (documented in
 * @kdap/preprocessing's syntheticMarketingSpend: 1 at seasonality 1 and competition 0.5).
 */
export function contextMultiplier(seasonality: number, competition: number): number {
  return seasonality * (1 - 0.4 * (competition - 0.5));
}

/** True optimal steady spend per period in a context: the largest s with m * marginalReturn(s) >= 1. */
export function trueOptimum(truth: ChannelResponseTruth, multiplier: number): number {
  const top = truth.typicalSpend * 20;
  const steps = 20_000;
  let last = -1;
  for (let i = steps; i >= 1; i--) {
    if (multiplier * truth.marginalReturn((top * i) / steps) >= 1) {
      last = i;
      break;
    }
  }
  if (last < 0) return 0;
  let a = (top * last) / steps;
  let b = (top * (last + 1)) / steps;
  for (let i = 0; i < 80; i++) {
    const m = (a + b) / 2;
    if (multiplier * truth.marginalReturn(m) >= 1) a = m;
    else b = m;
  }
  return a;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A channel's typical context from the training table: the median of each numeric feature over its rows. */
export function channelContext(table: Table, channel: string): Record<string, number | string> {
  const column = table.categorical('channel_id');
  const rows: number[] = [];
  for (let i = 0; i < table.rowCount; i++) if (column.categories[column.codes[i]!] === channel) rows.push(i);
  const context: Record<string, number | string> = { channel_id: channel };
  for (const name of ['historical_roi_mean', 'audience_size', 'market_share', 'cpm', 'ctr', 'cvr']) {
    const values = table.numeric(name).values;
    context[name] = median(rows.map((i) => values[i]!));
  }
  return context;
}
