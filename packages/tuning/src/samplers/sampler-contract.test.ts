import { mixedObjective } from '@kdap/test-support';
import { createStudy, RandomSampler, TPESampler, TrialPruned, type Sampler, type Trial } from '../index';

/** One contract, every sampler (as Optuna's tests/samplers_tests/test_samplers.py runs over its samplers). */
const SAMPLERS: Array<[string, (seed: number) => Sampler]> = [
  ['RandomSampler', (seed) => new RandomSampler({ seed })],
  ['TPESampler', (seed) => new TPESampler({ seed })],
  ['TPESampler (multivariate)', (seed) => new TPESampler({ seed, multivariate: true })],
  ['TPESampler (3 startup trials, endpoints, no prior)', (seed) => new TPESampler({ seed, nStartupTrials: 3, considerEndpoints: true, considerPrior: false })],
];

function everyKind(trial: Trial) {
  return {
    x: trial.suggestFloat('x', -3, 3),
    lr: trial.suggestFloat('lr', 1e-6, 1, { log: true }),
    frac: trial.suggestFloat('frac', 0.1, 1, { step: 0.1 }),
    n: trial.suggestInt('n', -4, 9),
    even: trial.suggestInt('even', 2, 20, { step: 2 }),
    leaves: trial.suggestInt('leaves', 2, 256, { log: true }),
    c: trial.suggestCategorical('c', ['gbdt', 7, true, null]),
    fixed: trial.suggestInt('fixed', 5, 5),
  };
}

function score(p: ReturnType<typeof everyKind>): number {
  return (p.x - 1) ** 2 + Math.abs(Math.log10(p.lr) + 3) + Math.abs(p.frac - 0.3) + Math.abs(p.n - 2) + Math.abs(p.even - 8) / 2 + Math.abs(Math.log2(p.leaves) - 5) + (p.c === 7 ? 0 : 1);
}

describe.each(SAMPLERS)('%s honours the sampler contract', (_name, make) => {
  it('keeps every value inside its range, on its grid, among its choices', async () => {
    const study = createStudy({ sampler: make(1) });
    await study.optimize((trial) => score(everyKind(trial)), { nTrials: 40 });
    expect(study.trials).toHaveLength(40);
    for (const t of study.trials) {
      const p = t.params as ReturnType<typeof everyKind>;
      expect(t.state).toBe('COMPLETE');
      expect(p.x).toBeGreaterThanOrEqual(-3);
      expect(p.x).toBeLessThanOrEqual(3);
      expect(p.lr).toBeGreaterThanOrEqual(1e-6);
      expect(p.lr).toBeLessThanOrEqual(1);
      expect(Math.abs(p.frac * 10 - Math.round(p.frac * 10))).toBeLessThan(1e-9);
      expect(p.frac).toBeGreaterThanOrEqual(0.1 - 1e-12);
      expect(p.frac).toBeLessThanOrEqual(1 + 1e-12);
      expect(Number.isInteger(p.n) && p.n >= -4 && p.n <= 9).toBe(true);
      expect(Number.isInteger(p.even) && p.even % 2 === 0 && p.even >= 2 && p.even <= 20).toBe(true);
      expect(Number.isInteger(p.leaves) && p.leaves >= 2 && p.leaves <= 256).toBe(true);
      expect(['gbdt', 7, true, null]).toContain(p.c);
      expect(p.fixed).toBe(5);
    }
  });

  it('is reproducible with a seed, and a different seed explores differently', async () => {
    const run = async (seed: number) => {
      const study = createStudy({ sampler: make(seed) });
      await study.optimize((trial) => score(everyKind(trial)), { nTrials: 30 });
      return study.trials.map((t) => t.params);
    };
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('samples the same values whether earlier trials completed, were pruned or failed', async () => {
    const study = createStudy({ sampler: make(3), pruner: { prune: () => false } });
    await study.optimize(
      (trial) => {
        const value = score(everyKind(trial));
        trial.report(value, 0);
        if (trial.number % 5 === 1) throw new TrialPruned();
        if (trial.number % 5 === 2) throw new RangeError('the objective broke');
        return value;
      },
      { nTrials: 30 },
    );
    expect(study.trials.map((t) => t.state).filter((s) => s === 'PRUNED')).toHaveLength(6);
    expect(study.trials.map((t) => t.state).filter((s) => s === 'FAIL')).toHaveLength(6);
    expect(study.trials.filter((t) => t.state === 'PRUNED').every((t) => t.value === t.intermediateValues.get(0))).toBe(true);
  });

  it('gets near the minimum of a smooth 1-D function (random search included: 60 draws on [-10, 10])', async () => {
    const study = createStudy({ sampler: make(5) });
    await study.optimize((trial) => (trial.suggestFloat('x', -10, 10) - 3.3) ** 2, { nTrials: 60 });
    expect(study.bestValue).toBeLessThan(0.5);
  });
});

describe('TPESampler beats random search where it should', () => {
  it('on the mixed 5-parameter objective, TPE median best after 100 trials is well below random search (5 seeds)', async () => {
    const mixed = mixedObjective;
    const median = async (make: (seed: number) => Sampler) => {
      const best: number[] = [];
      for (let seed = 0; seed < 5; seed++) {
        const study = createStudy({ sampler: make(seed) });
        await study.optimize(mixed, { nTrials: 100 });
        best.push(study.bestValue);
      }
      return best.sort((a, b) => a - b)[2]!;
    };
    const tpe = await median((seed) => new TPESampler({ seed }));
    const random = await median((seed) => new RandomSampler({ seed }));
    expect(tpe).toBeLessThan(random / 3);
  });
});
