/**
 * The Python reference environment (.venv-ref, made by scripts/python-ref.sh). Parity tests and
 * the benchmark fail, never skip, when it is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { refPython, runPython } from '../../../../scripts/testing/python-ref';

const packageRoot = path.resolve(__dirname, '..', '..');

/** The reference interpreter: $KDAP_PYTHON or <repo>/.venv-ref/bin/python. */
export const referencePython = refPython;

/** Runs a script from native/xgboost-node/test/python; returns its stdout. */
export function runPythonScript(script: string, args: string[], timeoutMs = 600_000): string {
  return runPython(path.join(packageRoot, 'test', 'python', script), args, { timeoutMs });
}

export function readFloat32(file: string): Float32Array {
  const buf = fs.readFileSync(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function writeFloat32(file: string, values: Float32Array): void {
  fs.writeFileSync(file, Buffer.from(values.buffer, values.byteOffset, values.byteLength));
}

/** Largest |a - b| / max(|a|, |b|) (0 where both are 0) and largest |a - b|. */
export function maxDifference(a: Float32Array, b: Float32Array): { relative: number; absolute: number } {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let relative = 0;
  let absolute = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    const scale = Math.max(Math.abs(a[i]!), Math.abs(b[i]!));
    absolute = Math.max(absolute, d);
    if (d > 0) relative = Math.max(relative, d / scale);
  }
  return { relative, absolute };
}
