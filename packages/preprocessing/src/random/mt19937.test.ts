import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { mersenne } from 'pure-rand/generator/mersenne';
import { Mt19937 } from './mt19937';
import { SeededRandom } from './seeded-random';

describe('Mt19937', () => {
  it("gives the reference MT19937 outputs (init_genrand(5489), Matsumoto & Nishimura's mt19937ar)", () => {
    const g = new Mt19937(5489);
    expect(Array.from({ length: 5 }, () => g.next() >>> 0)).toEqual([3499211612, 581869302, 3890346734, 3586334585, 545404204]);
  });

  it("gives pure-rand's mersenne stream, draws and floats, across the twist boundaries and seeds", () => {
    for (const seed of [0, 1, 42, -7, 2147483647, -2147483648, 123456789]) {
      const ours = new Mt19937(seed);
      const theirs = mersenne(seed);
      for (let i = 0; i < 5000; i++) {
        if (ours.next() !== theirs.next()) throw new Error(`seed ${seed}: draw ${i} differs`);
      }
      for (let i = 0; i < 5000; i++) {
        if (ours.nextFloat64() !== uniformFloat64(theirs)) throw new Error(`seed ${seed}: float ${i} differs`);
      }
    }
  });

  it("keeps SeededRandom's permutations (the seeded splits) as they were with pure-rand", () => {
    const reference = (seed: number, n: number) => {
      const g = mersenne(seed);
      const order = Int32Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(uniformFloat64(g) * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      return order;
    };
    for (const [seed, n] of [[42, 10_000], [7, 1_000], [0, 3]] as const) {
      expect(Array.from(new SeededRandom(seed).permutation(n))).toEqual(Array.from(reference(seed, n)));
    }
  });
});
