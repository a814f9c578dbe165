/**
 * Test helper: runs the Python reference environment (.venv-ref, made by scripts/python-ref.sh).
 * Parity tests fail, never skip, when it is missing: CI installs it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');

/** The reference interpreter: $KDAP_PYTHON or <repo>/.venv-ref/bin/python. */
export function refPython(): string {
  const py = process.env.KDAP_PYTHON ?? path.join(repoRoot, '.venv-ref', 'bin', 'python');
  if (!fs.existsSync(py)) {
    throw new Error(`The Python reference environment is missing (${py}). Create it with 'bash scripts/python-ref.sh'.`);
  }
  return py;
}

/** Runs a Python script (a path, or a name in benchmarks/python) with arguments; returns its stdout. */
export function runPython(script: string, args: string[], options: { timeoutMs?: number } = {}): string {
  const file = path.isAbsolute(script) ? script : path.join(repoRoot, 'benchmarks', 'python', script);
  return execFileSync(refPython(), [file, ...args], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 300_000,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
