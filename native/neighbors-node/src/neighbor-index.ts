import { availableParallelism } from 'node:os';
import { checkInt, DataError, describe, ParameterError } from '@kdap/errors';
import { type Handle, NativeResource } from '@kdap/napi-common';
import { binding } from './binding';

const OWNER = 'NeighborIndex';

/** Options of `NeighborIndex.kneighbors`. */
export interface KNeighborsOptions {
  /** The queries are the indexed points (same rows, same order): each leaves itself out. Default false. */
  excludeSelf?: boolean;
  /** Threads, with scikit-learn's n_jobs meaning: 1 (default), n, or -1 for every core. */
  nJobs?: number;
  /** Where to write the results (rows * k each); fresh arrays when omitted. */
  distances?: Float64Array;
  indices?: Int32Array;
}

/**
 * Exact k-nearest-neighbour search under the Euclidean distance, in native code: a k-d tree whose
 * leaves (up to `leafSize` points) are scanned with vector instructions, queries spread over
 * threads. Distances are computed as scikit-learn's trees compute them (sum of squared
 * differences in feature order, then the square root), so they are equal bit for bit; among equal
 * distances the lower indexed row comes first (scikit-learn leaves that order to its tree).
 * Holds native memory (about rows * cols * 8 bytes): dispose it, or use `using`.
 */
export class NeighborIndex extends NativeResource<Handle<'NeighborIndex'>> {
  readonly rows: number;
  readonly cols: number;

  private constructor(handle: Handle<'NeighborIndex'>, rows: number, cols: number) {
    super(OWNER, (h) => binding().dispose(h), handle);
    this.rows = rows;
    this.cols = cols;
  }

  /**
   * Indexes `rows` x `cols` row-major finite points (at least 1 row). The points are copied into
   * the index; `points` may be reused afterwards. `leafSize`: points per leaf (speed only), default 512.
   */
  static build(points: Float64Array, rows: number, cols: number, options: { leafSize?: number } = {}): NeighborIndex {
    checkMatrixArgs('build', 'points', points, rows, cols);
    checkInt(OWNER, 'leafSize', options.leafSize ?? 512, 1, 1 << 24);
    checkFinite('build', 'points', points, cols);
    const handle = binding().build(points, rows, cols, options.leafSize ?? 512);
    return new NeighborIndex(handle, rows, cols);
  }

  /** Native bytes this index holds (points in tree order, row map, leaf boxes). */
  get bytes(): number {
    return binding().indexInfo(this.handle).bytes;
  }

  /**
   * The `k` nearest indexed rows of each of `rows` query rows (row-major, `cols` wide): per query,
   * k distances (Euclidean, ascending) and the indexed row numbers, at [q * k, (q + 1) * k).
   */
  kneighbors(queries: Float64Array, rows: number, k: number, options: KNeighborsOptions = {}): { distances: Float64Array; indices: Int32Array } {
    const handle = this.handle;
    const excludeSelf = options.excludeSelf ?? false;
    checkMatrixArgs('kneighbors', 'queries', queries, rows, this.cols, 0);
    const most = this.rows - (excludeSelf ? 1 : 0);
    if (!Number.isInteger(k) || k < 1 || k > most) {
      throw new ParameterError(
        'k',
        `The 'k' argument of ${OWNER}.kneighbors() must be an integer from 1 to ${most} (the indexed rows${excludeSelf ? ' - 1, as each query leaves itself out' : ''}). Got ${describe(k)}.`,
      );
    }
    if (excludeSelf && rows !== this.rows) {
      throw new ParameterError('rows', `With excludeSelf, ${OWNER}.kneighbors() queries the indexed points: 'rows' must be ${this.rows}. Got ${rows}.`);
    }
    const threads = resolveJobs(options.nJobs ?? 1);
    const distances = options.distances ?? new Float64Array(rows * k);
    const indices = options.indices ?? new Int32Array(rows * k);
    if (!(distances instanceof Float64Array) || distances.length !== rows * k) {
      throw new ParameterError('distances', `The 'distances' option of ${OWNER}.kneighbors() must be a Float64Array of rows * k = ${rows * k} values. Got ${describe(distances)}.`);
    }
    if (!(indices instanceof Int32Array) || indices.length !== rows * k) {
      throw new ParameterError('indices', `The 'indices' option of ${OWNER}.kneighbors() must be an Int32Array of rows * k = ${rows * k} values. Got ${describe(indices)}.`);
    }
    checkFinite('kneighbors', 'queries', queries, this.cols);
    binding().query(handle, queries, rows, k, excludeSelf, threads, distances, indices);
    return { distances, indices };
  }
}

/** scikit-learn's n_jobs: -1 = every core, n >= 1 = n threads (capped at 1024). */
export function resolveJobs(nJobs: number): number {
  if (nJobs === -1) return availableParallelism();
  checkInt(OWNER, 'nJobs', nJobs, 1, 1024);
  return nJobs;
}

function checkMatrixArgs(method: string, name: string, data: unknown, rows: unknown, cols: unknown, minRows = 1): void {
  if (!(data instanceof Float64Array)) {
    throw new ParameterError(name, `The '${name}' argument of ${OWNER}.${method}() must be a row-major Float64Array. Got ${describe(data)}.`);
  }
  checkInt(OWNER, 'rows', rows, minRows, 2 ** 31 - 1, 'argument');
  checkInt(OWNER, 'cols', cols, 1, 2 ** 31 - 1, 'argument');
  if (data.length !== (rows as number) * (cols as number)) {
    throw new ParameterError(name, `The '${name}' argument of ${OWNER}.${method}() must hold rows * cols = ${(rows as number) * (cols as number)} values. Got ${data.length}.`);
  }
}

function checkFinite(method: string, name: string, data: Float64Array, cols: number): void {
  for (let i = 0; i < data.length; i += 1) {
    const v = data[i]!;
    // v - v is NaN for NaN and +-Infinity.
    if (v - v !== 0) {
      const row = Math.floor(i / cols);
      throw new DataError(`${OWNER}.${method}() needs finite numbers, but '${name}' row ${row}, column ${i % cols} holds ${v}. Impute or drop missing and infinite values first.`, { row, column: String(i % cols) });
    }
  }
}
