#!/usr/bin/env bash
# Checks each workspace package as a consumer would get it (after `npm run build`): publint for
# the package.json/exports, @arethetypeswrong/cli for types under node16 (CJS and ESM) and bundlers
# (not node10: the packages need Node 20, whose resolver reads "exports").
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for dir in native/* packages/*; do
  [ -f "$dir/package.json" ] || continue
  # Packages without a build (the private test support) are never installed by consumers.
  grep -q "\"build:pkgs\"" "$dir/package.json" || continue
  [ -d "$dir/dist" ] || { echo "check-packages: $dir has no dist/; run 'npm run build' first" >&2; status=1; continue; }
  echo "== $dir"
  (cd "$dir" && npx --no-install publint --level warning) || status=1
  (cd "$dir" && npx --no-install attw --pack . --profile node16 --format ascii --quiet) || status=1
done
exit $status
