/**
 * The one runner of the Python reference environment (.venv-ref, made by scripts/python-ref.sh):
 * parity tests and benchmarks fail, never skip, when it is missing or holds another scikit-learn
 * than requirements.txt pins; a skipped parity test is a parity claim nobody checked.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { repoRoot } from './repo-root';

/** The scikit-learn the reference environment pins (benchmarks/python/requirements.txt): parity is defined against it. */
function expectedSklearn(): string {
  const req = readFileSync(join(repoRoot(), 'benchmarks', 'python', 'requirements.txt'), 'utf8');
  const pin = /^scikit-learn==(\S+)$/m.exec(req)?.[1];
  if (!pin) throw new Error('benchmarks/python/requirements.txt pins no scikit-learn version (a line `scikit-learn==X.Y.Z`).');
  return pin;
}

/** Pythons already found good in this process. */
const checked = new Set<string>();

/** The reference interpreter: $KDAP_PYTHON, else <repo>/.venv-ref/bin/python, checked once per process. */
export function referencePython(): string {
  const python = process.env.KDAP_PYTHON ?? join(repoRoot(), '.venv-ref', 'bin', 'python');
  if (checked.has(python)) return python;
  const expected = expectedSklearn();
  const fix = 'Run `bash scripts/python-ref.sh` from the repository root (or set KDAP_PYTHON to a Python with scikit-learn ' + expected + ').';
  if (!existsSync(python)) throw new Error(`The Python reference environment is missing: ${python} does not exist. ${fix}`);
  // Package metadata, not `import sklearn`: the answer without paying for the import twice.
  const probe = spawnSync(python, ['-c', "import importlib.metadata as m; print(m.version('scikit-learn'))"], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`The Python reference environment at ${python} has no scikit-learn (${probe.stderr.trim().split('\n').pop()}). ${fix}`);
  const version = probe.stdout.trim();
  if (version !== expected) throw new Error(`The Python reference environment has scikit-learn ${version}, parity is defined against ${expected}. ${fix}`);
  checked.add(python);
  return python;
}

/** A script path: absolute as given, a bare name from benchmarks/python (where the shared reference scripts live). */
export function pythonScript(script: string): string {
  return isAbsolute(script) ? script : join(repoRoot(), 'benchmarks', 'python', script);
}

export interface RunPythonOptions {
  /** Kill the run after this long (default 30 min: the benchmarks' largest cases). */
  timeoutMs?: number;
  /** Written to the script's stdin. */
  input?: string;
}

/** Runs a Python script (see `pythonScript`) with arguments in the reference environment; returns its stdout. */
export function runPythonScript(script: string, args: readonly string[] = [], options: RunPythonOptions = {}): string {
  const file = pythonScript(script);
  const run = spawnSync(referencePython(), [file, ...args], {
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 1_800_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return checkRun(file, run);
}

/** Runs a Python script with a JSON document on stdin and parses the JSON it prints. */
export function runPythonJson<T>(script: string, input: unknown, args: readonly string[] = [], options: Omit<RunPythonOptions, 'input'> = {}): T {
  return JSON.parse(runPythonScript(script, args, { ...options, input: JSON.stringify(input) })) as T;
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
 * Runs Python `source` with `input` (JSON; NaN -> null) available as INPUT, numpy as np and pandas
 * as pd; the source calls emit(result). Returns the parsed result (None/NaN -> null, infinities as
 * 'inf'/'-inf'; `fromPythonNumbers` converts them back).
 */
export function runPythonSnippet<T = unknown>(source: string, input: unknown): T {
  const directory = mkdtempSync(join(tmpdir(), 'kdap-parity-'));
  try {
    const inputPath = join(directory, 'input.json');
    const scriptPath = join(directory, 'script.py');
    writeFileSync(inputPath, JSON.stringify(input, (_key, value: unknown) => (typeof value === 'number' && Number.isNaN(value) ? null : value)));
    writeFileSync(scriptPath, `${PRELUDE}\n${source}\n`);
    return JSON.parse(runPythonScript(scriptPath, [inputPath], { timeoutMs: 120_000 })) as T;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Converts Python's JSON numbers back (null -> NaN, 'inf' -> Infinity). */
export function fromPythonNumbers(values: readonly (number | string | null)[]): Float64Array {
  return Float64Array.from(values, (v) => (v === null ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number)));
}

function checkRun(file: string, run: SpawnSyncReturns<string>): string {
  if (run.error) throw new Error(`${file} did not run in the reference Python: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`${file} failed (${run.signal ? `signal ${run.signal}` : `exit ${run.status}`}):\n${run.stderr}`);
  return run.stdout;
}
