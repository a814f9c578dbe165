import { SeededRandom } from '@kdap/preprocessing';
import { propensitySplits, type SplitFractions } from './splits';

/**
 * The splits as they were first written (each part collected in dealing order, then sorted): the
 * one-pass version must give the very same rows, since a bundle's model depends on which rows
 * (and in which order) trained it, and the benchmark's Python side reads these rows.
 */
function referenceSplits(y: Float64Array, fractions: SplitFractions, seed: number, dates?: ArrayLike<number>) {
  const count = (share: number, n: number) => (share <= 0 ? 0 : Math.max(1, Math.round(share * n)));
  const sizesOf = (m: number) => {
    const test = count(fractions.test, m);
    const rest = m - test;
    const calibration = count(fractions.calibration, rest);
    const validation = count(fractions.validation, rest);
    return [m - test - calibration - validation, validation, calibration, test];
  };
  const parts: number[][] = [[], [], [], []];
  const assign = (ordered: number[]) => {
    let k = 0;
    sizesOf(ordered.length).forEach((size, part) => {
      parts[part]!.push(...ordered.slice(k, k + size));
      k += size;
    });
  };
  if (dates !== undefined) {
    const key = (i: number) => (Number.isNaN(dates[i]!) ? -Infinity : dates[i]!);
    assign(Array.from({ length: y.length }, (_, i) => i).sort((a, b) => key(a) - key(b) || a - b));
  } else {
    const random = new SeededRandom(seed);
    for (const label of [0, 1]) {
      const rows = [...y.keys()].filter((i) => y[i] === label);
      const order = random.permutation(rows.length);
      assign(Array.from(order, (j) => rows[j]!));
    }
  }
  const [train, validation, calibration, test] = parts.map((p) => p.sort((a, b) => a - b));
  return { train, validation, calibration, test };
}

function asArrays(s: ReturnType<typeof propensitySplits>) {
  return { train: Array.from(s.train), validation: Array.from(s.validation), calibration: Array.from(s.calibration), test: Array.from(s.test) };
}

describe('propensitySplits', () => {
  const cases: Array<{ n: number; positives: number; fractions: SplitFractions; seed: number }> = [
    { n: 2000, positives: 0.3, fractions: { test: 0.2, calibration: 0.2, validation: 0.1 }, seed: 42 },
    { n: 1001, positives: 0.05, fractions: { test: 0.25, calibration: 0, validation: 0.1 }, seed: 7 },
    { n: 37, positives: 0.5, fractions: { test: 0.2, calibration: 0.2, validation: 0 }, seed: 1 },
    { n: 500, positives: 0.9, fractions: { test: 0.1, calibration: 0.3, validation: 0.2 }, seed: 123 },
  ];

  it.each(cases)('gives the reference rows, stratified ($n rows, seed $seed)', ({ n, positives, fractions, seed }) => {
    const random = new SeededRandom(seed + 1000);
    const y = Float64Array.from({ length: n }, () => (random.uniform() < positives ? 1 : 0));
    const splits = propensitySplits(y, fractions, seed);
    expect(splits.order).toBe('stratified');
    expect(asArrays(splits)).toEqual(referenceSplits(y, fractions, seed));
    // Every row in exactly one part, each part increasing.
    const all = [...splits.train, ...splits.validation, ...splits.calibration, ...splits.test].sort((a, b) => a - b);
    expect(all).toEqual([...y.keys()]);
    for (const part of [splits.train, splits.validation, splits.calibration, splits.test]) {
      for (let i = 1; i < part.length; i++) expect(part[i]! > part[i - 1]!).toBe(true);
    }
  });

  it('gives the reference rows in time order, rows without a date oldest', () => {
    const random = new SeededRandom(5);
    const n = 700;
    const y = Float64Array.from({ length: n }, () => (random.uniform() < 0.4 ? 1 : 0));
    // Many equal dates (ties by row) and some missing.
    const dates = Float64Array.from({ length: n }, () => (random.uniform() < 0.05 ? Number.NaN : Math.floor(random.uniform() * 30) * 86_400_000));
    const fractions = { test: 0.2, calibration: 0.2, validation: 0.1 };
    const splits = propensitySplits(y, fractions, 42, dates);
    expect(splits.order).toBe('time');
    expect(asArrays(splits)).toEqual(referenceSplits(y, fractions, 42, dates));
  });

  it('leaves out rows whose target is neither 0 nor 1', () => {
    const y = Float64Array.from({ length: 100 }, (_, i) => (i === 10 ? Number.NaN : i % 3 === 0 ? 1 : 0));
    const splits = propensitySplits(y, { test: 0.2, calibration: 0.2, validation: 0.1 }, 3);
    const all = [...splits.train, ...splits.validation, ...splits.calibration, ...splits.test];
    expect(all).toHaveLength(99);
    expect(all).not.toContain(10);
  });
});
