import { BudgetOptimizerTrainer } from './trainer';
import { channelContext, contextMultiplier, syntheticSplit, testConfig, trueOptimum } from './testing/fixtures';

/**
 * Accuracy against the generator's true response curves (Hill saturation with carry-over): the
 * expected values come from @kdap/preprocessing's ground truth, never from the code under test.
 * Five seeds, so the bar holds for data sets rather than for one lucky draw. Measured when this
 * was written: 83%, 91%, 80%, 100% and 78% of the 54 contexts per seed, 86% pooled. Misses
 * concentrate on channels whose Hill shape is near 1, where the true marginal return stays near 1
 * over a wide range of spend and a few percent of slope error moves the optimum a lot, and on
 * contexts where no spend is profitable (true optimum 0).
 */
const SEEDS = [11, 12, 13, 14, 15];
const ROWS = 36_000;

interface Outcome {
  seed: number;
  channel: string;
  seasonality: number;
  competition: number;
  truth: number;
  recommended: number;
}

describe('BudgetOptimizer accuracy on synthetic data with known curves', () => {
  const data = syntheticSplit(ROWS, SEEDS[0]!);
  const trainer = new BudgetOptimizerTrainer({ config: testConfig() });
  beforeAll(async () => {
    await trainer.fit(data.train, { validation: data.validation });
  }, 240_000);

  it(`recommends within 10% of the true optimum for at least 80% of channel contexts over ${SEEDS.length} seeds`, async () => {
    const outcomes: Outcome[] = [];
    for (const seed of SEEDS) {
      const split = seed === SEEDS[0] ? data : syntheticSplit(ROWS, seed);
      const fitted = seed === SEEDS[0] ? trainer : new BudgetOptimizerTrainer({ config: testConfig() });
      if (fitted !== trainer) await fitted.fit(split.train, { validation: split.validation });
      const optimizer = fitted.optimizer();
      for (const [channel, truth] of Object.entries(split.responseCurves)) {
        const base = channelContext(split.train, channel);
        for (const seasonality of [0.9, 1, 1.1]) {
          for (const competition of [0.35, 0.5, 0.65]) {
            const record = { ...base, current_spend: truth.typicalSpend, seasonality_index: seasonality, competitive_intensity: competition };
            const recommended = optimizer.recommend(record).optimal_spend;
            outcomes.push({ seed, channel, seasonality, competition, truth: trueOptimum(truth, contextMultiplier(seasonality, competition)), recommended });
          }
        }
      }
      if (fitted !== trainer) fitted.model.dispose();
    }
    const hit = (o: Outcome) => Math.abs(o.recommended - o.truth) <= 0.1 * o.truth;
    const share = outcomes.filter(hit).length / outcomes.length;
    const perSeed = SEEDS.map((seed) => {
      const own = outcomes.filter((o) => o.seed === seed);
      return `seed ${seed}: ${own.filter(hit).length}/${own.length}`;
    });
    const misses = outcomes.filter((o) => !hit(o)).map((o) => `seed ${o.seed} ${o.channel} s=${o.seasonality} c=${o.competition} truth=${o.truth.toFixed(0)} rec=${o.recommended.toFixed(0)}`);
    console.log(`within 10%: ${(100 * share).toFixed(1)}% (${perSeed.join(', ')})\nmisses:\n${misses.join('\n')}`);
    expect(outcomes).toHaveLength(54 * SEEDS.length);
    expect(share).toBeGreaterThanOrEqual(0.8);
  }, 600_000);

  it('allocates a total budget for a higher true return than the current split and a proportional split', () => {
    const optimizer = trainer.optimizer();
    const truths = Object.entries(data.responseCurves);
    // A deliberately uneven current split around each channel's typical spend.
    const skew = [1.8, 0.5, 1.4, 0.6, 1.2, 0.7];
    const current = truths.map(([, t], i) => t.typicalSpend * skew[i]!);
    const totalBudget = current.reduce((a, b) => a + b, 0);
    const channels = truths.map(([channel], i) => ({ ...channelContext(data.train, channel), current_spend: current[i]!, seasonality_index: 1, competitive_intensity: 0.5 }));
    const allocation = optimizer.allocate({ totalBudget, channels });

    const allocated = allocation.channels.map((c) => c.optimal_spend);
    expect(allocated.reduce((a, b) => a + b, 0)).toBeCloseTo(totalBudget, 6);
    const typicalTotal = truths.reduce((sum, [, t]) => sum + t.typicalSpend, 0);
    const proportional = truths.map(([, t]) => (t.typicalSpend / typicalTotal) * totalBudget);
    // True steady-state return at neutral context, from the generator's curves.
    const trueTotal = (split: number[]) => split.reduce((sum, s, i) => sum + truths[i]![1].expectedReturn(s), 0);
    console.log(`true total return: allocate ${trueTotal(allocated).toFixed(0)}, current ${trueTotal(current).toFixed(0)}, proportional ${trueTotal(proportional).toFixed(0)}, true optimum ${trueTotal(Object.values(data.optimalAllocation(totalBudget))).toFixed(0)}`);
    expect(trueTotal(allocated)).toBeGreaterThan(trueTotal(current));
    expect(trueTotal(allocated)).toBeGreaterThan(trueTotal(proportional));
    expect(allocation.expected_total_return).toBeGreaterThanOrEqual(allocation.current_expected_total_return);
    expect(allocation.channels.map((c) => c.channel_id)).toEqual(truths.map(([c]) => c));
  });
});
