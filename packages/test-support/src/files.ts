/** Scratch files tests and benchmarks share with the Python side. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory for one test file's data. */
export function temporaryDirectory(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `kdap-${prefix}-`));
}

/** Raw little-endian float32 values (numpy's `np.fromfile(path, dtype=np.float32)`). */
export function readFloat32(file: string): Float32Array {
  const buf = readFileSync(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function writeFloat32(file: string, values: Float32Array): void {
  writeFileSync(file, Buffer.from(values.buffer, values.byteOffset, values.byteLength));
}
