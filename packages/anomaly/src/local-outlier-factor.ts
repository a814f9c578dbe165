import { AddonLoadError, checkInt, checkKnownOptions, DataError, describe, invalidParameter } from '@kdap/errors';
import { NeighborIndex, resolveJobs } from '@kdap/neighbors-node';
import { checkContamination, type Contamination } from './contamination';
import { KdTree } from './kd-tree';
import { decodeArray, encodeArray, percentile, toRowMatrix, type NumericInput } from './numeric-matrix';
import { OutlierDetector } from './outlier-detector';

/** LocalOutlierFactor options (scikit-learn's names in camelCase, same defaults). */
export interface LocalOutlierFactorOptions {
  /** Neighbours per point; default 20 (capped at training rows - 1, as scikit-learn does). */
  nNeighbors?: number;
  /** Expected outlier fraction: 'auto' (offset -1.5) or a number in (0, 0.5]; default 'auto'. */
  contamination?: Contamination;
  /** Only novelty detection (scoring new data) is offered; must be true. */
  novelty?: true;
  /** Minkowski power: 2 = Euclidean (default), 1 = Manhattan, any p >= 1. */
  p?: number;
  /**
   * Points per leaf of the TypeScript k-d tree (used when p != 2, or when the native addon is not
   * built): speed only, never results; default 16. The native Euclidean search sizes its own leaves.
   */
  leafSize?: number;
  /** Threads for the neighbour search, as scikit-learn's n_jobs: 1 (default), n, or -1 for every core. Speed only. */
  nJobs?: number;
}

const OWNER = 'LocalOutlierFactor';
const KNOWN = ['nNeighbors', 'contamination', 'novelty', 'p', 'leafSize', 'nJobs'];
const FORMAT = 'kdap-local-outlier-factor';
/** scikit-learn adds this to the mean reachability distance so duplicates do not divide by zero. */
const LRD_EPSILON = 1e-10;

interface Fitted {
  rows: number;
  cols: number;
  /** Training points, row-major (the model is its data: rows * cols * 8 bytes). */
  points: Float64Array;
  /** The neighbour search: native (Euclidean) or the TypeScript k-d tree (other p, or no addon). */
  search: NeighborSearch;
  k: number;
  /** Distance of each training point to its k-th neighbour. */
  kDistance: Float64Array;
  /** Local reachability density of each training point. */
  lrd: Float64Array;
  negativeOutlierFactor: Float64Array;
  offset: number;
}

/**
 * Local Outlier Factor in novelty mode, with scikit-learn's semantics
 * (`sklearn.neighbors.LocalOutlierFactor(novelty=True)`): fitted on reference data, it scores new
 * rows by how much sparser their neighbourhood is than their neighbours' (opposite of the LOF,
 * so lower is more abnormal; about -1 for inliers). Exact neighbours: for the Euclidean distance
 * (p = 2) through @kdap/neighbors-node (native k-d tree with vectorized leaf scans and nJobs
 * threads; distances equal scikit-learn's bit for bit), otherwise through a TypeScript k-d tree.
 * Among neighbours at exactly equal distance the lower training row wins (scikit-learn: its tree's
 * traversal order); the distances, hence the scores, are the same either way unless a tie sits at
 * the k-th place between points of different densities. Holds native memory: dispose it or `using`.
 */
export class LocalOutlierFactor extends OutlierDetector<Fitted> {
  readonly nNeighbors: number;
  readonly contamination: Contamination;
  readonly novelty = true;
  readonly p: number;
  readonly leafSize: number;
  readonly nJobs: number;

  constructor(options: LocalOutlierFactorOptions = {}) {
    super(OWNER);
    checkKnownOptions(OWNER, options, KNOWN);
    const { nNeighbors = 20, contamination = 'auto', novelty = true, p = 2, leafSize = 16, nJobs = 1 } = options;
    checkInt(OWNER, 'nNeighbors', nNeighbors, 1, 10_000);
    checkContamination(OWNER, contamination);
    if (novelty !== true) {
      invalidParameter(OWNER, 'novelty', 'true (only novelty detection is offered; the training rows are scored by negativeOutlierFactor)', novelty, 'option');
    }
    if (typeof p !== 'number' || !(p >= 1) || !Number.isFinite(p)) invalidParameter(OWNER, 'p', 'a finite number >= 1', p, 'option');
    checkInt(OWNER, 'leafSize', leafSize, 1, 100_000);
    if (nJobs !== -1) checkInt(OWNER, 'nJobs', nJobs, 1, 1024);
    this.nNeighbors = nNeighbors;
    this.contamination = contamination;
    this.p = p;
    this.leafSize = leafSize;
    this.nJobs = nJobs;
  }

  /** Which neighbour search the fitted model uses: 'native' (@kdap/neighbors-node) or 'typescript'. */
  get neighborSearch(): 'native' | 'typescript' {
    return this.fitted('neighborSearch').search.kind;
  }

  /** scikit-learn's `n_neighbors_`: min(nNeighbors, training rows - 1). */
  get nNeighborsUsed(): number {
    return this.fitted('nNeighborsUsed').k;
  }

  /** scikit-learn's `negative_outlier_factor_`: the training rows' scores (each excluding itself). */
  get negativeOutlierFactor(): Float64Array {
    return this.fitted('negativeOutlierFactor').negativeOutlierFactor.slice();
  }

  get nFeatures(): number {
    return this.fitted('nFeatures').cols;
  }

  /** Stores X (rows x features, all finite, at least 2 rows), indexes it and scores it; returns this. */
  fit(X: NumericInput): this {
    this.checkAlive();
    const { rows, cols, values } = toRowMatrix(OWNER, 'fit', X);
    if (rows < 2) throw new DataError(`${OWNER}.fit() needs at least 2 rows to find neighbours. Got ${rows}.`);
    const points = Float64Array.from(values);
    const k = Math.max(1, Math.min(this.nNeighbors, rows - 1));
    const search = neighborSearch(points, rows, cols, this.p, this.leafSize, this.nJobs);
    let distances: Float64Array;
    let indices: Int32Array;
    try {
      ({ distances, indices } = search.query(points, rows, k, true));
    } catch (error) {
      search.dispose();
      throw error;
    }
    const kDistance = new Float64Array(rows);
    for (let i = 0; i < rows; i += 1) kDistance[i] = distances[i * k + k - 1]!;
    const lrd = reachabilityDensity(distances, indices, kDistance, rows, k);
    const negativeOutlierFactor = negativeOutlierFactors(indices, lrd, lrd, rows, k);
    const offset = this.contamination === 'auto' ? -1.5 : percentile(negativeOutlierFactor, 100 * this.contamination);
    this.setFitted({ rows, cols, points, search, k, kDistance, lrd, negativeOutlierFactor, offset });
    return this;
  }

  /** scikit-learn's `score_samples`: minus the local outlier factor of each row vs the training data; lower is more abnormal. */
  scoreSamples(X: NumericInput): Float64Array {
    const fitted = this.fitted('scoreSamples');
    const { rows, values } = toRowMatrix(OWNER, 'scoreSamples', X, fitted.cols);
    const { k, search, kDistance, lrd } = fitted;
    const { distances, indices } = search.query(values, rows, k, false);
    return negativeOutlierFactors(indices, lrd, reachabilityDensity(distances, indices, kDistance, rows, k), rows, k);
  }

  /**
   * A JSON-safe snapshot holding the training points (base64; rows * features * 8 bytes, e.g.
   * 1.6 MB for 20,000 x 10 before base64's 4/3); `fromJSON` rebuilds the index.
   */
  toJSON(): LocalOutlierFactorJSON {
    const f = this.fitted('toJSON');
    return {
      format: FORMAT,
      version: 1,
      params: { nNeighbors: this.nNeighbors, contamination: this.contamination, novelty: true, p: this.p, leafSize: this.leafSize, nJobs: this.nJobs },
      rows: f.rows,
      cols: f.cols,
      offset: f.offset,
      points: encodeArray(f.points),
    };
  }

  /** Restores a model saved with `toJSON` (refits the neighbour state from the stored points, keeping the saved offset). */
  static fromJSON(json: LocalOutlierFactorJSON): LocalOutlierFactor {
    if (json === null || typeof json !== 'object' || json.format !== FORMAT || json.version !== 1) {
      throw new DataError(`LocalOutlierFactor.fromJSON() needs a '${FORMAT}' version 1 document. Got ${describe(json?.format ?? json)}.`);
    }
    const model = new LocalOutlierFactor(json.params);
    const points = decodeArray<Float64Array>(OWNER, 'points', json.points, 'float64', json.rows * json.cols);
    model.fit({ values: points, rows: json.rows, cols: json.cols });
    model.fitted('fromJSON').offset = json.offset;
    return model;
  }

  /** The (native) neighbour index of a replaced or disposed fit is freed now, not at GC. */
  protected override release(state: Fitted): void {
    state.search.dispose();
  }
}

/** What `LocalOutlierFactor.toJSON` returns. */
export interface LocalOutlierFactorJSON {
  format: typeof FORMAT;
  version: 1;
  /** nJobs is absent in documents written before it existed (then 1). */
  params: Omit<Required<LocalOutlierFactorOptions>, 'nJobs'> & { nJobs?: number };
  rows: number;
  cols: number;
  offset: number;
  points: string;
}

/**
 * Minus each row's local outlier factor: the mean local reachability density of its k neighbours
 * (`indices`, k per row, into `lrd` of the training rows) over its own (`ownLrd`).
 */
function negativeOutlierFactors(indices: Int32Array, lrd: Float64Array, ownLrd: Float64Array, rows: number, k: number): Float64Array {
  const factors = new Float64Array(rows);
  for (let i = 0; i < rows; i += 1) {
    let sum = 0;
    for (let j = 0; j < k; j += 1) sum += lrd[indices[i * k + j]!]!;
    factors[i] = -(sum / k) / ownLrd[i]!;
  }
  return factors;
}

/** 1 / (mean reachability distance + 1e-10), reach-dist(a, b) = max(d(a, b), k-distance(b)). */
function reachabilityDensity(distances: Float64Array, indices: Int32Array, kDistance: Float64Array, rows: number, k: number): Float64Array {
  const lrd = new Float64Array(rows);
  for (let i = 0; i < rows; i += 1) {
    let sum = 0;
    for (let j = 0; j < k; j += 1) {
      const d = distances[i * k + j]!;
      const kd = kDistance[indices[i * k + j]!]!;
      sum += d > kd ? d : kd;
    }
    lrd[i] = 1 / (sum / k + LRD_EPSILON);
  }
  return lrd;
}

/** A fitted neighbour index behind one interface: k nearest training rows per query, sorted. */
interface NeighborSearch {
  readonly kind: 'native' | 'typescript';
  query(queries: Float64Array, rows: number, k: number, excludeSelf: boolean): { distances: Float64Array; indices: Int32Array };
  dispose(): void;
}

let nativeMissing: AddonLoadError | undefined;

/**
 * The native index for the Euclidean distance; the TypeScript k-d tree for other p, or when the
 * addon is not built (said once, with how to build it, as a process warning: the TypeScript
 * search is about 10x slower).
 */
function neighborSearch(points: Float64Array, rows: number, cols: number, p: number, leafSize: number, nJobs: number): NeighborSearch {
  if (p === 2 && nativeMissing === undefined) {
    try {
      const index = NeighborIndex.build(points, rows, cols);
      const threads = resolveJobs(nJobs);
      return {
        kind: 'native',
        query: (queries, n, k, excludeSelf) => index.kneighbors(queries, n, k, { excludeSelf, nJobs: threads }),
        dispose: () => index.dispose(),
      };
    } catch (error) {
      if (!(error instanceof AddonLoadError)) throw error;
      nativeMissing = error;
      process.emitWarning(`${OWNER} uses its TypeScript neighbour search: ${error.message}`, { code: 'KDAP_NEIGHBORS_ADDON_MISSING' });
    }
  }
  const tree = new KdTree(points, rows, cols, { leafSize, p });
  return {
    kind: 'typescript',
    query: (queries, n, k, excludeSelf) => {
      const distances = new Float64Array(n * k);
      const indices = new Int32Array(n * k);
      tree.query(queries, n, k, distances, indices, excludeSelf);
      return { distances, indices };
    },
    dispose: () => undefined,
  };
}
