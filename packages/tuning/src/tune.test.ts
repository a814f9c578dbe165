import { setTimeout as sleep } from 'node:timers/promises';
import { AbortError } from '@kdap/errors';
import { expectKdapError } from '@kdap/test-support';
import { MedianPruner, metricDirection, RandomSampler, tune, type SearchDimension } from './index';

const space: Record<string, SearchDimension> = {
  learning_rate: { type: 'float', low: 0.005, high: 0.3, log: true },
  num_leaves: { type: 'int', low: 15, high: 255 },
  boosting: { type: 'categorical', choices: ['gbdt', 'dart'] },
};

/** A stand-in model: a validation loss curve per round that depends on the params, stopping on the signal like Booster.train. */
async function boost(params: Record<string, unknown>, hooks: { signal: AbortSignal; onIteration: (i: number, v: number) => void }, rounds: number[]): Promise<number> {
  const floor = Math.abs(Math.log10(params.learning_rate as number) + 1.5) + (params.boosting === 'dart' ? 0.5 : 0);
  let loss = Infinity;
  for (let i = 1; i <= 50; i++) {
    if (hooks.signal.aborted) {
      rounds.push(i - 1);
      throw new AbortError(`boosting stopped after ${i - 1} rounds`);
    }
    loss = floor + 5 / i;
    hooks.onIteration(i, loss);
    if (i % 10 === 0) await sleep(0);
  }
  rounds.push(50);
  return loss;
}

describe('tune', () => {
  it('samples the YAML search space, prunes through the signal (the model stops boosting) and returns the best', async () => {
    const rounds: number[] = [];
    const seen: Array<Record<string, unknown>> = [];
    const result = await tune({
      searchSpace: space,
      direction: metricDirection('rmse'),
      nTrials: 20,
      sampler: new RandomSampler({ seed: 2 }),
      pruner: new MedianPruner({ nStartupTrials: 3 }),
      evaluate: (params, hooks) => {
        seen.push(params);
        return boost(params, hooks, rounds);
      },
    });
    for (const p of seen) {
      expect(p.learning_rate as number).toBeGreaterThanOrEqual(0.005);
      expect(Number.isInteger(p.num_leaves)).toBe(true);
      expect(['gbdt', 'dart']).toContain(p.boosting);
    }
    const states = result.study.trials.map((t) => t.state);
    expect(states.filter((s) => s === 'PRUNED').length).toBeGreaterThan(3);
    result.study.trials.forEach((t, i) => {
      if (t.state === 'PRUNED') expect(rounds[i]).toBeLessThan(50);
      else expect(rounds[i]).toBe(50);
    });
    expect(result.bestValue).toBe(Math.min(...result.study.trials.filter((t) => t.state === 'COMPLETE').map((t) => t.value!)));
    expect(result.summary).toMatchObject({ n_trials: 20, best_value: result.bestValue, direction: 'minimize' });
  });

  it('knows metric directions and refuses an empty search space', async () => {
    expect(metricDirection('auc')).toBe('maximize');
    expect(metricDirection('r2')).toBe('maximize');
    expect(metricDirection('mae')).toBe('minimize');
    expectKdapError(() => metricDirection('speed'), 'ERR_KDAP_PARAMETER', /no known direction/);
    await expectKdapError(() => tune({ searchSpace: {}, direction: 'minimize', evaluate: async () => 1, nTrials: 1 }), 'ERR_KDAP_PARAMETER', /non-empty search space/);
  });
});
