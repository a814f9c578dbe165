#!/usr/bin/env node
// Builds XGBoost's shared library (libxgboost.so, OpenMP, C++ symbols hidden) from the C++ tree
// (cpp_src/) of the pinned source distribution on the Python package index, and caches the result
// outside the clone keyed by version, sha256, compiler and flags (napi-common's source-build.mjs).
// Prints the install prefix (lib/ + include/) on the last line of stdout.
//
//   node scripts/build-xgboost.mjs            build or reuse the cached library
//   XGBOOST_SOURCE_DIR=/path/to/cpp_src ...    build from that source tree instead
//   KDAP_CACHE_DIR=/path ...                   cache root (default $XDG_CACHE_HOME or ~/.cache)
// (XGBOOST_ROOT, a prefix of one's own build, skips this script: see build-addon.mjs.)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSourceBuild, findCmake as findCmakeFor } from '../../napi-common/scripts/source-build.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const pin = JSON.parse(fs.readFileSync(path.join(here, '..', 'xgboost.json'), 'utf8'));

/** The system cmake, when it is new enough for XGBoost (else the process exits with the fix). */
export const findCmake = () => findCmakeFor('xgboost', pin, 'XGBoost');

// The flags of XGBoost's own Python packager (packager/build_config.py), so the library equals the
// one its wheels carry, plus Release and no pkg-config file.
export const cmakeFlags = [
  '-DCMAKE_BUILD_TYPE=Release',
  '-DBUILD_STATIC_LIB=OFF',
  '-DUSE_OPENMP=ON',
  '-DHIDE_CXX_SYMBOLS=ON',
  '-DUSE_CUDA=OFF',
  '-DUSE_NCCL=OFF',
  '-DPLUGIN_FEDERATED=OFF',
  '-DPLUGIN_RMM=OFF',
  '-DADD_PKGCONFIG=OFF',
  '-DKEEP_BUILD_ARTIFACTS_IN_BINARY_DIR=ON',
];

/** The cached install prefix of the pinned XGBoost (built on first use). */
export function ensureXGBoost() {
  return ensureSourceBuild({
    name: 'xgboost',
    title: 'XGBoost',
    pin,
    pinFile: 'xgboost.json',
    sourceEnv: 'XGBOOST_SOURCE_DIR',
    sourceTree: "XGBoost's C++ tree (cpp_src/ of the sdist, or a git checkout)",
    sdistSubdir: 'cpp_src',
    stubBuildOutput: 'lib/libxgboost.so',
    cmakeFlags,
    installFlags: ['-DCMAKE_INSTALL_LIBDIR=lib'],
    targets: ['xgboost'],
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.stdout.write(`${ensureXGBoost()}\n`);
}
