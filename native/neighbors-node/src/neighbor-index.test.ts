import { SeededRandom } from '@kdap/preprocessing';
import { expectKdapError } from '@kdap/test-support';
import { binding, NeighborIndex } from './index';

/** The k smallest (distance, row) pairs by brute force, in that lexicographic order. */
function bruteForce(points: Float64Array, cols: number, query: ArrayLike<number>, k: number, skip = -1): { d: number[]; i: number[] } {
  const all: [number, number][] = [];
  for (let i = 0; i < points.length / cols; i += 1) {
    if (i === skip) continue;
    let sum = 0;
    for (let j = 0; j < cols; j += 1) {
      const diff = points[i * cols + j]! - query[j]!;
      sum += diff * diff;
    }
    all.push([Math.sqrt(sum), i]);
  }
  all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { d: all.slice(0, k).map((e) => e[0]), i: all.slice(0, k).map((e) => e[1]) };
}

function gaussian(rows: number, cols: number, seed: number): Float64Array {
  const random = new SeededRandom(seed);
  return Float64Array.from({ length: rows * cols }, () => random.normal());
}

describe('NeighborIndex', () => {
  it.each([
    ['gaussian', 3000, 7, 15, 64],
    ['few columns, one leaf', 500, 2, 5, 100_000],
    ['more columns than a vector', 800, 23, 9, 16],
  ])('finds exactly the brute-force neighbours (%s)', (_name, rows, cols, k, leafSize) => {
    const points = gaussian(rows, cols, rows + cols);
    const queries = gaussian(200, cols, 99);
    using index = NeighborIndex.build(points, rows, cols, { leafSize });
    const { distances, indices } = index.kneighbors(queries, 200, k);
    for (let q = 0; q < 200; q += 1) {
      const expected = bruteForce(points, cols, queries.subarray(q * cols, q * cols + cols), k);
      // Same sum of squares in the same order, then sqrt: equal bit for bit.
      expect(Array.from(distances.subarray(q * k, q * k + k))).toEqual(expected.d);
      expect(Array.from(indices.subarray(q * k, q * k + k))).toEqual(expected.i);
    }
  });

  it('breaks ties by the lower row (integer grid with many equal distances) and leaves each row out with excludeSelf', () => {
    const rows = 700;
    const cols = 3;
    const random = new SeededRandom(3);
    const points = Float64Array.from({ length: rows * cols }, () => random.integer(4));
    using index = NeighborIndex.build(points, rows, cols, { leafSize: 32 });
    const k = 12;
    const { distances, indices } = index.kneighbors(points, rows, k, { excludeSelf: true });
    for (let q = 0; q < rows; q += 1) {
      const expected = bruteForce(points, cols, points.subarray(q * cols, q * cols + cols), k, q);
      expect(Array.from(distances.subarray(q * k, q * k + k))).toEqual(expected.d);
      expect(Array.from(indices.subarray(q * k, q * k + k))).toEqual(expected.i);
    }
  });

  it('gives the same result on any number of threads and into caller arrays', () => {
    const points = gaussian(5000, 10, 1);
    using index = NeighborIndex.build(points, 5000, 10);
    const one = index.kneighbors(points, 5000, 20, { excludeSelf: true, nJobs: 1 });
    const distances = new Float64Array(5000 * 20);
    const indices = new Int32Array(5000 * 20);
    const many = index.kneighbors(points, 5000, 20, { excludeSelf: true, nJobs: 7, distances, indices });
    expect(many.distances).toBe(distances);
    expect(many.indices).toBe(indices);
    expect(distances).toEqual(one.distances);
    expect(indices).toEqual(one.indices);
    expect(index.kneighbors(points, 5000, 20, { excludeSelf: true, nJobs: -1 }).indices).toEqual(one.indices);
  });

  it('the baseline 128-bit kernel gives the same bits as the AVX2 one (which this CPU picks when it can)', () => {
    const b = binding();
    expect(['avx2', 'generic']).toContain(b.kernel());
    const points = gaussian(3000, 10, 8);
    const h = b.build(points, 3000, 10, 512);
    try {
      const run = (kernel: 'auto' | 'generic') => {
        const distances = new Float64Array(3000 * 15);
        const indices = new Int32Array(3000 * 15);
        b.query(h, points, 3000, 15, true, 2, distances, indices, kernel);
        return { distances, indices };
      };
      expect(run('generic')).toEqual(run('auto'));
      expectKdapError(() => b.query(h, points, 3000, 15, true, 1, new Float64Array(45000), new Int32Array(45000), 'avx512' as never), 'ERR_KDAP_PARAMETER', /The 'kernel' argument must be 'auto' or 'generic'/);
    } finally {
      b.dispose(h);
    }
  });

  it('handles all-equal points, k = rows, zero queries, and reports its size', () => {
    using index = NeighborIndex.build(new Float64Array(40).fill(2), 20, 2);
    const { distances, indices } = index.kneighbors(Float64Array.of(2, 2), 1, 20);
    expect(Array.from(distances)).toEqual(new Array(20).fill(0));
    expect(Array.from(indices)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(index.kneighbors(new Float64Array(0), 0, 3).distances.length).toBe(0);
    expect(index.bytes).toBeGreaterThanOrEqual(20 * 2 * 8);
  });

  it('rejects bad input with typed errors, naming the argument', () => {
    const points = gaussian(50, 3, 2);
    expectKdapError(() => NeighborIndex.build([1, 2, 3] as never, 1, 3), 'ERR_KDAP_PARAMETER', /'points' argument of NeighborIndex.build\(\) must be a row-major Float64Array/);
    expectKdapError(() => NeighborIndex.build(points, 49, 3), 'ERR_KDAP_PARAMETER', /must hold rows \* cols = 147 values. Got 150/);
    expectKdapError(() => NeighborIndex.build(points, 0, 3), 'ERR_KDAP_PARAMETER', /'rows' argument of NeighborIndex must be an integer >= 1/);
    const nan = points.slice();
    nan[3 * 7 + 2] = NaN;
    expectKdapError(() => NeighborIndex.build(nan, 50, 3), 'ERR_KDAP_DATA', /'points' row 7, column 2 holds NaN/);
    using index = NeighborIndex.build(points, 50, 3);
    expectKdapError(() => index.kneighbors(points, 50, 50, { excludeSelf: true }), 'ERR_KDAP_PARAMETER', /'k' argument .* from 1 to 49 .*leaves itself out.*Got 50/);
    expectKdapError(() => index.kneighbors(points, 50, 51), 'ERR_KDAP_PARAMETER', /from 1 to 50/);
    expectKdapError(() => index.kneighbors(points, 50, 0), 'ERR_KDAP_PARAMETER', /'k' argument/);
    expectKdapError(() => index.kneighbors(points.subarray(0, 30), 10, 2, { excludeSelf: true }), 'ERR_KDAP_PARAMETER', /'rows' must be 50/);
    expectKdapError(() => index.kneighbors(points, 25, 2), 'ERR_KDAP_PARAMETER', /'queries' .* must hold rows \* cols = 75 values/);
    expectKdapError(() => index.kneighbors(Float64Array.of(1, Infinity, 0), 1, 2), 'ERR_KDAP_DATA', /'queries' row 0, column 1 holds Infinity/);
    expectKdapError(() => index.kneighbors(points, 50, 2, { nJobs: 0 }), 'ERR_KDAP_PARAMETER', /'nJobs' option of NeighborIndex must be an integer between 1 and 1024/);
    expectKdapError(() => index.kneighbors(points, 50, 2, { distances: new Float64Array(3) }), 'ERR_KDAP_PARAMETER', /'distances' option .* 100 values/);
    expectKdapError(() => index.kneighbors(points, 50, 2, { indices: new Float64Array(100) as never }), 'ERR_KDAP_PARAMETER', /'indices' option .* Int32Array/);
    index.dispose();
    index.dispose();
    expectKdapError(() => index.kneighbors(points, 50, 2), 'ERR_KDAP_DISPOSED', /NeighborIndex has been disposed/);
  });

  it('checks again in C++: layer-1 calls with bad arguments throw the kernel errors', () => {
    const b = binding();
    const points = gaussian(10, 2, 4);
    expectKdapError(() => b.build(points, 10, 3, 16), 'ERR_KDAP_PARAMETER', /The 'points' argument must hold rows \* cols = 30 values\. Got 20\./);
    const nan = points.slice();
    nan[5] = NaN;
    expectKdapError(() => b.build(nan, 10, 2, 16), 'ERR_KDAP_PARAMETER', /The 'points' argument must hold finite numbers, but row 2, column 1 holds NaN/);
    const h = b.build(points, 10, 2, 16);
    const out = () => [new Float64Array(20), new Int32Array(20)] as const;
    expectKdapError(() => b.query(h, points, 10, 10, true, 1, ...out()), 'ERR_KDAP_PARAMETER', /The 'k' argument must be between 1 and 9/);
    expectKdapError(() => b.query(h, points, 10, 2, false, 1, new Float64Array(19), new Int32Array(20)), 'ERR_KDAP_PARAMETER', /The 'distances' argument must hold rows \* k = 20/);
    const shared = new Float64Array(20);
    expectKdapError(() => b.query(h, points, 10, 2, false, 1, shared, new Int32Array(shared.buffer, 0, 20)), 'ERR_KDAP_PARAMETER', /must not share memory/);
    expectKdapError(() => b.query({} as never, points, 10, 2, false, 1, ...out()), 'ERR_KDAP_PARAMETER', /The 'index' argument must be a NeighborIndex handle/);
    expect(b.dispose(h)).toBe(true);
    expect(b.dispose(h)).toBe(false);
    expectKdapError(() => b.query(h, points, 10, 2, false, 1, ...out()), 'ERR_KDAP_DISPOSED', /NeighborIndex has been disposed/);
  });
});
