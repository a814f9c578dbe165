/**
 * A k-d tree over row-major points for exact k-nearest-neighbour queries under the Minkowski
 * distance (p >= 1). Points are copied in tree order so a leaf is one contiguous run; every node
 * keeps its bounding box, and a query visits the nearer child first and skips any node whose box
 * is farther than the current k-th neighbour. Works on "reduced" distances (sum |d|^p, no root)
 * until the end, as scikit-learn's trees do.
 */
export class KdTree {
  readonly size: number;
  readonly dims: number;
  readonly p: number;
  /** Original row of each tree position. */
  readonly order: Int32Array;
  /** The points in tree order, row-major. */
  readonly points: Float64Array;
  /** Per node: first and one-past-last tree position; left child (-1 for a leaf; right = left + 1). */
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly left: Int32Array;
  /** Per node: bounding box, dims values each. */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly depth: number;

  constructor(values: Float64Array, size: number, dims: number, options: { leafSize?: number; p?: number } = {}) {
    const leafSize = options.leafSize ?? 16;
    this.size = size;
    this.dims = dims;
    this.p = options.p ?? 2;
    const order = Int32Array.from({ length: size }, (_, i) => i);
    const starts: number[] = [];
    const ends: number[] = [];
    const lefts: number[] = [];
    const splitDims: number[] = [];
    // Breadth-first so both children of a node are adjacent (right = left + 1).
    starts.push(0);
    ends.push(size);
    lefts.push(-1);
    let maxDepth = 0;
    const depthOf: number[] = [0];
    for (let node = 0; node < starts.length; node += 1) {
      const s = starts[node]!;
      const e = ends[node]!;
      if (e - s <= leafSize) continue;
      // Split the widest dimension at its median (scikit-learn's kd_tree does the same).
      let widest = 0;
      let widestSpread = -1;
      for (let d = 0; d < dims; d += 1) {
        let min = Infinity;
        let max = -Infinity;
        for (let i = s; i < e; i += 1) {
          const v = values[order[i]! * dims + d]!;
          if (v < min) min = v;
          if (v > max) max = v;
        }
        if (max - min > widestSpread) {
          widestSpread = max - min;
          widest = d;
        }
      }
      if (widestSpread <= 0) continue; // all points equal: a leaf, whatever its size
      const middle = (s + e) >> 1;
      selectNth(order, values, dims, widest, s, e - 1, middle);
      splitDims.push(widest);
      lefts[node] = starts.length;
      starts.push(s, middle);
      ends.push(middle, e);
      lefts.push(-1, -1);
      depthOf.push(depthOf[node]! + 1, depthOf[node]! + 1);
      maxDepth = Math.max(maxDepth, depthOf[node]! + 1);
    }
    const nodes = starts.length;
    this.order = order;
    this.start = Int32Array.from(starts);
    this.end = Int32Array.from(ends);
    this.left = Int32Array.from(lefts);
    this.depth = maxDepth;
    this.points = new Float64Array(size * dims);
    for (let i = 0; i < size; i += 1) this.points.set(values.subarray(order[i]! * dims, order[i]! * dims + dims), i * dims);
    this.lower = new Float64Array(nodes * dims).fill(Infinity);
    this.upper = new Float64Array(nodes * dims).fill(-Infinity);
    // Children come after parents: fill boxes bottom-up from leaves.
    for (let node = nodes - 1; node >= 0; node -= 1) {
      const l = this.left[node]!;
      const box = node * dims;
      if (l < 0) {
        for (let i = this.start[node]!; i < this.end[node]!; i += 1) {
          for (let d = 0; d < dims; d += 1) {
            const v = this.points[i * dims + d]!;
            if (v < this.lower[box + d]!) this.lower[box + d] = v;
            if (v > this.upper[box + d]!) this.upper[box + d] = v;
          }
        }
      } else {
        for (let d = 0; d < dims; d += 1) {
          this.lower[box + d] = Math.min(this.lower[l * dims + d]!, this.lower[(l + 1) * dims + d]!);
          this.upper[box + d] = Math.max(this.upper[l * dims + d]!, this.upper[(l + 1) * dims + d]!);
        }
      }
    }
  }

  /**
   * The k nearest tree points of each query row (row-major, `dims` wide), written sorted by
   * distance into `distances` / `indices` (k per query, original row numbers). With `excludeSelf`,
   * queries are the tree's own rows: each row's k + 1 neighbours are found and the row itself is
   * dropped (or, when duplicates crowd it out, the nearest), as scikit-learn's `kneighbors()` does.
   */
  query(queries: Float64Array, rows: number, k: number, distances: Float64Array, indices: Int32Array, excludeSelf = false, from = 0, to = rows): void {
    const dims = this.dims;
    const want = excludeSelf ? k + 1 : k;
    const heapDist = new Float64Array(want);
    const heapIdx = new Int32Array(want);
    const stackNode = new Int32Array(2 * (this.depth + 2));
    const stackBound = new Float64Array(2 * (this.depth + 2));
    const q = new Float64Array(dims);
    const { points, start, end, left, lower, upper, order } = this;
    const p = this.p;
    const euclidean = p === 2;

    for (let row = from; row < to; row += 1) {
      for (let d = 0; d < dims; d += 1) q[d] = queries[row * dims + d]!;
      heapDist.fill(Infinity);
      heapIdx.fill(-1);
      let worst = Infinity;
      let top = 0;
      stackNode[top] = 0;
      stackBound[top] = 0;
      top += 1;
      while (top > 0) {
        top -= 1;
        const node = stackNode[top]!;
        if (stackBound[top]! >= worst) continue;
        const l = left[node]!;
        if (l < 0) {
          const e = end[node]!;
          for (let i = start[node]!; i < e; i += 1) {
            const base = i * dims;
            let sum = 0;
            if (euclidean) {
              for (let d = 0; d < dims && sum < worst; d += 1) {
                const diff = points[base + d]! - q[d]!;
                sum += diff * diff;
              }
            } else {
              for (let d = 0; d < dims && sum < worst; d += 1) sum += rdist(points[base + d]! - q[d]!, p);
            }
            if (sum < worst) {
              worst = heapReplaceTop(heapDist, heapIdx, want, sum, order[i]!);
            }
          }
          continue;
        }
        const boundLeft = boxDistance(q, lower, upper, l * dims, dims, p);
        const boundRight = boxDistance(q, lower, upper, (l + 1) * dims, dims, p);
        // Push the farther child first so the nearer is explored first.
        if (boundLeft <= boundRight) {
          if (boundRight < worst) {
            stackNode[top] = l + 1;
            stackBound[top++] = boundRight;
          }
          if (boundLeft < worst) {
            stackNode[top] = l;
            stackBound[top++] = boundLeft;
          }
        } else {
          if (boundLeft < worst) {
            stackNode[top] = l;
            stackBound[top++] = boundLeft;
          }
          if (boundRight < worst) {
            stackNode[top] = l + 1;
            stackBound[top++] = boundRight;
          }
        }
      }
      // Heap -> ascending order (heap sort in place), then drop self when asked.
      for (let n = want - 1; n > 0; n -= 1) {
        const d0 = heapDist[0]!;
        const i0 = heapIdx[0]!;
        heapDist[0] = heapDist[n]!;
        heapIdx[0] = heapIdx[n]!;
        heapDist[n] = d0;
        heapIdx[n] = i0;
        siftDown(heapDist, heapIdx, n, 0);
      }
      let skip = -1;
      if (excludeSelf) {
        skip = 0;
        for (let j = 0; j < want; j += 1) {
          if (heapIdx[j] === row) {
            skip = j;
            break;
          }
        }
      }
      const out = row * k;
      for (let j = 0, o = 0; j < want; j += 1) {
        if (j === skip) continue;
        const r = heapDist[j]!;
        distances[out + o] = euclidean ? Math.sqrt(r) : p === 1 ? r : r ** (1 / p);
        indices[out + o] = heapIdx[j]!;
        o += 1;
      }
    }
  }
}

function rdist(diff: number, p: number): number {
  const a = Math.abs(diff);
  return p === 1 ? a : a ** p;
}

/** Reduced distance from q to the box [lower, upper] at `box`. */
function boxDistance(q: Float64Array, lower: Float64Array, upper: Float64Array, box: number, dims: number, p: number): number {
  let sum = 0;
  for (let d = 0; d < dims; d += 1) {
    const v = q[d]!;
    const lo = lower[box + d]!;
    const hi = upper[box + d]!;
    const gap = v < lo ? lo - v : v > hi ? v - hi : 0;
    sum += p === 2 ? gap * gap : rdist(gap, p);
  }
  return sum;
}

/** Replaces the max of a full max-heap with (dist, index); returns the new max. */
function heapReplaceTop(dist: Float64Array, idx: Int32Array, size: number, value: number, index: number): number {
  dist[0] = value;
  idx[0] = index;
  siftDown(dist, idx, size, 0);
  return dist[0]!;
}

function siftDown(dist: Float64Array, idx: Int32Array, size: number, from: number): void {
  let i = from;
  const value = dist[i]!;
  const index = idx[i]!;
  for (;;) {
    const a = 2 * i + 1;
    if (a >= size) break;
    const b = a + 1;
    const c = b < size && dist[b]! > dist[a]! ? b : a;
    if (dist[c]! <= value) break;
    dist[i] = dist[c]!;
    idx[i] = idx[c]!;
    i = c;
  }
  dist[i] = value;
  idx[i] = index;
}

/** Quickselect: reorders order[lo..hi] so position nth holds the median by coordinate `dim`. */
function selectNth(order: Int32Array, values: Float64Array, dims: number, dim: number, lo: number, hi: number, nth: number): void {
  let a = lo;
  let b = hi;
  while (b > a) {
    const pivot = values[order[(a + b) >> 1]! * dims + dim]!;
    let i = a;
    let j = b;
    while (i <= j) {
      while (values[order[i]! * dims + dim]! < pivot) i += 1;
      while (values[order[j]! * dims + dim]! > pivot) j -= 1;
      if (i <= j) {
        const swap = order[i]!;
        order[i] = order[j]!;
        order[j] = swap;
        i += 1;
        j -= 1;
      }
    }
    if (nth <= j) b = j;
    else if (nth >= i) a = i;
    else break;
  }
}
