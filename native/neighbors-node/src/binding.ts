import { createRequire } from 'node:module';
import * as path from 'node:path';
import { AddonLoadError } from '@kdap/errors';
import { ADDON_ERROR_CLASSES, type AddonDescription, type AddonErrorClasses, type Handle, loadAddon, sourceBuildCommand } from '@kdap/napi-common';

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
  const packageDir = path.resolve(__dirname, '..');
  return {
    what: 'The neighbors addon',
    packageName: '@kdap/neighbors-node',
    packageDir,
    file: path.join(packageDir, 'build', 'Release', 'neighbors_node.node'),
    needs: 'cmake and a C++17 compiler',
    aptPackages: ['build-essential', 'cmake'],
  };
}

/** How to build the addon, for load errors. */
export const BUILD_HINT = `Build it with '${sourceBuildCommand(addonDescription())}' (needs cmake and a C++17 compiler; Debian/Ubuntu: apt-get install build-essential cmake).`;

/** Loads the addon from its platform package or a source build (napi-common's loadAddon). */
function load(): NeighborsBinding {
  return loadAddon(addonDescription(), (file) => {
    const addon = createRequire(__filename)(file) as NeighborsBinding;
    addon.init(ADDON_ERROR_CLASSES);
    return addon;
  }).binding;
}

let cached: NeighborsBinding | undefined;

/** The loaded addon (loaded on first use, once per thread/environment). */
export function binding(): NeighborsBinding {
  cached ??= load();
  return cached;
}
