import { binding as neighborsBinding } from '@kdap/neighbors-node';
import { expectKdapError } from '@kdap/test-support';
import { KdTree } from './kd-tree';
import { LocalOutlierFactor } from './local-outlier-factor';
import { outlierData } from './testing/outlier-data';

const data = outlierData('moderate', 2000, 4, 5);

/** Brute-force k nearest (distance, index), sorted, optionally without the row itself. */
function bruteForce(points: Float64Array, cols: number, query: ArrayLike<number>, k: number, p: number, skip = -1): number[] {
  const all: [number, number][] = [];
  for (let i = 0; i < points.length / cols; i += 1) {
    if (i === skip) continue;
    let sum = 0;
    for (let j = 0; j < cols; j += 1) sum += Math.abs(points[i * cols + j]! - query[j]!) ** p;
    all.push([sum ** (1 / p), i]);
  }
  return all.sort((a, b) => a[0] - b[0]).slice(0, k).map((e) => e[0]);
}

describe('KdTree', () => {
  it.each([2, 1, 3])('finds the exact k nearest neighbours (p = %d)', (p) => {
    const tree = new KdTree(data.values, data.rows, 4, { leafSize: 7, p });
    const k = 9;
    const distances = new Float64Array(40 * k);
    const indices = new Int32Array(40 * k);
    tree.query(data.values, 40, k, distances, indices, true);
    for (let row = 0; row < 40; row += 1) {
      const expected = bruteForce(data.values, 4, data.values.subarray(row * 4, row * 4 + 4), k, p, row);
      const got = Array.from(distances.subarray(row * k, row * k + k));
      got.forEach((d, j) => expect(d).toBeCloseTo(expected[j]!, 10));
      expect(Array.from(indices.subarray(row * k, row * k + k))).not.toContain(row);
    }
  });

  it('handles duplicate points (all equal: one leaf)', () => {
    const same = new Float64Array(50 * 2).fill(1);
    const tree = new KdTree(same, 50, 2, { leafSize: 4 });
    const distances = new Float64Array(5);
    const indices = new Int32Array(5);
    tree.query(Float64Array.of(1, 1), 1, 5, distances, indices);
    expect(Array.from(distances)).toEqual([0, 0, 0, 0, 0]);
    expect(new Set(indices).size).toBe(5);
  });
});

describe('LocalOutlierFactor', () => {
  const train = { values: data.values.subarray(0, 1000 * 4), rows: 1000, cols: 4 };

  it('computes LOF as defined: reachability density of a query vs its neighbours', () => {
    using lof = new LocalOutlierFactor({ nNeighbors: 5 }).fit(train);
    // Recompute one query's score by brute force from the definition.
    const k = 5;
    const kDist = Float64Array.from({ length: 1000 }, (_, i) => bruteForce(train.values, 4, train.values.subarray(i * 4, i * 4 + 4), k, 2, i)[k - 1]!);
    const neighbours = (query: ArrayLike<number>, skip = -1) => {
      const all: [number, number][] = [];
      for (let i = 0; i < 1000; i += 1) if (i !== skip) all.push([Math.hypot(...Array.from({ length: 4 }, (_, j) => train.values[i * 4 + j]! - query[j]!)), i]);
      return all.sort((a, b) => a[0] - b[0]).slice(0, k);
    };
    const lrd = (query: ArrayLike<number>, skip = -1) => 1 / (neighbours(query, skip).reduce((s, [d, i]) => s + Math.max(d, kDist[i]!), 0) / k + 1e-10);
    const query = data.values.subarray(1500 * 4, 1500 * 4 + 4);
    const expected = -neighbours(query).reduce((s, [, i]) => s + lrd(train.values.subarray(i * 4, i * 4 + 4), i), 0) / k / lrd(query);
    expect(lof.scoreSamples([Array.from(query)])[0]).toBeCloseTo(expected, 10);
    expect(lof.offset).toBe(-1.5);
    expect(lof.nNeighborsUsed).toBe(5);
  });

  it('ranks the injected outliers lower, sets the offset from contamination, predicts -1/1', () => {
    using lof = new LocalOutlierFactor({ contamination: 0.05 }).fit(train);
    const nof = lof.negativeOutlierFactor;
    const below = nof.filter((s) => s < lof.offset).length;
    expect(below).toBeLessThanOrEqual(50);
    expect(below).toBeGreaterThanOrEqual(49);
    const scores = lof.scoreSamples(data);
    const decision = lof.decisionFunction(data);
    const predicted = lof.predict(data);
    scores.forEach((s, i) => {
      expect(decision[i]).toBeCloseTo(s - lof.offset, 12);
      expect(predicted[i]).toBe(decision[i]! < 0 ? -1 : 1);
    });
    const mean = (label: number) => {
      const picked = Array.from(scores).filter((_, i) => data.labels[i] === label);
      return picked.reduce((a, b) => a + b, 0) / picked.length;
    };
    expect(mean(1)).toBeLessThan(mean(0) - 0.1);
  });

  it('caps nNeighbors at rows - 1 and round-trips through toJSON/fromJSON', () => {
    using tiny = new LocalOutlierFactor().fit([[0, 0], [1, 0], [0, 1], [5, 5]]);
    expect(tiny.nNeighborsUsed).toBe(3);
    using lof = new LocalOutlierFactor({ contamination: 0.1, nNeighbors: 7 }).fit(train);
    using restored = LocalOutlierFactor.fromJSON(JSON.parse(JSON.stringify(lof.toJSON())));
    expect(restored.offset).toBe(lof.offset);
    expect(restored.scoreSamples(data)).toEqual(lof.scoreSamples(data));
  });

  it('searches neighbours natively for p = 2 (the same scores on any nJobs) and in TypeScript otherwise', () => {
    using native = new LocalOutlierFactor({ nNeighbors: 10 }).fit(train);
    using threaded = new LocalOutlierFactor({ nNeighbors: 10, nJobs: -1 }).fit(train);
    using manhattan = new LocalOutlierFactor({ nNeighbors: 10, p: 1 }).fit(train);
    expect(native.neighborSearch).toBe('native');
    expect(threaded.neighborSearch).toBe('native');
    expect(manhattan.neighborSearch).toBe('typescript');
    expect(threaded.negativeOutlierFactor).toEqual(native.negativeOutlierFactor);
    expect(threaded.scoreSamples(data)).toEqual(native.scoreSamples(data));
  });

  it('frees its native index on refit and dispose', () => {
    const before = neighborsBinding().liveHandles().NeighborIndex;
    const lof = new LocalOutlierFactor({ nNeighbors: 5 }).fit(train);
    expect(neighborsBinding().liveHandles().NeighborIndex).toBe(before + 1);
    lof.fit(train);
    expect(neighborsBinding().liveHandles().NeighborIndex).toBe(before + 1);
    lof.dispose();
    expect(neighborsBinding().liveHandles().NeighborIndex).toBe(before);
  });

  it('rejects bad parameters and input with typed errors, and is disposable', () => {
    expectKdapError(() => new LocalOutlierFactor({ nJobs: 0 }), 'ERR_KDAP_PARAMETER', /'nJobs' option of LocalOutlierFactor must be an integer between 1 and 1024/);
    expectKdapError(() => new LocalOutlierFactor({ nNeighbors: 0 }), 'ERR_KDAP_PARAMETER', /'nNeighbors' option of LocalOutlierFactor must be an integer/);
    expectKdapError(() => new LocalOutlierFactor({ novelty: false as never }), 'ERR_KDAP_PARAMETER', /'novelty' option of LocalOutlierFactor must be true/);
    expectKdapError(() => new LocalOutlierFactor({ p: 0.5 }), 'ERR_KDAP_PARAMETER', /'p' option/);
    expectKdapError(() => new LocalOutlierFactor().fit([[1, 2]]), 'ERR_KDAP_DATA', /at least 2 rows/);
    expectKdapError(() => new LocalOutlierFactor().fit([[1, 2], [NaN, 1]]), 'ERR_KDAP_DATA', /row 1, column 0 holds NaN/);
    expectKdapError(() => new LocalOutlierFactor().predict(train), 'ERR_KDAP_NOT_FITTED', /Call fit\(X\) first/);
    const lof = new LocalOutlierFactor().fit(train);
    expectKdapError(() => lof.scoreSamples([[1, 2]]), 'ERR_KDAP_SCHEMA', /got 2 features per row, but the model was fitted on 4/);
    lof.dispose();
    lof.dispose();
    expectKdapError(() => lof.scoreSamples(train), 'ERR_KDAP_DISPOSED', /LocalOutlierFactor has been disposed/);
  });
});
