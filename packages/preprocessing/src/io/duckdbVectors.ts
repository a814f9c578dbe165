import { createRequire } from 'node:module';
import type { DuckDBDataChunk } from '@duckdb/node-api';
import type * as Bindings from '@duckdb/node-bindings';

/**
 * The C-API bindings that @duckdb/node-api itself loaded. Resolved through node-api so chunk and
 * vector handles come from the very same addon instance (a second copy would not accept them).
 * node-api's vector classes only expose values one at a time (about 0.1 us each, 2 s for 1M x 20),
 * while the C API hands out the vector's buffer (this binding returns a copy of it, which is
 * garbage once copied into the Table: docs/benchmarks.md counts what that costs).
 */
// createRequire(__filename) works in the CommonJS build and in the ESM build (tsup shims __filename).
const requireHere = createRequire(__filename);
export const bindings = requireHere(requireHere.resolve('@duckdb/node-bindings', { paths: [requireHere.resolve('@duckdb/node-api')] })) as typeof Bindings;

/**
 * Copies a DOUBLE column of `chunk` into `target` at `offset`; NULLs become NaN.
 */
export function copyDoubleColumn(chunk: DuckDBDataChunk, columnIndex: number, target: Float64Array, offset: number): void {
  copyDoubleVector(chunk.chunk, columnIndex, chunk.rowCount, target, offset);
}

/**
 * Copies the first `rows` values of DOUBLE column `columnIndex` of a raw chunk handle into `target`
 * at `offset`; NULLs become NaN. (The binding hands out a copy of the vector's buffer, not a view.)
 */
export function copyDoubleVector(chunk: Bindings.DataChunk, columnIndex: number, rows: number, target: Float64Array, offset: number): void {
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

