/**
 * The Python reference environment (.venv-ref, made by scripts/python-ref.sh). Parity tests and
 * the benchmark fail, never skip, when it is missing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot, repoRoot } from './child';

/** The reference interpreter: $KDAP_PYTHON or <repo>/.venv-ref/bin/python. */
export function referencePython(): string {
  const py = process.env.KDAP_PYTHON ?? path.join(repoRoot, '.venv-ref', 'bin', 'python');
  if (!fs.existsSync(py)) {
    throw new Error(`The Python reference environment is missing (${py}). Create it with 'bash scripts/python-ref.sh'.`);
  }
  return py;
}

/** Runs a script from native/xgboost-node/test/python; returns its stdout. */
export function runPythonScript(script: string, args: string[], timeoutMs = 600_000): string {
  return execFileSync(referencePython(), [path.join(packageRoot, 'test', 'python', script), ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
