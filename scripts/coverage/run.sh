#!/usr/bin/env bash
# npm run test:coverage [-- jest args]: `npm test` (scripts/node-test.sh: the suite on Node 24) with
# coverage collected in the same (single) jest run, then the per-package table
# (scripts/coverage/summary.mjs); HTML report in coverage/. No threshold: the numbers are reported,
# not gated. Exit status is the suite's.
set -uo pipefail
cd "$(dirname "$0")/../.."
rm -rf coverage
bash scripts/node-test.sh --coverage "$@"
status=$?
# No summary when the type-check or jest failed before any test ran.
[ -f coverage/coverage-summary.json ] && node scripts/coverage/summary.mjs
exit "$status"
