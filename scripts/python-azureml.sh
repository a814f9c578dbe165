#!/usr/bin/env bash
# Creates (or refreshes) .venv-azureml/ at the repo root from benchmarks/python/requirements-azureml.txt:
# Azure ML's Python inference server (azmlinfsrv) with the reference model libraries, the Python
# side of `npm run bench -- serve-load`. Its own venv: the server pins Flask, OpenTelemetry and
# pydantic versions of its own, which must not leak into .venv-ref. Idempotent: a stamp records
# the requirements' hash, so a second run with unchanged requirements returns at once.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv-azureml"
req="$root/benchmarks/python/requirements-azureml.txt"
ref="$root/benchmarks/python/requirements.txt"
# The model libraries are the reference stack's: same pins as .venv-ref.
for lib in lightgbm xgboost numpy scikit-learn scipy pandas; do
  want=$(grep -E "^$lib==" "$ref" || true)
  grep -qx -- "$want" "$req" || {
    echo "python-azureml: $req must pin ${want:-$lib (as $ref does)}, the reference stack's version" >&2; exit 1; }
done
stamp="$venv/.kdap-requirements.sha256"
want=$(cat "$req" "$0" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c 'import azureml_inference_server_http, lightgbm, xgboost' 2>/dev/null; then
  echo "python-azureml: $venv is up to date"; exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip wheel
# lightgbm from its source distribution, as scripts/python-ref.sh does (pip reuses the wheel it
# built there), so both Python environments run the same LightGBM build.
"$venv/bin/python" -m pip install --quiet --no-binary lightgbm -r "$req"
echo "$want" > "$stamp"
"$venv/bin/python" -c 'import azureml_inference_server_http as s, lightgbm, xgboost, sklearn; print("python-azureml: azureml-inference-server-http", s.__version__, "lightgbm", lightgbm.__version__, "xgboost", xgboost.__version__, "scikit-learn", sklearn.__version__)'
