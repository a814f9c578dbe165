import { expectKdapError } from '@kdap/test-support';
import { IsolationForest } from './isolation-forest';
import { averagePathLength } from './average-path-length';
import { outlierData } from './testing/outlier-data';

const data = outlierData('far', 3000, 5, 11);

describe('IsolationForest', () => {
  it('computes c(n) as scikit-learn does', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    // scikit-learn's _average_path_length([256]) and ([3]) in .venv-ref
    expect(averagePathLength(256)).toBeCloseTo(10.244770920119917, 13);
    expect(averagePathLength(3)).toBeCloseTo(1.207392357589623, 14);
  });

  it('draws min(256, rows) rows per tree for maxSamples auto, and grows trees no deeper than ceil(log2(maxSamples))', () => {
    using forest = new IsolationForest({ seed: 1 }).fit(data);
    expect(forest.maxSamplesUsed).toBe(256);
    expect(forest.nodeCount).toBeLessThanOrEqual(100 * 511);
    using small = new IsolationForest({ seed: 1 }).fit({ values: data.values.subarray(0, 100 * 5), rows: 100, cols: 5 });
    expect(small.maxSamplesUsed).toBe(100);
    using fraction = new IsolationForest({ seed: 1, maxSamples: 0.1 }).fit(data);
    expect(fraction.maxSamplesUsed).toBe(300);
  });

  it('scores in [-1, 0), lower for the injected outliers, with offset -0.5 for contamination auto', () => {
    using forest = new IsolationForest({ seed: 3 }).fit(data);
    const scores = forest.scoreSamples(data);
    expect(forest.offset).toBe(-0.5);
    let outlierMean = 0;
    let inlierMean = 0;
    let outliers = 0;
    scores.forEach((s, i) => {
      expect(s).toBeGreaterThanOrEqual(-1);
      expect(s).toBeLessThan(0);
      if (data.labels[i]) {
        outlierMean += s;
        outliers += 1;
      } else inlierMean += s;
    });
    expect(outlierMean / outliers).toBeLessThan(inlierMean / (data.rows - outliers) - 0.1);
    const decision = forest.decisionFunction(data);
    const predicted = forest.predict(data);
    decision.forEach((d, i) => {
      expect(d).toBeCloseTo(scores[i]! + 0.5, 12);
      expect(predicted[i]).toBe(d < 0 ? -1 : 1);
    });
  });

  it('sets the offset at the contamination percentile of the training scores', () => {
    using forest = new IsolationForest({ seed: 3, contamination: 0.02 }).fit(data);
    const flagged = forest.predict(data).filter((p) => p === -1).length;
    // numpy's linear percentile: at most ceil(2 % of rows) rows lie strictly below it.
    expect(flagged).toBeLessThanOrEqual(Math.ceil(0.02 * data.rows));
    expect(flagged).toBeGreaterThanOrEqual(Math.floor(0.02 * data.rows) - 1);
  });

  it('is reproducible from its seed and differs across seeds', () => {
    const a = new IsolationForest({ seed: 5 }).fit(data).scoreSamples(data);
    const b = new IsolationForest({ seed: 5 }).fit(data).scoreSamples(data);
    const c = new IsolationForest({ seed: 6 }).fit(data).scoreSamples(data);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('scores the same through the padded layout as through the grown trees (deep trees take the second path)', () => {
    // maxSamples 3000 -> depth 12 trees: the padded layout; 2^13 rows would exceed it.
    using shallow = new IsolationForest({ seed: 2, nEstimators: 5 }).fit(data);
    using deep = new IsolationForest({ seed: 2, nEstimators: 5, maxSamples: data.rows }).fit(data);
    for (const forest of [shallow, deep]) {
      const scores = forest.scoreSamples(data);
      const rowByRow = Float64Array.from({ length: 50 }, (_, i) => forest.scoreSamples([Array.from(data.values.subarray(i * 5, i * 5 + 5))])[0]!);
      expect(rowByRow).toEqual(scores.subarray(0, 50));
    }
  });

  it('uses a subset of features per tree when maxFeatures < 1', () => {
    using forest = new IsolationForest({ seed: 2, maxFeatures: 0.4 }).fit(data);
    const json = forest.toJSON();
    const feature = new Int32Array(new Uint8Array(Buffer.from(json.feature, 'base64')).buffer);
    const roots = new Int32Array(new Uint8Array(Buffer.from(json.roots, 'base64')).buffer);
    // 0.4 of 5 features = 2 per tree; the forest as a whole uses them all.
    for (let t = 0; t < roots.length; t += 1) {
      const end = t + 1 < roots.length ? roots[t + 1]! : feature.length;
      expect(new Set(Array.from(feature.subarray(roots[t]!, end)).filter((f) => f >= 0)).size).toBeLessThanOrEqual(2);
    }
    expect(new Set(Array.from(feature).filter((f) => f >= 0)).size).toBe(5);
    expect(forest.scoreSamples(data).every((s) => s < 0 && s >= -1)).toBe(true);
  });

  it('round-trips through toJSON/fromJSON exactly', () => {
    using forest = new IsolationForest({ seed: 9, contamination: 0.05, nEstimators: 20 }).fit(data);
    const json = JSON.parse(JSON.stringify(forest.toJSON()));
    using restored = IsolationForest.fromJSON(json);
    expect(restored.offset).toBe(forest.offset);
    expect(restored.scoreSamples(data)).toEqual(forest.scoreSamples(data));
    expect(restored.predict(data)).toEqual(forest.predict(data));
    expectKdapError(() => IsolationForest.fromJSON({ ...json, left: Buffer.from(new Int32Array(3).buffer).toString('base64') }), 'ERR_KDAP_DATA', /'left' holds 12 bytes/);
    expectKdapError(() => IsolationForest.fromJSON({ ...json, format: 'other' }), 'ERR_KDAP_DATA', /kdap-isolation-forest/);
  });

  it('reads tables of numeric columns and rejects other columns', () => {
    const table = {
      rowCount: 3,
      columnNames: ['a', 'b'],
      column: (name: string) => (name === 'a' ? { kind: 'numeric', values: [1, 2, 3] } : { kind: 'categorical', codes: [0, 1, 0], categories: ['x', 'y'] }),
    };
    expectKdapError(() => new IsolationForest().fit(table), 'ERR_KDAP_SCHEMA', /column 'b' is categorical/);
    using forest = new IsolationForest({ nEstimators: 3 }).fit({ ...table, columnNames: ['a'] });
    expect(forest.scoreSamples([[2]])).toHaveLength(1);
  });

  it('rejects bad parameters and bad input with typed errors', () => {
    expectKdapError(() => new IsolationForest({ nEstimators: 0 }), 'ERR_KDAP_PARAMETER', "The 'nEstimators' option of IsolationForest must be an integer between 1 and 100000. Got 0.");
    expectKdapError(() => new IsolationForest({ contamination: 0.6 }), 'ERR_KDAP_PARAMETER', /'contamination' option of IsolationForest must be 'auto' or a number > 0 and <= 0.5. Got 0.6/);
    expectKdapError(() => new IsolationForest({ maxSamples: 'all' as never }), 'ERR_KDAP_PARAMETER', /'maxSamples'/);
    expectKdapError(() => new IsolationForest({ maxFeatures: 0 }), 'ERR_KDAP_PARAMETER', /'maxFeatures'/);
    expectKdapError(() => new IsolationForest({ nEstimator: 10 } as never), 'ERR_KDAP_PARAMETER', /no option 'nEstimator'.*nEstimators/);
    expectKdapError(() => new IsolationForest().fit([]), 'ERR_KDAP_DATA', /got no rows/);
    expectKdapError(() => new IsolationForest().fit([[1, 2], [3, NaN]]), 'ERR_KDAP_DATA', /row 1, column 1 holds NaN/);
    expectKdapError(() => new IsolationForest().fit([[1, Infinity]]), 'ERR_KDAP_DATA', /holds Infinity/);
    expectKdapError(() => new IsolationForest().fit([[1, 2], [3]]), 'ERR_KDAP_DATA', /row 1 holds 1 values, but row 0 holds 2/);
    expectKdapError(() => new IsolationForest({ maxFeatures: 3 }).fit([[1, 2]]), 'ERR_KDAP_PARAMETER', /'maxFeatures'/);
    expectKdapError(() => new IsolationForest().scoreSamples(data), 'ERR_KDAP_NOT_FITTED', 'IsolationForest.scoreSamples() needs a fitted model. Call fit(X) first.');
    using forest = new IsolationForest({ nEstimators: 5 }).fit(data);
    expectKdapError(() => forest.scoreSamples([[1, 2, 3]]), 'ERR_KDAP_SCHEMA', /got 3 features per row, but the model was fitted on 5/);
  });

  it('is disposable: later calls say so, dispose twice is fine', () => {
    const forest = new IsolationForest({ nEstimators: 5 }).fit(data);
    forest.dispose();
    forest.dispose();
    expectKdapError(() => forest.scoreSamples(data), 'ERR_KDAP_DISPOSED', /IsolationForest has been disposed/);
    expectKdapError(() => forest.fit(data), 'ERR_KDAP_DISPOSED', /IsolationForest has been disposed/);
  });
});
