import { SeededRandom as LibrarySeededRandom } from '@kdap/preprocessing';
import { SeededRandom } from './seeded-random';
import { tabularProblem } from './tabular-problem';

describe('SeededRandom', () => {
  it('is the library generator: the same seed gives the same stream', () => {
    const ours = new SeededRandom(42);
    const library = new LibrarySeededRandom(42);
    expect(ours.array(5, (r) => r.next())).toEqual(Array.from({ length: 5 }, () => library.uniform()));
    expect(ours.normal()).toBe(library.normal());
  });

  it('differs between seeds and fills arrays with the index', () => {
    expect(new SeededRandom(1).next()).not.toBe(new SeededRandom(2).next());
    expect(new SeededRandom(3).array(3, (r, i) => i + r.integer(1))).toEqual([0, 1, 2]);
  });
});

describe('tabularProblem', () => {
  it('is reproducible, with missing values in the first columns and both classes', () => {
    const a = tabularProblem(500, 6, 7);
    const b = tabularProblem(500, 6, 7);
    expect(a.x).toEqual(b.x);
    expect(a.x.length).toBe(3000);
    const missing = a.x.filter(Number.isNaN).length;
    expect(missing).toBeGreaterThan(0);
    expect(missing).toBeLessThan(100);
    const positives = a.yBinary.reduce((s, v) => s + v, 0);
    expect(positives).toBeGreaterThan(25);
    expect(positives).toBeLessThan(250);
  });
});
