/**
 * Traces one context over a spend grid through LightGBM's trees in a single walk per tree.
 *
 * A response curve is one record's context at 50 spends: only the spend columns change between
 * the rows, so a native prediction walks every tree 50 times down the same context splits. Here
 * each tree is walked once with the whole grid, which splits only where the tree splits on a
 * spend column (the grid is sorted, so a range splits into runs). Each grid point still gets
 * exactly the leaf LightGBM's own `Tree::Predict` picks (the same decisions: missing types,
 * default directions, categorical bitsets, |x| <= 1e-35 read as 0 as the dense-matrix row reader
 * does), summed over the trees in the same order in double, so the values are bit-identical; the
 * optimizer still checks that on its first batch against the booster and falls back to it if not.
 */

/** LightGBM's kZeroThreshold: the dense-matrix reader drops |x| <= this, so it predicts as 0. */
const ZERO_THRESHOLD = 1e-35;

interface Tree {
  /** Internal nodes: feature, threshold, decision type, children (~leaf for a leaf). */
  feature: Int32Array;
  threshold: Float64Array;
  decision: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  leafValue: Float64Array;
  catBoundaries: Int32Array;
  catThreshold: Uint32Array;
}

function numbers(line: string | undefined): number[] {
  return line === undefined || line === '' ? [] : line.split(' ').map(Number);
}

/** The trees of a LightGBM text model, or undefined for a model this walk does not cover. */
function parseTrees(text: string): Tree[] | undefined {
  const header = text.slice(0, text.indexOf('\nTree='));
  const objective = /\nobjective=([^\n ]+)/.exec(header)?.[1];
  // Raw scores only (no link function, no averaging), one tree per iteration.
  if (objective === undefined || !/^(regression|regression_l1|huber|quantile)$/.test(objective)) return undefined;
  if (!/\nnum_tree_per_iteration=1\n/.test(header) || /\naverage_output/.test(header)) return undefined;
  const trees: Tree[] = [];
  const blocks = text.split('\nTree=').slice(1);
  for (const raw of blocks) {
    const block = raw.slice(0, raw.indexOf('\n\n') >= 0 ? raw.indexOf('\n\n') : undefined);
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1));
    }
    if (fields.get('is_linear') !== undefined && fields.get('is_linear') !== '0') return undefined;
    const leaves = Number(fields.get('num_leaves'));
    const leafValue = Float64Array.from(numbers(fields.get('leaf_value')));
    if (!(leaves >= 1) || leafValue.length !== leaves) return undefined;
    trees.push({
      feature: Int32Array.from(numbers(fields.get('split_feature'))),
      threshold: Float64Array.from(numbers(fields.get('threshold'))),
      decision: Uint8Array.from(numbers(fields.get('decision_type'))),
      left: Int32Array.from(numbers(fields.get('left_child'))),
      right: Int32Array.from(numbers(fields.get('right_child'))),
      leafValue,
      catBoundaries: Int32Array.from(numbers(fields.get('cat_boundaries'))),
      catThreshold: Uint32Array.from(numbers(fields.get('cat_threshold'))),
    });
  }
  return trees.length > 0 ? trees : undefined;
}

/**
 * All trees of a model in one buffer, one 16-byte record per node in depth-first order (a node's
 * left child is the next record), so a walk touches a few cache lines per tree instead of one per
 * array per node: a recommendation interleaves three models' walks with LightGBM's SHAP, and with
 * per-tree arrays most of the walk's time went to cache misses.
 *
 * Record g: `f64[2g]` the threshold (internal node) or the value (leaf); `i32[4g+2]` the split
 * feature, -1 for a leaf; `i32[4g+3]` the decision type (bits 0-7), 1 + the index of the feature
 * in the traced `varying` columns (bits 8-15; 0 for a context feature) and the distance to the
 * right child's record (bits 16-31); `catStart[g]`/`catWords[g]` a categorical node's bitset.
 */
interface Packed {
  f64: Float64Array;
  i32: Int32Array;
  catStart: Int32Array;
  catWords: Int32Array;
  catBits: Uint32Array;
  /** Each tree's root record. */
  roots: Int32Array;
}

/** Records per tree the 16-bit right-child distance allows. */
const MAX_TREE_RECORDS = 0xffff;

function pack(trees: readonly Tree[]): Packed | undefined {
  let records = 0;
  let bits = 0;
  for (const tree of trees) {
    const size = tree.feature.length + tree.leafValue.length;
    if (size > MAX_TREE_RECORDS) return undefined;
    records += size;
    bits += tree.catThreshold.length;
  }
  const buffer = new ArrayBuffer(records * 16);
  const packed: Packed = {
    f64: new Float64Array(buffer),
    i32: new Int32Array(buffer),
    catStart: new Int32Array(records),
    catWords: new Int32Array(records),
    catBits: new Uint32Array(bits),
    roots: new Int32Array(trees.length),
  };
  let next = 0;
  let bitBase = 0;
  trees.forEach((tree, t) => {
    packed.catBits.set(tree.catThreshold, bitBase);
    packed.roots[t] = next;
    // Depth-first with an explicit stack of [tree node (~leaf for a leaf), parent record (-1: none)].
    const stack: number[] = [tree.feature.length === 0 ? ~0 : 0, -1];
    while (stack.length > 0) {
      const parent = stack.pop()!;
      const node = stack.pop()!;
      const g = next++;
      if (parent >= 0) packed.i32[4 * parent + 3] = packed.i32[4 * parent + 3]! | ((g - parent) << 16);
      if (node < 0) {
        packed.f64[2 * g] = tree.leafValue[~node]!;
        packed.i32[4 * g + 2] = -1;
        continue;
      }
      packed.f64[2 * g] = tree.threshold[node]!;
      packed.i32[4 * g + 2] = tree.feature[node]!;
      packed.i32[4 * g + 3] = tree.decision[node]!;
      if ((tree.decision[node]! & 1) !== 0) {
        const cat = tree.threshold[node]!;
        packed.catStart[g] = bitBase + tree.catBoundaries[cat]!;
        packed.catWords[g] = tree.catBoundaries[cat + 1]! - tree.catBoundaries[cat]!;
      }
      // The left child is popped first (the next record); the right one records its distance.
      stack.push(tree.right[node]!, g, tree.left[node]!, -1);
    }
    bitBase += tree.catThreshold.length;
  });
  return packed;
}

/** The right child's record of internal record g (the left one is g + 1). */
function right(p: Packed, g: number): number {
  return g + (p.i32[4 * g + 3]! >>> 16);
}

/** LightGBM's Tree::NumericalDecision / CategoricalDecision: the child record for value `x`. */
function child(p: Packed, g: number, x: number): number {
  if (Math.abs(x) <= ZERO_THRESHOLD) x = 0;
  const type = p.i32[4 * g + 3]! & 0xff;
  if ((type & 1) !== 0) {
    if (Number.isNaN(x) || x < 0) return right(p, g);
    const value = Math.trunc(x);
    const word = value >>> 5;
    if (word < p.catWords[g]! && ((p.catBits[p.catStart[g]! + word]! >>> (value & 31)) & 1) === 1) return g + 1;
    return right(p, g);
  }
  const missing = (type >> 2) & 3;
  if (Number.isNaN(x) && missing !== 2) x = 0;
  if ((missing === 1 && x === 0) || (missing === 2 && Number.isNaN(x))) return (type & 2) !== 0 ? g + 1 : right(p, g);
  return x <= p.f64[2 * g]! ? g + 1 : right(p, g);
}

/** A model's trees, ready to trace grids. */
export class GridTracer {
  /** The `varying` columns the records' slots were marked for. */
  private marked: readonly number[] = [];
  /** Pending ranges of a walk: record, lo, hi. */
  private stack: Int32Array = new Int32Array(3 * 64);

  private constructor(private readonly p: Packed) {}

  /** Undefined when the model is not one this walk reproduces exactly (link function, linear trees, ...). */
  static fromModelString(text: string): GridTracer | undefined {
    const trees = parseTrees(text);
    const packed = trees === undefined ? undefined : pack(trees);
    return packed === undefined ? undefined : new GridTracer(packed);
  }

  /**
   * Raw predictions of `row` at every grid point into `out` (overwritten): column `varying[k]`
   * takes `values[k][i]` at point i, the other columns the row's values. Each `values[k]` must be
   * non-decreasing (the spend grid and its steady effective spend are).
   */
  trace(row: Float64Array, varying: readonly number[], values: readonly Float64Array[], out: Float64Array): void {
    if (varying.length !== this.marked.length || varying.some((v, k) => v !== this.marked[k])) this.mark(varying);
    out.fill(0);
    const { roots } = this.p;
    for (let t = 0; t < roots.length; t++) this.walk(roots[t]!, out.length, row, values, out);
  }

  /** Records which nodes split on a traced column. */
  private mark(varying: readonly number[]): void {
    const { i32 } = this.p;
    for (let g = 0; 4 * g < i32.length; g++) {
      if (i32[4 * g + 2]! < 0) continue;
      i32[4 * g + 3] = (i32[4 * g + 3]! & ~0xff00) | ((varying.indexOf(i32[4 * g + 2]!) + 1) << 8);
    }
    this.marked = [...varying];
  }

  /** Adds the tree at record `root` to out[0, n). */
  private walk(root: number, n: number, row: Float64Array, values: readonly Float64Array[], out: Float64Array): void {
    const { f64, i32 } = this.p;
    let stack = this.stack;
    let top = 0;
    let g = root;
    let lo = 0;
    let hi = n;
    for (;;) {
      const feature = i32[4 * g + 2]!;
      if (feature < 0) {
        const v = f64[2 * g]!;
        for (let i = lo; i < hi; i++) out[i] = out[i]! + v;
        if (top === 0) return;
        top -= 3;
        g = stack[top]!;
        lo = stack[top + 1]!;
        hi = stack[top + 2]!;
        continue;
      }
      const info = i32[4 * g + 3]!;
      const slot = (info >> 8) & 0xff;
      if (slot === 0) {
        const x = row[feature]!;
        // The common case (a numerical split, a present non-zero value) inline; the rest as LightGBM.
        g = (info & 1) === 0 && x === x && Math.abs(x) > ZERO_THRESHOLD ? (x <= f64[2 * g]! ? g + 1 : g + (info >>> 16)) : child(this.p, g, x);
        continue;
      }
      const column = values[slot - 1]!;
      // Split [lo, hi) into the points going left, a prefix [lo, a), and right, [a, hi). A
      // categorical split on a grid column, or zeros (which may take the missing-value direction),
      // go point by point.
      let a = lo;
      let pointwise = (info & 1) !== 0;
      if (!pointwise) {
        while (a < hi && !(Math.abs(column[a]!) > ZERO_THRESHOLD)) a++;
        pointwise = a > lo;
      }
      if (pointwise) {
        if (stack.length < top + 3 * (hi - lo)) stack = this.grow(top + 3 * (hi - lo));
        for (let i = hi - 1; i > lo; i--) {
          stack[top] = child(this.p, g, column[i]!);
          stack[top + 1] = i;
          stack[top + 2] = i + 1;
          top += 3;
        }
        g = child(this.p, g, column[lo]!);
        hi = lo + 1;
        continue;
      }
      // Sorted, non-zero and finite: x <= threshold goes left, a prefix of the range.
      const threshold = f64[2 * g]!;
      let b = hi;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (column[mid]! <= threshold) a = mid + 1;
        else b = mid;
      }
      if (a <= lo) {
        g += info >>> 16;
      } else if (a >= hi) {
        g += 1;
      } else {
        if (stack.length < top + 3) stack = this.grow(top + 3);
        stack[top] = g + (info >>> 16);
        stack[top + 1] = a;
        stack[top + 2] = hi;
        top += 3;
        g += 1;
        hi = a;
      }
    }
  }

  private grow(size: number): Int32Array {
    const bigger = new Int32Array(Math.max(size, 2 * this.stack.length));
    bigger.set(this.stack);
    this.stack = bigger;
    return bigger;
  }
}
