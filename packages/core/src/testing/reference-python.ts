import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest ancestor holding scripts/python-ref.sh (works from src/ and dist/). */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'scripts', 'python-ref.sh'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}
/** The scikit-learn the reference environment pins (benchmarks/python/requirements.txt): parity is defined against it. */
function expectedSklearn(): string {
  const req = readFileSync(join(repoRoot(), 'benchmarks', 'python', 'requirements.txt'), 'utf8');
  const pin = /^scikit-learn==(\S+)$/m.exec(req)?.[1];
  if (!pin) throw new Error('benchmarks/python/requirements.txt pins no scikit-learn version (a line `scikit-learn==X.Y.Z`).');
  return pin;
}
const EXPECTED_SKLEARN = expectedSklearn();

/**
 * The Python of the reference environment (the scikit-learn of requirements.txt). Parity tests must fail, never
 * skip, when it is missing: a skipped parity test is a parity claim nobody checked.
 */
export function referencePython(): string {
  const python = process.env.KDAP_PYTHON ?? resolve(repoRoot(), '.venv-ref/bin/python');
  if (checked.has(python)) return python;
  const fix = 'Run `bash scripts/python-ref.sh` from the repository root (or set KDAP_PYTHON to a Python with scikit-learn ' + EXPECTED_SKLEARN + ').';
  if (!existsSync(python)) throw new Error(`The Python reference environment is missing: ${python} does not exist. ${fix}`);
  // Package metadata, not `import sklearn`: the answer without paying for the import twice.
  const probe = spawnSync(python, ['-c', "import importlib.metadata as m; print(m.version('scikit-learn'))"], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`The Python reference environment at ${python} has no scikit-learn (${probe.stderr.trim().split('\n').pop()}). ${fix}`);
  const version = probe.stdout.trim();
  if (version !== EXPECTED_SKLEARN) throw new Error(`The Python reference environment has scikit-learn ${version}, parity is defined against ${EXPECTED_SKLEARN}. ${fix}`);
  checked.add(python);
  return python;
}

/** Pythons already found good in this process. */
const checked = new Set<string>();

/** Runs a Python script with a JSON document on stdin and parses the JSON it prints. */
export function runPythonJson<T>(script: string, input: unknown, args: readonly string[] = []): T {
  const python = referencePython();
  const run = spawnSync(python, [script, ...args], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${script} failed (exit ${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
