import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { DuckDBDataChunk } from '@duckdb/node-api';
import type * as Bindings from '@duckdb/node-bindings';
import { attachToDuckDB, type DuckDBVectorsBinding } from '@kdap/duckdb-vectors';

/**
 * The C-API bindings that @duckdb/node-api itself loaded. Resolved through node-api so chunk and
 * vector handles come from the very same addon instance (a second copy would not accept them).
 * node-api's vector classes only expose values one at a time (about 0.1 us each, 2 s for 1M x 20),
 * while the C API hands out the vector's buffer.
 */
// createRequire(__filename) works in the CommonJS build and in the ESM build (tsup shims __filename).
const requireHere = createRequire(__filename);
const bindingsDir = path.dirname(requireHere.resolve('@duckdb/node-bindings/package.json', { paths: [requireHere.resolve('@duckdb/node-api')] }));
export const bindings = requireHere(bindingsDir) as typeof Bindings;

/**
 * How DOUBLE vectors reach a Table. `native`: @kdap/duckdb-vectors copies each vector straight
 * into the Table's array. `javascript`: the bindings' vector_get_data, which returns a fresh copy
 * of the vector per call; those copies are garbage until V8's next GC and add ~25-35 MB to the
 * peak of a 1M x 20 read (docs/benchmarks.md). Used only when the addon cannot attach.
 */
export type VectorCopyPath = { readonly path: 'native'; readonly duckdb: string } | { readonly path: 'javascript'; readonly reason: string };

let nativeCopy: DuckDBVectorsBinding['copyDoubleColumn'] | undefined;
let copyPath: VectorCopyPath | undefined;
let forcedJavaScript = false;

/**
 * Attaches @kdap/duckdb-vectors to this DuckDB and checks it on a chunk made here: if the addon is
 * missing, or the bindings' handles are not what it expects (another @duckdb/node-bindings
 * release), the JavaScript copy is used and the reason kept for `vectorCopyPath()`.
 */
function attachNativeCopy(): VectorCopyPath {
  try {
    const { binding, version } = attachToDuckDB(bindingsDir);
    const type = bindings.create_logical_type(bindings.Type.DOUBLE);
    const chunk = bindings.create_data_chunk([type]);
    const values = new Float64Array([1.5, -2, Number.MAX_VALUE]);
    bindings.data_chunk_set_size(chunk, values.length);
    bindings.copy_data_to_vector(bindings.data_chunk_get_vector(chunk, 0), 0, values.buffer, 0, values.byteLength);
    const copied = new Float64Array(values.length + 1);
    binding.copyDoubleColumn(chunk, 0, values.length, copied, 1);
    if (copied.join() !== `0,${values.join()}`) throw new Error(`the check chunk came back as ${copied.join()}`);
    nativeCopy = binding.copyDoubleColumn;
    return { path: 'native', duckdb: version };
  } catch (error) {
    return { path: 'javascript', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** How this process copies DuckDB vectors into Tables (attaching the addon on first call). */
export function vectorCopyPath(): VectorCopyPath {
  copyPath ??= attachNativeCopy();
  return forcedJavaScript ? { path: 'javascript', reason: 'forced by useJavaScriptVectorCopy(true)' } : copyPath;
}

/** Tests and benchmarks: use the JavaScript copy even when the addon is attached. */
export function useJavaScriptVectorCopy(force: boolean): void {
  forcedJavaScript = force;
}

/**
 * Copies a DOUBLE column of `chunk` into `target` at `offset`; NULLs become NaN.
 */
export function copyDoubleColumn(chunk: DuckDBDataChunk, columnIndex: number, target: Float64Array, offset: number): void {
  copyDoubleVector(chunk.chunk, columnIndex, chunk.rowCount, target, offset);
}

/**
 * Copies the first `rows` values of DOUBLE column `columnIndex` of a raw chunk handle into `target`
 * at `offset`; NULLs become NaN.
 */
export function copyDoubleVector(chunk: Bindings.DataChunk, columnIndex: number, rows: number, target: Float64Array, offset: number): void {
  copyPath ??= attachNativeCopy();
  if (nativeCopy !== undefined && !forcedJavaScript) {
    nativeCopy(chunk, columnIndex, rows, target, offset);
    return;
  }
  const vector = bindings.data_chunk_get_vector(chunk, columnIndex);
  const bytes = bindings.vector_get_data(vector, rows * Float64Array.BYTES_PER_ELEMENT);
  if (bytes.byteOffset % Float64Array.BYTES_PER_ELEMENT === 0) {
    target.set(new Float64Array(bytes.buffer, bytes.byteOffset, rows), offset);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < rows; i += 1) target[offset + i] = view.getFloat64(i * 8, true);
  }
  const validity = bindings.vector_get_validity(vector, Math.ceil(rows / 64) * 8);
  // No validity mask means every row is valid.
  if (!validity) return;
  // Scan whole bytes first: almost all are 0xff (eight valid rows), so bits are rarely visited.
  const lastByte = Math.ceil(rows / 8);
  for (let b = 0; b < lastByte; b += 1) {
    const bits = validity[b] as number;
    if (bits === 0xff) continue;
    const end = Math.min(rows, b * 8 + 8);
    for (let i = b * 8; i < end; i += 1) {
      if ((bits & (1 << (i & 7))) === 0) target[offset + i] = NaN;
    }
  }
}
