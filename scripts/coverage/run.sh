#!/usr/bin/env bash
# npm run test:coverage [-- jest args]: `npm test` with coverage collected in the same (single) jest
# run, then the per-package table (scripts/coverage/summary.mjs); HTML report in coverage/.
# No threshold: the numbers are reported, not gated. Exit status is jest's.
set -uo pipefail
cd "$(dirname "$0")/../.."
npm run --silent typecheck || exit 1
rm -rf coverage
npx jest --coverage "$@"
status=$?
node scripts/coverage/summary.mjs
exit "$status"
