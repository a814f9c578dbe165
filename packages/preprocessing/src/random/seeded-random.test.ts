import { ParameterError } from '../errors';
import { SeededRandom } from './seeded-random';

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i += 1) {
    const x = draw();
    sum += x;
    squares += x * x;
  }
  const mean = sum / n;
  return { mean, variance: squares / n - mean * mean };
}

describe('SeededRandom', () => {
  it('repeats for a seed and differs across seeds', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const draws = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(draws);
    expect(new SeededRandom(43).uniform()).not.toBe(draws[0]);
  });

  it('first draws of consecutive seeds are spread over [0, 1) (weak seeding made them all ~1)', () => {
    const firsts = Array.from({ length: 1000 }, (_, seed) => new SeededRandom(seed).uniform());
    const { mean, variance } = moments(() => firsts.pop() as number, 1000);
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / 1000));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.01);
  });

  it('draws from the documented distributions (mean and variance within 4 standard errors)', () => {
    const random = new SeededRandom(7);
    const n = 50_000;
    const normal = moments(() => random.normal(3, 2), n);
    expect(Math.abs(normal.mean - 3)).toBeLessThan(4 * (2 / Math.sqrt(n)));
    expect(Math.abs(normal.variance - 4)).toBeLessThan(0.1);
    const poisson = moments(() => random.poisson(4), n);
    expect(Math.abs(poisson.mean - 4)).toBeLessThan(4 * Math.sqrt(4 / n));
    const beta = moments(() => random.beta(2, 5), n);
    expect(Math.abs(beta.mean - 2 / 7)).toBeLessThan(0.005);
    const gamma = moments(() => random.gamma(0.5), n);
    expect(Math.abs(gamma.mean - 0.5)).toBeLessThan(0.02);
    const permutation = Array.from(random.permutation(10)).sort((x, y) => x - y);
    expect(permutation).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('refuses a non-integer seed', () => {
    expect(() => new SeededRandom(1.5)).toThrow(ParameterError);
    expect(() => new SeededRandom(1.5)).toThrow("The 'seed' option must be an integer. Got 1.5.");
  });
});
