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
xgb_pinned=$(node -p "require('$root/native/xgboost-node/xgboost.json').version")
grep -q "^xgboost==$xgb_pinned\$" "$req" || {
  echo "python-ref: $req must pin xgboost==$xgb_pinned (native/xgboost-node/xgboost.json)" >&2; exit 1; }
stamp="$venv/.kdap-requirements.sha256"
want=$( (cat "$req" "$0"; echo "${XGBOOST_ROOT:-}") | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c 'import lightgbm, xgboost' 2>/dev/null; then
  echo "python-ref: $venv is up to date"; exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip wheel
# lightgbm from its source distribution: the same sources, compiler and OpenMP as the addon.
"$venv/bin/python" -m pip install --quiet --no-binary lightgbm -r "$req"
# Python's xgboost uses the very libxgboost.so the addon links (built once from the pinned source
# distribution by native/xgboost-node/scripts/build-xgboost.mjs and cached, or $XGBOOST_ROOT's), so
# parity and benchmarks compare one library build, not two compilations.
if [ -n "${XGBOOST_ROOT:-}" ]; then lib="$XGBOOST_ROOT/lib/libxgboost.so"; else
  lib="$(node "$root/native/xgboost-node/scripts/build-xgboost.mjs" | tail -n 1)/lib/libxgboost.so"; fi
[ -e "$lib" ] || { echo "python-ref: $lib not found" >&2; exit 1; }
xgb_dir=$("$venv/bin/python" -c 'import importlib.util, os; print(os.path.dirname(importlib.util.find_spec("xgboost").origin))')
[ -e "$xgb_dir/lib/libxgboost.so.wheel" ] || mv "$xgb_dir/lib/libxgboost.so" "$xgb_dir/lib/libxgboost.so.wheel"
ln -sfn "$lib" "$xgb_dir/lib/libxgboost.so"
echo "python-ref: xgboost uses $lib"
echo "$want" > "$stamp"
"$venv/bin/python" -c 'import lightgbm, xgboost, sklearn, numpy; print("python-ref: lightgbm", lightgbm.__version__, "xgboost", xgboost.__version__, "scikit-learn", sklearn.__version__, "numpy", numpy.__version__)'
