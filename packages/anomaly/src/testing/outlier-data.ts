import { SeededRandom } from '@kdap/preprocessing';

/** A labelled outlier data set: row-major features and 1 = injected outlier. */
export interface OutlierData {
  rows: number;
  cols: number;
  values: Float64Array;
  labels: Uint8Array;
}

/** The two acceptance data sets of issue 18. */
export type OutlierScenario = 'far' | 'moderate';

/**
 * Inliers from three Gaussian clusters (sd 1, 1 and 0.5 around centres drawn in [-3, 3]^cols);
 * outliers are cluster points shifted along a few features:
 * - 'far': 1 % of rows, 3-`cols` features shifted by 4-8 sd (easy, AUC near 1);
 * - 'moderate': 5 % of rows, 2-3 features shifted by 2-3 sd (overlaps the inliers, AUC well below 1).
 */
export function outlierData(scenario: OutlierScenario, rows: number, cols: number, seed: number): OutlierData {
  const random = new SeededRandom(seed);
  const centres = Array.from({ length: 3 }, () => Float64Array.from({ length: cols }, () => random.between(-3, 3)));
  const scales = [1, 1, 0.5];
  const fraction = scenario === 'far' ? 0.01 : 0.05;
  const values = new Float64Array(rows * cols);
  const labels = new Uint8Array(rows);
  const order = Int32Array.from({ length: cols }, (_, i) => i);
  for (let i = 0; i < rows; i += 1) {
    const cluster = random.integer(3);
    const centre = centres[cluster]!;
    const sd = scales[cluster]!;
    for (let j = 0; j < cols; j += 1) values[i * cols + j] = centre[j]! + sd * random.normal();
    if (random.uniform() >= fraction) continue;
    labels[i] = 1;
    const shifted = scenario === 'far' ? 3 + random.integer(cols - 2) : 2 + random.integer(2);
    for (let k = 0; k < shifted; k += 1) {
      const j = k + random.integer(cols - k);
      const swap = order[k]!;
      order[k] = order[j]!;
      order[j] = swap;
      const size = scenario === 'far' ? random.between(4, 8) : random.between(2, 3);
      const at = i * cols + order[k]!;
      values[at] = values[at]! + (random.uniform() < 0.5 ? -1 : 1) * size * sd;
    }
  }
  return { rows, cols, values, labels };
}
