/**
 * NumPy's `searchsorted(sorted, value, side='left')`: the first index i with sorted[i] >= value
 * (sorted.length when there is none), by binary search over ascending `sorted`. The rank of a value
 * among ties is its first position, as scikit-learn's binning and NumPy's ranking count it.
 */
export function searchSortedLeft(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
