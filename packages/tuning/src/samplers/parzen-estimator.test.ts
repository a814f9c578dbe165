import { categoricalDistribution, floatDistribution, intDistribution, type Distribution } from '../distributions';
import { erfc } from '../gaussian';
import { ParzenEstimator } from './parzen-estimator';
import { defaultWeights } from './tpe-sampler';

// Reference numbers printed by Optuna 4.9.0's own _ParzenEstimator (the .venv-ref pin) on the same inputs
// (defaults: prior weight 1, magic clip on, endpoints off, univariate). Since 4.x the prior's centre is not a
// neighbour in the bandwidth rule, and log integers are grids in log space.
const params = { considerPrior: true, priorWeight: 1, considerMagicClip: true, considerEndpoints: false, weights: defaultWeights, multivariate: false };

function estimator(name: string, d: Distribution, observed: number[]) {
  return new ParzenEstimator({ [name]: observed }, { [name]: d }, params);
}

function kernels(pe: ParzenEstimator): { mu: Float64Array; sigma: Float64Array } {
  return (pe as unknown as { kernels: Array<{ mu: Float64Array; sigma: Float64Array }> }).kernels[0]!;
}

describe('ParzenEstimator (Optuna bandwidths, truncation and categorical smoothing)', () => {
  it('float range: neighbour-gap bandwidths among the observations only, outermost kernels ignore the endpoints, prior at the centre with the whole range', () => {
    const pe = estimator('x', floatDistribution('x', -5, 5), [1, -2, 4.5, 0.3]);
    const { mu, sigma } = kernels(pe);
    expect([...mu]).toEqual([1, -2, 4.5, 0.3, 0]);
    [3.5, 2.3, 3.5, 2.3, 10].forEach((s, i) => expect(sigma[i]).toBeCloseTo(s, 7));
    const lp = pe.logPdf({ x: Float64Array.from([1, 0.3]) });
    expect(lp[0]).toBeCloseTo(-2.089325802, 7);
    expect(lp[1]).toBeCloseTo(-2.0643397583, 7);
  });

  it('integer range: a grid kernel whose bandwidths count half a step beyond each end', () => {
    const pe = estimator('n', intDistribution('n', 1, 20), [3, 7, 7, 12]);
    const { mu, sigma } = kernels(pe);
    expect([...mu]).toEqual([3, 7, 7, 12, 10.5]);
    [4, 4, 5, 5, 20].forEach((s, i) => expect(sigma[i]).toBeCloseTo(s, 7));
    const lp = pe.logPdf({ n: Float64Array.from([3, 12]) });
    expect(lp[0]).toBeCloseTo(-2.7209867317, 7);
    expect(lp[1]).toBeCloseTo(-2.9988200128, 7);
  });

  it('categorical: each observation adds 1 to its choice over a prior of priorWeight / n_kernels', () => {
    const pe = estimator('c', categoricalDistribution('c', ['a', 'b', 'c']), [0, 2, 2, 1]);
    const { rowOf, logProbabilities } = (pe as unknown as { kernels: Array<{ rowOf: Int32Array; logProbabilities: Float64Array }> }).kernels[0]!;
    const rows = [...rowOf].map((r) => [...logProbabilities.subarray(3 * r, 3 * r + 3)].map(Math.exp));
    const expected = [
      [0.75, 0.125, 0.125],
      [0.125, 0.125, 0.75],
      [0.125, 0.125, 0.75],
      [0.125, 0.75, 0.125],
      [1 / 3, 1 / 3, 1 / 3],
    ];
    rows.forEach((row, k) => row.forEach((p, c) => expect(p).toBeCloseTo(expected[k]![c]!, 12)));
    expect(pe.logPdf({ c: Float64Array.from([0]) })[0]).toBeCloseTo(-1.23214368, 7);
  });

  it('log float and log int work in log space (log int: a grid on [log(low - 0.5), log(high + 0.5)], each point the mass of its cell)', () => {
    const lr = estimator('lr', floatDistribution('lr', 1e-5, 1, { log: true }), [0.01, 0.1]);
    [2.87823137, 2.87823137, 11.51292546].forEach((s, i) => expect(kernels(lr).sigma[i]).toBeCloseTo(s, 7));
    expect(lr.logPdf({ lr: Float64Array.from([0.05]) })[0]).toBeCloseTo(-2.05200577, 7);
    const n = estimator('n', intDistribution('n', 1, 100, { log: true }), [2, 50]);
    [3.2188758249, 3.2188758249, 5.3033049081].forEach((s, i) => expect(kernels(n).sigma[i]).toBeCloseTo(s, 7));
    expect(n.logPdf({ n: Float64Array.from([10]) })[0]).toBeCloseTo(-3.8982914436, 7);
  });
});

describe('ParzenEstimator log densities against a direct sum', () => {
  /** log sum_k w_k N_trunc(x; mu_k, sigma_k) on [low, high], term by term with Math.exp (the slow, obvious way). */
  function direct(x: number, mu: Float64Array, sigma: Float64Array, weights: number[], low: number, high: number): number {
    const terms = weights.map((w, k) => {
      const s = sigma[k]!;
      const z = (x - mu[k]!) / s;
      const mass = 0.5 * (erfcOf((low - mu[k]!) / s) - erfcOf((high - mu[k]!) / s));
      return Math.log(w) - 0.5 * z * z - Math.log(s) - 0.5 * Math.log(2 * Math.PI) - Math.log(mass);
    });
    const max = Math.max(...terms);
    return max + Math.log(terms.reduce((sum, t) => sum + Math.exp(t - max), 0));
  }
  const erfcOf = (z: number) => erfc(z / Math.SQRT2);

  it('agrees near the kernels and far from every kernel (no prior: the one-pass sum underflows and is redone)', () => {
    const observed = [0.1, 0.12, 0.15, 0.2, 0.22];
    const pe = new ParzenEstimator({ x: observed }, { x: floatDistribution('x', 0, 100) }, { ...params, considerPrior: false, considerMagicClip: false });
    const { mu, sigma } = kernels(pe);
    const weights = new Array<number>(observed.length).fill(1 / observed.length);
    const xs = [0.13, 3, 60, 99.5];
    const got = pe.logPdf({ x: Float64Array.from(xs) });
    xs.forEach((x, i) => expect(got[i]! / direct(x, mu, sigma, weights, 0, 100)).toBeCloseTo(1, 12));
    // Without the prior and the clip the kernels are ~0.05 wide: 60 and 99.5 lie thousands of sigma out, where every
    // term underflows in linear space.
    expect(got[2]!).toBeLessThan(-1e5);
  });
});
