import { createHash } from 'node:crypto';
import { mixedObjective } from '@kdap/test-support';
import { createStudy, TPESampler, TrialPruned, type Trial } from '../index';

/**
 * Pins what a seeded TPE study suggests, bit for bit: the sampler's speed work (hoisted logs, cached
 * estimators, typed arrays) must not change a single suggestion. Every kind of dimension, pruned and failed
 * trials (which change the split and the observations), univariate and multivariate. The digests were
 * taken from the sampler as of 31df002 (before the overhead work); each line's last trial is spelled out
 * so a failure shows how far off it is.
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
    [false, '6a5a5e1b2f78ead54741b82d401c33eeb9db12858795c56bab709c707fd56fc0', { x: 2.2194913863253234, y: 0.878878001880218, lr: 0.07068912579715156, n: 12, c: 'a', leaves: 9, frac: 0.7000000000000001, even: 10 }],
    NEW_POW
      ? [true, 'e541c78676523d7c521907a436a9ae2a65e9b989fb500d443ba99b6f645dc8e9', { x: 1.7591051234928543, y: -2.0410527295334946, lr: 0.0014384657882360828, n: 1, c: 'c', leaves: 18, frac: 0.7000000000000001, even: 6 }]
      : [true, 'db4d64d7144d5650fbad951c62b895eb14bf01b4a0a2c2b00f52a4b940c6485f', { x: 1.7591051234928539, y: -2.041052729533495, lr: 0.0014384657882360828, n: 1, c: 'c', leaves: 18, frac: 0.7000000000000001, even: 6 }],
  ] as const)('suggests exactly the pinned values (multivariate %s)', async (multivariate, digest, last) => {
    const got = await suggestions(multivariate);
    expect(got.last).toEqual(last);
    expect(got.digest).toBe(digest);
  });
});
