/**
 * Budget Optimizer quickstart, step by step: synthetic marketing data -> train -> recommend a
 * spend for the Python README's test record -> allocate a budget across channels -> save/load.
 * Money is in currency per period (the synthetic rows are channel-days, so per day).
 *
 *   node --conditions=@kdap/source -r ts-node/register examples/budget-quickstart.ts
 *   npx ts-node examples/budget-quickstart.ts        (after npm run build)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BudgetOptimizer, BudgetOptimizerTrainer } from '@kdap/budget';
import { syntheticMarketingSpend } from '@kdap/preprocessing';

async function main(): Promise<void> {
  // 1. Data: 12,000 channel-days over 6 channels, with the generator's true response curves.
  const generated = syntheticMarketingSpend({ rows: 12_000, seed: 42 });
  const cut = 9_600; // first 80% of the days train, the rest validate (time order matters: carry-over)
  const train = generated.table.slice(0, cut);
  const validation = generated.table.slice(cut);

  // 2. Train: return model + lower/upper quantile models, early stopping on the validation days.
  const trainer = new BudgetOptimizerTrainer({ params: { n_estimators: 400, learning_rate: 0.08 } });
  const result = await trainer.fit(train, { validation });
  console.log('validation metrics', result.metrics, 'best iteration', result.bestIteration);
  const optimizer = trainer.optimizer();

  // 3. Recommend for the Python README's test record (context features it lacks are missing values).
  //    50,000 a day is far above any search spend in this synthetic data, so the curve is traced
  //    where the model saw little: read fit_quality and extrapolated before acting on it.
  const readme = optimizer.recommend({ channel_id: 'search', current_spend: 50000, historical_roi_mean: 2.5 });
  console.log('README record', readme);
  //    A record with the channel's full context (its latest training day) at its typical spend,
  //    checked against the generator's true optimum at that day's seasonality and competition.
  const truth = generated.responseCurves.search!;
  const channelIds = train.categorical('channel_id');
  const latest = (channel: string) => train.filter((i) => channelIds.categories[channelIds.codes[i]!] === channel).toRecords().at(-1)!;
  const context: Record<string, unknown> = { ...latest('search'), current_spend: truth.typicalSpend };
  const typical = optimizer.recommend(context);
  const multiplier = Number(context.seasonality_index) * (1 - 0.4 * (Number(context.competitive_intensity) - 0.5));
  const trueOptimum = bisect((s) => multiplier * truth.marginalReturn(s) - 1, truth.typicalSpend / 100, truth.typicalSpend * 20);
  console.log(`search, latest context, typical spend: recommended ${typical.optimal_spend.toFixed(0)} vs true optimum ${trueOptimum.toFixed(0)} per day`);

  // 4. Allocate today's total across channels, starting from the current split.
  const channels = Object.values(generated.responseCurves).map((t) => ({ ...latest(t.channel), current_spend: t.typicalSpend }));
  const totalBudget = channels.reduce((sum, c) => sum + c.current_spend, 0);
  const allocation = optimizer.allocate({ totalBudget, channels, minSpend: { email: 200 } });
  console.table(allocation.channels.map((c) => ({ channel: c.channel_id, current: c.current_spend.toFixed(0), allocated: c.optimal_spend.toFixed(0), marginal_return: c.marginal_return.toFixed(3) })));
  console.log(`expected return ${allocation.expected_total_return.toFixed(0)} vs current ${allocation.current_expected_total_return.toFixed(0)} per day`);

  // 5. Save the bundle and load it elsewhere: identical recommendations.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-budget-'));
  try {
    await trainer.save(path.join(dir, 'budget_optimizer'));
    const loaded = await BudgetOptimizer.load(path.join(dir, 'budget_optimizer'));
    const again = loaded.recommend({ channel_id: 'search', current_spend: 50000, historical_roi_mean: 2.5 });
    console.log('loaded bundle gives the same recommendation:', JSON.stringify(again) === JSON.stringify(readme));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The largest x in [low, high] with f(x) >= 0 for a falling-then-negative f (here: marginal return - 1). */
function bisect(f: (x: number) => number, low: number, high: number): number {
  for (let i = 0; i < 100; i++) {
    const middle = (low + high) / 2;
    if (f(middle) >= 0) low = middle;
    else high = middle;
  }
  return low;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
