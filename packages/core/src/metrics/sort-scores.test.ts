import { sortScoresInPlace } from './sort-scores';

/** Seeded LCG, so a failure reproduces. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function expectTypedSortOrder(values: Float64Array): void {
  const expected = Float64Array.from(values).sort();
  const copy = Float64Array.from(values);
  const sorted = sortScoresInPlace(copy);
  expect(sorted).toBe(copy);
  // Value for value with Object.is, so -0 and 0 (and NaN's place) count.
  let firstDifference = -1;
  for (let i = 0; i < expected.length && firstDifference < 0; i++) if (!Object.is(sorted[i], expected[i])) firstDifference = i;
  expect(firstDifference).toBe(-1);
}

describe('sortScoresInPlace', () => {
  it('sorts as Float64Array.prototype.sort does: few distinct values (counted), many (compared), -0 and 0, NaN, tiny inputs', () => {
    const random = lcg(17);
    const cases: Float64Array[] = [new Float64Array(0), Float64Array.of(3, -0, 0, 1), Float64Array.of(NaN, 2, 1)];
    for (const n of [1023, 1024, 5000, 112000]) {
      // Calibrated-like: a few hundred distinct probabilities, -0 and 0 among them.
      cases.push(Float64Array.from({ length: n }, () => (random() < 0.01 ? -0 : Math.floor(random() * 359) / 359)));
      // Raw-like: float32 scores, nearly all distinct (hands over to the typed sort).
      cases.push(Float64Array.from({ length: n }, () => Math.fround(random() * 20 - 10)));
      // Exactly at the distinct-value limit and just past it.
      const limit = Math.min(n >>> 4, 4096);
      cases.push(Float64Array.from({ length: n }, (_, i) => (i % limit) * 0.5 - 3));
      cases.push(Float64Array.from({ length: n }, (_, i) => (i % (limit + 1)) * 0.5 - 3));
      // Values whose bits differ only in the low word's low bits, and infinities.
      cases.push(Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? (i % 2 ? Infinity : -Infinity) : 1 + (i % 50) * Number.EPSILON)));
      // A NaN among few distinct values (hands over to the typed sort).
      const withNaN = Float64Array.from({ length: n }, (_, i) => i % 3);
      withNaN[n >> 1] = NaN;
      cases.push(withNaN);
    }
    for (const values of cases) expectTypedSortOrder(values);
  });

  it('sorts a subarray in place without touching the rest of its buffer', () => {
    const buffer = Float64Array.from({ length: 3000 }, (_, i) => (i * 7919) % 13);
    const before = Float64Array.from(buffer);
    const part = buffer.subarray(500, 2500);
    const expected = Float64Array.from(part).sort();
    sortScoresInPlace(part);
    expect(Array.from(part)).toEqual(Array.from(expected));
    expect(Array.from(buffer.subarray(0, 500))).toEqual(Array.from(before.subarray(0, 500)));
    expect(Array.from(buffer.subarray(2500))).toEqual(Array.from(before.subarray(2500)));
  });
});
