/**
 * Order statistics with NumPy's definitions (linear interpolation between closest ranks), so
 * fitted state matches scikit-learn's to the last few bits. NaN values are ignored.
 */

/** The non-NaN values, sorted ascending. */
export function sortedPresent(values: ArrayLike<number>): Float64Array {
  let count = 0;
  for (let i = 0; i < values.length; i += 1) if (!Number.isNaN(values[i] as number)) count += 1;
  const present = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i] as number;
    if (!Number.isNaN(v)) present[k++] = v;
  }
  return present.sort();
}

/** The q-th quantile (q in [0, 1]) of sorted values, as numpy.percentile(method='linear'); NaN when empty. */
export function quantileOfSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const position = (n - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, n - 1);
  const t = position - below;
  const a = sorted[below] as number;
  const b = sorted[above] as number;
  // NumPy's _lerp: interpolate from the nearer end for accuracy.
  const difference = b - a;
  return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
}

/** Median as numpy.median: the mean of the two middle values for an even count. */
export function medianOfSorted(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const middle = n >> 1;
  return n % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Mean and population variance (ddof = 0) of the non-NaN values, and how many there were. */
export function meanAndVariance(values: ArrayLike<number>): { mean: number; variance: number; count: number } {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i] as number;
    if (!Number.isNaN(v)) {
      sum += v;
      count += 1;
    }
  }
  const mean = count === 0 ? NaN : sum / count;
  let squares = 0;
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i] as number;
    if (!Number.isNaN(v)) squares += (v - mean) * (v - mean);
  }
  return { mean, variance: count === 0 ? NaN : squares / count, count };
}

/** Most frequent non-NaN value; ties go to the smallest, as scikit-learn's SimpleImputer does. */
export function mostFrequentValue(values: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i] as number;
    if (!Number.isNaN(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  let best = NaN;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}
