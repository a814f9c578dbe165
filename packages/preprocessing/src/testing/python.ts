/**
 * Runs the Python reference stack (.venv-ref: pandas, numpy, scikit-learn, pyarrow) for parity
 * tests. A missing environment is a failure, never a skip: parity is an acceptance criterion.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPOSITORY_ROOT = path.resolve(__dirname, '../../../..');

/** Path of the reference Python: $KDAP_PYTHON, else .venv-ref/bin/python at the repository root. */
export function referencePython(): string {
  const python = process.env.KDAP_PYTHON ?? path.join(REPOSITORY_ROOT, '.venv-ref', 'bin', 'python');
  if (!fs.existsSync(python)) {
    throw new Error(
      `The Python reference environment is missing (${python}). Run \`bash scripts/python-ref.sh\` from the repository root, ` +
        `or point KDAP_PYTHON at a Python with pandas, numpy, scikit-learn and pyarrow.`,
    );
  }
  return python;
}

const PRELUDE = `
import json, math, sys
import numpy as np
import pandas as pd
def _clean(x):
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return _clean(x.tolist())
    if isinstance(x, (pd.Series, pd.Index)):
        return _clean(x.tolist())
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return None if math.isnan(v) else ('inf' if v == math.inf else ('-inf' if v == -math.inf else v))
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x
def nan_array(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)
with open(sys.argv[1]) as f:
    INPUT = json.load(f)
def emit(result):
    sys.stdout.write(json.dumps(_clean(result)))
`;

/**
 * Runs `script` in the reference Python with `input` (JSON; NaN -> null) available as INPUT; the
 * script calls emit(result). Returns the parsed result (None/NaN -> null, infinities as 'inf').
 */
export function runPython<T = unknown>(script: string, input: unknown): T {
  const python = referencePython();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-parity-'));
  const inputPath = path.join(directory, 'input.json');
  const scriptPath = path.join(directory, 'script.py');
  try {
    fs.writeFileSync(inputPath, JSON.stringify(input, (_key, value: unknown) => (typeof value === 'number' && Number.isNaN(value) ? null : value)));
    fs.writeFileSync(scriptPath, `${PRELUDE}\n${script}\n`);
    const stdout = execFileSync(python, [scriptPath, inputPath], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
    return JSON.parse(stdout) as T;
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** Converts Python's JSON numbers back (null -> NaN, 'inf' -> Infinity). */
export function fromPythonNumbers(values: readonly (number | string | null)[]): Float64Array {
  return Float64Array.from(values, (v) => (v === null ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number)));
}

/**
 * Largest difference scaled by max(1, |expected|) (absolute near zero, relative for large values);
 * NaN must line up with NaN and infinities must match exactly, otherwise Infinity is returned.
 */
export function maxScaledDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < actual.length; i += 1) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(a) || Number.isNaN(e)) {
      if (Number.isNaN(a) !== Number.isNaN(e)) return Infinity;
      continue;
    }
    if (a === e) continue;
    if (!Number.isFinite(a) || !Number.isFinite(e)) return Infinity;
    worst = Math.max(worst, Math.abs(a - e) / Math.max(1, Math.abs(e)));
  }
  return worst;
}

/** A fresh temporary directory for one test file's data. */
export function temporaryDirectory(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `kdap-${prefix}-`));
}
