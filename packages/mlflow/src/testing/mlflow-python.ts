import { existsSync } from 'node:fs';

/**
 * The Python whose MLflow the tests run (server, MlflowClient read-back, model loading). One
 * variable on purpose: pointing the tests at `.venv-ref` once it carries MLflow 3 is this line.
 * The tests fail, never skip, when it is missing.
 */
export const MLFLOW_PYTHON = process.env.KDAP_MLFLOW_PYTHON ?? '/work/coord/venv-mlflow/bin/python';

/** The Python, checked to exist (a missing reference stack is a failure with a fix, not a skip). */
export function mlflowPython(): string {
  if (!existsSync(MLFLOW_PYTHON)) {
    throw new Error(`The MLflow tests need a Python with mlflow 3 at ${MLFLOW_PYTHON}. Run \`bash scripts/python-ref.sh\` (or set KDAP_MLFLOW_PYTHON).`);
  }
  return MLFLOW_PYTHON;
}
