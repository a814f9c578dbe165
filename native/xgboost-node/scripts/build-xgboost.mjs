#!/usr/bin/env node
// Builds XGBoost's shared library (libxgboost.so, OpenMP, C++ symbols hidden) from the C++ tree
// (cpp_src/) of the pinned source distribution on the Python package index, and caches the result
// outside the clone keyed by version, sha256, compiler and flags. Prints the install prefix
// (lib/ + include/) on the last line of stdout.
//
//   node scripts/build-xgboost.mjs            build or reuse the cached library
//   XGBOOST_SOURCE_DIR=/path/to/cpp_src ...    build from that source tree instead
//   KDAP_CACHE_DIR=/path ...                   cache root (default $XDG_CACHE_HOME or ~/.cache)
// (XGBOOST_ROOT, a prefix of one's own build, skips this script: see build-addon.mjs.)
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const pin = JSON.parse(fs.readFileSync(path.join(here, '..', 'xgboost.json'), 'utf8'));

const log = (msg) => process.stderr.write(`[xgboost] ${msg}\n`);
const fail = (msg) => {
  process.stderr.write(`[xgboost] error: ${msg}\n`);
  process.exit(1);
};

export function cacheRoot() {
  const base = process.env.KDAP_CACHE_DIR
    ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kdap-ml');
  fs.mkdirSync(base, { recursive: true });
  return base;
}

function sha256File(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.slice(0, 3).join(' ')} ... exited with ${r.status}`);
}

function cmakeVersion(bin) {
  try {
    const out = execFileSync(bin, ['--version'], { encoding: 'utf8' });
    return /cmake version (\d+\.\d+\.\d+)/.exec(out)?.[1] ?? null;
  } catch {
    return null;
  }
}

function versionAtLeast(have, want) {
  const a = have.split('.').map(Number);
  const b = want.split('.').map(Number);
  for (let i = 0; i < b.length; i++) {
    if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) > b[i];
  }
  return true;
}

export function findCmake() {
  const bin = process.env.CMAKE ?? 'cmake';
  const have = cmakeVersion(bin);
  if (!have) fail(`no cmake ('${bin} --version' failed). Install it (Debian/Ubuntu: apt-get install cmake).`);
  if (!versionAtLeast(have, pin.cmake.minimum)) fail(`cmake ${have} is older than ${pin.cmake.minimum}, which XGBoost ${pin.version} needs.`);
  return bin;
}

/**
 * The verified source distribution in the cache, downloaded with pip by name and version.
 * pip learns an sdist's metadata by building its wheel, and XGBoost's build backend would compile
 * the whole library for that (~10 min on 2 cores) only for pip to throw it away. The download
 * runs with a no-op cmake/ninja first on PATH, so that throwaway build takes a second; the archive
 * is then checked against the pinned sha256 before anything is built from it.
 */
function fetchSdist(root) {
  const dir = path.join(root, 'sources');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, pin.sdist);
  if (fs.existsSync(file) && sha256File(file) === pin.sha256) return file;
  const tmp = fs.mkdtempSync(path.join(dir, 'dl-'));
  try {
    const stub = path.join(tmp, 'stub-bin');
    fs.mkdirSync(stub);
    fs.writeFileSync(path.join(stub, 'cmake'), '#!/bin/sh\nmkdir -p lib && : > lib/libxgboost.so\n', { mode: 0o755 });
    fs.writeFileSync(path.join(stub, 'ninja'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    log(`downloading xgboost==${pin.version} source distribution with pip`);
    run('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--no-binary', ':all:',
      `xgboost==${pin.version}`, '-d', tmp], { env: { ...process.env, PATH: `${stub}${path.delimiter}${process.env.PATH}` } });
    const got = path.join(tmp, pin.sdist);
    if (!fs.existsSync(got)) fail(`pip did not produce ${pin.sdist} in ${tmp}`);
    const sum = sha256File(got);
    if (sum !== pin.sha256) {
      fail(`${pin.sdist} has sha256 ${sum}, expected ${pin.sha256} (xgboost.json). Refusing to build it.`);
    }
    fs.renameSync(got, file);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return file;
}

function compilerId() {
  const cxx = process.env.CXX ?? 'c++';
  try {
    return execFileSync(cxx, ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    fail(`no C++ compiler: '${cxx} --version' failed. Install one (Debian/Ubuntu: apt-get install build-essential).`);
  }
}

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

function withLock(lockDir, fn) {
  const deadline = Date.now() + 40 * 60 * 1000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const age = Date.now() - fs.statSync(lockDir).mtimeMs;
      if (age > 40 * 60 * 1000) fs.rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) fail(`timed out waiting for ${lockDir}`);
      log(`another build holds ${lockDir}; waiting`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5000);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/** The cached install prefix of the pinned XGBoost (built on first use). */
export function ensureXGBoost() {
  const root = cacheRoot();
  const srcOverride = process.env.XGBOOST_SOURCE_DIR ? path.resolve(process.env.XGBOOST_SOURCE_DIR) : null;
  const keyParts = {
    version: pin.version,
    source: srcOverride ? `dir:${srcOverride}` : `sha256:${pin.sha256}`,
    compiler: compilerId(),
    cxxflags: process.env.CXXFLAGS ?? '',
    flags: cmakeFlags,
  };
  const key = createHash('sha256').update(JSON.stringify(keyParts)).digest('hex').slice(0, 16);
  const prefix = path.join(root, 'xgboost', `${pin.version}-${key}`);
  const marker = path.join(prefix, 'build-info.json');
  fs.mkdirSync(path.dirname(prefix), { recursive: true });
  if (fs.existsSync(marker) && !srcOverride) return prefix;

  return withLock(`${prefix}.lock`, () => {
    if (fs.existsSync(marker) && !srcOverride) return prefix;
    const started = Date.now();
    const work = fs.mkdtempSync(path.join(root, 'xgboost', `.work-${pin.version}-`));
    try {
      let src = srcOverride;
      if (!src) {
        const sdist = fetchSdist(root);
        run('tar', ['-xzf', sdist, '-C', work]);
        src = path.join(work, pin.sdist.replace(/\.tar\.gz$/, ''), 'cpp_src');
      }
      if (!fs.existsSync(path.join(src, 'CMakeLists.txt'))) fail(`${src} has no CMakeLists.txt; XGBOOST_SOURCE_DIR must point at XGBoost's C++ tree (cpp_src/ of the sdist, or a git checkout)`);
      const cmake = findCmake();
      const build = path.join(work, 'build');
      const stage = path.join(work, 'install');
      run(cmake, ['-S', src, '-B', build, `-DCMAKE_INSTALL_PREFIX=${stage}`, '-DCMAKE_INSTALL_LIBDIR=lib', ...cmakeFlags]);
      const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
      run(cmake, ['--build', build, '--target', 'xgboost', '-j', jobs]);
      run(cmake, ['--install', build]);
      fs.writeFileSync(path.join(stage, 'build-info.json'), JSON.stringify({
        ...keyParts, key, cmake: cmakeVersion(cmake), seconds: (Date.now() - started) / 1000,
        builtAt: new Date().toISOString(),
      }, null, 2));
      fs.rmSync(prefix, { recursive: true, force: true });
      fs.renameSync(stage, prefix);
      log(`built XGBoost ${pin.version} in ${((Date.now() - started) / 1000).toFixed(0)} s -> ${prefix}`);
      return prefix;
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.stdout.write(`${ensureXGBoost()}\n`);
}
