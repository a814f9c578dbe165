#!/usr/bin/env node
// Builds build/Release/duckdb_vectors.node (napi-common's shared CMake build). No DuckDB headers or
// library are needed at build time: the addon finds DuckDB's C API at run time (CMakeLists.txt).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAddon } from '../../napi-common/scripts/build-addon.mjs';

if (process.platform === 'win32') {
  // The addon finds DuckDB with dlopen; on Windows @kdap/preprocessing copies vectors in JavaScript.
  console.error('[duckdb-vectors] skipped on Windows (no dlopen); @kdap/preprocessing uses its JavaScript copy.');
  process.exit(0);
}
buildAddon({ pkg: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), target: 'duckdb_vectors', tag: 'duckdb-vectors' });
