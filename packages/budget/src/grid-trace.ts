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

/** LightGBM's Tree::NumericalDecision / CategoricalDecision: the child index for value `x`. */
function child(tree: Tree, node: number, x: number): number {
  if (Math.abs(x) <= ZERO_THRESHOLD) x = 0;
  const type = tree.decision[node]!;
  if ((type & 1) !== 0) {
    if (Number.isNaN(x) || x < 0) return tree.right[node]!;
    const value = Math.trunc(x);
    const cat = tree.threshold[node]!;
    const start = tree.catBoundaries[cat]!;
    const words = tree.catBoundaries[cat + 1]! - start;
    const word = value >>> 5;
    if (word < words && ((tree.catThreshold[start + word]! >>> (value & 31)) & 1) === 1) return tree.left[node]!;
    return tree.right[node]!;
  }
  const missing = (type >> 2) & 3;
  if (Number.isNaN(x) && missing !== 2) x = 0;
  if ((missing === 1 && x === 0) || (missing === 2 && Number.isNaN(x))) return (type & 2) !== 0 ? tree.left[node]! : tree.right[node]!;
  return x <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
}

/** A model's trees, ready to trace grids. */
export class GridTracer {
  private constructor(private readonly trees: readonly Tree[]) {}

  /** Undefined when the model is not one this walk reproduces exactly (link function, linear trees, ...). */
  static fromModelString(text: string): GridTracer | undefined {
    const trees = parseTrees(text);
    return trees === undefined ? undefined : new GridTracer(trees);
  }

  /**
   * Raw predictions of `row` at every grid point into `out` (overwritten): column `varying[k]`
   * takes `values[k][i]` at point i, the other columns the row's values. Each `values[k]` must be
   * non-decreasing (the spend grid and its steady effective spend are).
   */
  trace(row: Float64Array, varying: readonly number[], values: readonly Float64Array[], out: Float64Array): void {
    out.fill(0);
    const n = out.length;
    for (const tree of this.trees) {
      if (tree.feature.length === 0) {
        const v = tree.leafValue[0]!;
        for (let i = 0; i < n; i++) out[i] = out[i]! + v;
        continue;
      }
      this.walk(tree, 0, 0, n, row, varying, values, out);
    }
  }

  private walk(tree: Tree, node: number, lo: number, hi: number, row: Float64Array, varying: readonly number[], values: readonly Float64Array[], out: Float64Array): void {
    for (;;) {
      if (node < 0) {
        const v = tree.leafValue[~node]!;
        for (let i = lo; i < hi; i++) out[i] = out[i]! + v;
        return;
      }
      const k = varying.indexOf(tree.feature[node]!);
      if (k < 0) {
        node = child(tree, node, row[tree.feature[node]!]!);
        continue;
      }
      const column = values[k]!;
      if ((tree.decision[node]! & 1) !== 0) {
        // A categorical split on a grid column (not one the optimizer makes): point by point.
        for (let i = lo; i < hi; i++) this.walk(tree, child(tree, node, column[i]!), i, i + 1, row, varying, values, out);
        return;
      }
      // Leading zeros (a grid from 0) may take the missing-value direction: one by one.
      while (lo < hi && !(Math.abs(column[lo]!) > ZERO_THRESHOLD)) {
        this.walk(tree, child(tree, node, column[lo]!), lo, lo + 1, row, varying, values, out);
        lo++;
      }
      if (lo >= hi) return;
      // The rest is sorted, non-zero and finite: x <= threshold goes left, a prefix of the range.
      const threshold = tree.threshold[node]!;
      let a = lo;
      let b = hi;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (column[mid]! <= threshold) a = mid + 1;
        else b = mid;
      }
      if (a > lo && a < hi) this.walk(tree, tree.left[node]!, lo, a, row, varying, values, out);
      if (a >= hi) {
        node = tree.left[node]!;
      } else {
        node = tree.right[node]!;
        lo = a;
      }
    }
  }
}
