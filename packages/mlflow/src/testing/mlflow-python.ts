import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest ancestor holding scripts/python-ref.sh. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'scripts', 'python-ref.sh'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/** The reference environment's Python, used as soon as it carries MLflow 3. */
const REFERENCE_PYTHON = resolve(repoRoot(), '.venv-ref/bin/python');
/** Until then: a scratch MLflow 3 environment outside the repository (see docs/mlflow.md). */
const SCRATCH_PYTHON = '/work/coord/venv-mlflow/bin/python';

/** The major version of the mlflow installed for `python`, from package metadata (no import). */
function mlflowMajor(python: string): number {
  if (!existsSync(python)) return 0;
  const probe = spawnSync(python, ['-c', "import importlib.metadata as m; print(m.version('mlflow'))"], { encoding: 'utf8', timeout: 30_000 });
  return probe.status === 0 ? Number.parseInt(probe.stdout.trim(), 10) || 0 : 0;
}

/**
 * The Python whose MLflow the tests run (server, MlflowClient read-back, model loading):
 * KDAP_MLFLOW_PYTHON, else `.venv-ref` when its mlflow is 3.x, else the scratch environment.
 * One variable on purpose. The tests fail, never skip, when it is missing.
 */
export const MLFLOW_PYTHON = process.env.KDAP_MLFLOW_PYTHON ?? (mlflowMajor(REFERENCE_PYTHON) >= 3 ? REFERENCE_PYTHON : SCRATCH_PYTHON);

/** The Python, checked to exist (a missing reference stack is a failure with a fix, not a skip). */
export function mlflowPython(): string {
  if (!existsSync(MLFLOW_PYTHON)) {
    throw new Error(`The MLflow tests need a Python with mlflow 3 at ${MLFLOW_PYTHON}. Run \`bash scripts/python-ref.sh\` once it pins mlflow 3 (or set KDAP_MLFLOW_PYTHON).`);
  }
  return MLFLOW_PYTHON;
}
