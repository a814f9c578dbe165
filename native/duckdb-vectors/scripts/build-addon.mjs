#!/usr/bin/env node
// Builds build/Release/duckdb_vectors.node with CMake against the local Node's headers (never
// downloaded). No DuckDB headers or library are needed at build time (see CMakeLists.txt).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addonIncludes } from '../../napi-common/scripts/addon-includes.mjs';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  console.error(`[duckdb-vectors] ${message}`);
  process.exit(1);
}

function run(cmd, args) {
  console.error(`[duckdb-vectors] $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) fail(`${cmd} could not start (${r.error.message}): install cmake and a C++17 compiler.`);
  if (r.status !== 0) fail(`${cmd} failed (exit ${r.status ?? r.signal}).`);
}

if (process.platform === 'win32') {
  // The addon finds DuckDB with dlopen; on Windows @kdap/preprocessing copies vectors in JavaScript.
  console.error('[duckdb-vectors] skipped on Windows (no dlopen); @kdap/preprocessing uses its JavaScript copy.');
  process.exit(0);
}
const build = path.join(pkg, 'build', 'cmake');
const inc = addonIncludes(pkg);
if ('error' in inc) fail(inc.error);
run('cmake', ['-S', pkg, '-B', build, '-DCMAKE_BUILD_TYPE=Release', `-DNODE_API_INCLUDE=${inc.nodeApi}`,
  `-DNODE_ADDON_API_INCLUDE=${inc.nodeAddonApi}`, `-DKDAP_NAPI_COMMON_INCLUDE=${inc.napiCommon}`]);
run('cmake', ['--build', build, '-j', '2']);
const out = path.join(pkg, 'build', 'Release');
fs.mkdirSync(out, { recursive: true });
const tmp = path.join(out, `.duckdb_vectors.node.${process.pid}`);
fs.copyFileSync(path.join(build, 'duckdb_vectors.node'), tmp);
fs.renameSync(tmp, path.join(out, 'duckdb_vectors.node'));
console.error(`[duckdb-vectors] built ${path.join(out, 'duckdb_vectors.node')}`);
