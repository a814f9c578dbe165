import * as path from 'node:path';
import { AddonLoadError } from '@kdap/errors';
import { type AddonDescription, type AddonErrorClasses, describeAddon, type Handle, loadKdapAddon, sourceBuildCommand } from '@kdap/napi-common';

/** Layer 1 of the neighbors_node addon: validated calls on an opaque index handle. */
export interface NeighborsBinding {
  /** Stores the @kdap/errors classes the addon builds its errors from, in this environment. */
  init(classes: AddonErrorClasses): void;
  /** Indexes `rows` x `cols` finite row-major points (copied into the index's own layout). */
  build(points: Float64Array, rows: number, cols: number, leafSize: number): Handle<'NeighborIndex'>;
  /**
   * Writes the k nearest indexed rows of each query row, nearest first (ties: lower row first),
   * into `distances` (Euclidean) and `indices`, k per query. With `excludeSelf` the queries are
   * the indexed points and each leaves itself out. Runs on `threads` threads; blocks the caller.
   */
  query(
    index: Handle<'NeighborIndex'>,
    queries: Float64Array,
    rows: number,
    k: number,
    excludeSelf: boolean,
    threads: number,
    distances: Float64Array,
    indices: Int32Array,
    kernel?: 'auto' | 'generic',
  ): void;
  /** The distance kernel this CPU runs: 'avx2' (x86-64 with AVX2) or 'generic' (128-bit vectors). `kernel: 'generic'` in query forces the latter (tests). */
  kernel(): 'avx2' | 'generic';
  /** Frees the index; returns whether it was live (a second call is a no-op). */
  dispose(index: Handle<'NeighborIndex'>): boolean;
  /** Size of an index: rows, cols, leaves and native bytes held. */
  indexInfo(index: Handle<'NeighborIndex'>): { rows: number; cols: number; leaves: number; bytes: number };
  /** Indexes not yet freed in this process (for leak tests). */
  liveHandles(): { NeighborIndex: number };
}

export { AddonLoadError };

/** This package's addon, for load errors (platform, file looked for, source build command). */
export function addonDescription(): AddonDescription {
  return describeAddon(path.resolve(__dirname, '..'), { what: 'The neighbors addon' });
}

/** How to build the addon, for load errors. */
export const BUILD_HINT = `Build it with '${sourceBuildCommand(addonDescription())}' (needs cmake and a C++17 compiler; Debian/Ubuntu: apt-get install build-essential cmake).`;

let cached: NeighborsBinding | undefined;

/** The loaded addon (loaded on first use, once per thread/environment). */
export function binding(): NeighborsBinding {
  cached ??= loadKdapAddon<NeighborsBinding>(addonDescription());
  return cached;
}
