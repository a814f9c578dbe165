import { createHash } from 'node:crypto';
import { mixedObjective } from '@kdap/test-support';
import { createStudy, TPESampler, TrialPruned, type Trial } from '../index';

/**
 * Pins what a seeded TPE study suggests, bit for bit: the sampler's speed work (hoisted logs, cached
 * estimators, typed arrays) must not change a single suggestion. Every kind of dimension, pruned and failed
 * trials (which change the split and the observations), univariate and multivariate. Each line's last trial
 * is spelled out so a failure shows how far off it is. The digests were taken from the sampler as of 31df002
 * and held through the first overhead work; they moved once, deliberately, when the truncated-normal quantile
 * started from AS 241 and erfc became Cody's (the same study in every choice, floats differing in the last
 * 1-3 digits, e.g. x 2.2194913863253234 -> ...265; the quality bench was re-run on that change).
 */
function objective(trial: Trial): number {
  const base = mixedObjective(trial);
  const leaves = trial.suggestInt('leaves', 2, 256, { log: true });
  const frac = trial.suggestFloat('frac', 0.1, 1, { step: 0.1 });
  const even = trial.suggestInt('even', 2, 20, { step: 2 });
  const value = base + Math.abs(Math.log2(leaves) - 5) + Math.abs(frac - 0.3) + Math.abs(even - 8) / 2;
  if (trial.number % 9 === 4) {
    trial.report(value + 1, 0);
    throw new TrialPruned();
  }
  if (trial.number % 13 === 6) return NaN;
  return value;
}

async function suggestions(multivariate: boolean): Promise<{ digest: string; last: Record<string, unknown> }> {
  const study = createStudy({ sampler: new TPESampler({ seed: 11, multivariate }), studyName: 'pinned' });
  await study.optimize(objective, { nTrials: 70 });
  const params = study.trials.map((t) => t.params);
  return { digest: createHash('sha256').update(JSON.stringify(params)).digest('hex'), last: params[params.length - 1]! };
}

/**
 * V8 changed Math.pow between Node 22 and Node 24 (63 ** (-1 / 12) is 0.7080353712106306, then ...308), and the
 * multivariate bandwidth (Scott's rule, n ** (-1 / (d + 4))) goes through it: that line has one pin per pow.
 */
const NEW_POW = 63 ** (-1 / 12) !== 0.7080353712106306;

describe('TPESampler with a seed', () => {
  it.each([
    [false, '7828541ab4016fd2fdb68b6a8187dca072f25f6e8794ee4e315911a42302ab7e', { x: 2.2194913863253265, y: 0.8788780018802169, lr: 0.07068912579715149, n: 12, c: 'a', leaves: 9, frac: 0.7000000000000001, even: 10 }],
    NEW_POW
      ? [true, '9c1be840a8a04cde044f0aeaeb77131f295177e6fa9c97cc67c9cb6ce43289fc', { x: 1.7591051234928554, y: -2.041052729533494, lr: 0.0014384657882360841, n: 1, c: 'c', leaves: 18, frac: 0.7000000000000001, even: 6 }]
      : [true, '9d5a2ec38ee12a9401989f302ebebf5264cdd6fcca9e4c1ac654429ab63fcb38', { x: 1.759105123492855, y: -2.041052729533494, lr: 0.0014384657882360841, n: 1, c: 'c', leaves: 18, frac: 0.7000000000000001, even: 6 }],
  ] as const)('suggests exactly the pinned values (multivariate %s)', async (multivariate, digest, last) => {
    const got = await suggestions(multivariate);
    expect(got.last).toEqual(last);
    expect(got.digest).toBe(digest);
  });
});
