#!/usr/bin/env bash
# Creates (or refreshes) the Python reference environment .venv-ref/ at the repo root from
# benchmarks/python/requirements.txt. Idempotent: a stamp records the requirements' hash, so a
# second run with unchanged requirements returns at once.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv-ref"
req="$root/benchmarks/python/requirements.txt"
pinned=$(node -p "require('$root/native/lightgbm-node/lightgbm.json').version")
grep -q "^lightgbm==$pinned\$" "$req" || {
  echo "python-ref: $req must pin lightgbm==$pinned (native/lightgbm-node/lightgbm.json)" >&2; exit 1; }
stamp="$venv/.kdap-requirements.sha256"
want=$(cat "$req" "$0" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c 'import lightgbm' 2>/dev/null; then
  echo "python-ref: $venv is up to date"; exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip wheel
# lightgbm from its source distribution: the same sources, compiler and OpenMP as the addon.
"$venv/bin/python" -m pip install --quiet --no-binary lightgbm -r "$req"
# Python's xgboost uses the same XGBoost library as the addon (the system libxgboost-dev, or
# $XGBOOST_ROOT), so parity and benchmarks compare one library build, not two compilations.
xgb_dir=$("$venv/bin/python" -c 'import importlib.util, os; print(os.path.dirname(importlib.util.find_spec("xgboost").origin))')
sys_lib=${XGBOOST_ROOT:+$XGBOOST_ROOT/lib/libxgboost.so}
sys_lib=${sys_lib:-/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/libxgboost.so}
if [ -e "$sys_lib" ]; then
  [ -e "$xgb_dir/lib/libxgboost.so.wheel" ] || mv "$xgb_dir/lib/libxgboost.so" "$xgb_dir/lib/libxgboost.so.wheel"
  ln -sfn "$sys_lib" "$xgb_dir/lib/libxgboost.so"
  echo "python-ref: xgboost uses $sys_lib"
else
  echo "python-ref: $sys_lib not found; Python's xgboost keeps the library from its wheel" >&2
fi
echo "$want" > "$stamp"
"$venv/bin/python" -c 'import lightgbm, xgboost, sklearn, numpy; print("python-ref: lightgbm", lightgbm.__version__, "xgboost", xgboost.__version__, "scikit-learn", sklearn.__version__, "numpy", numpy.__version__)'
