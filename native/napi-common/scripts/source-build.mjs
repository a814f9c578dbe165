// Builds a C++ library (LightGBM, XGBoost) once per machine from its pinned source distribution on
// the Python package index: fetched with pip by name and version, checked against the pinned
// sha256, configured and built with CMake, installed into a prefix (lib/ + include/) cached outside
// the clone under ~/.cache/kdap-ml/<name>/<version>-<key>. The key hashes the version, the source,
// the compiler, CXXFLAGS, the CMake flags and the patches, so any of them changing builds anew and
// nothing else does. Concurrent builds of one prefix wait on a lock directory.
//
//   KDAP_CACHE_DIR=/path    cache root (default $XDG_CACHE_HOME/kdap-ml or ~/.cache/kdap-ml)
//   CMAKE, CXX, CXXFLAGS    the cmake and compiler used (and keyed)
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * @typedef {{ version: string, sdist: string, sha256: string, cmake: { minimum: string, fallbackPipVersion?: string } }} Pin
 *   a library's pin file (lightgbm.json, xgboost.json): cmake.fallbackPipVersion, when present, is
 *   the cmake installed from PyPI into the cache where the system one is older than cmake.minimum.
 * @typedef {{ name: string, file: string, from: string, to: string }} SourcePatch
 *   replaces `from` by `to` in `file` of the source tree; `from` must occur exactly once, so a new
 *   release that changed the code fails the build loudly instead of silently skipping the patch.
 * @typedef {object} SourceBuild
 * @property {string} name the pip package, log tag and cache folder, e.g. 'lightgbm'
 * @property {string} title for messages, e.g. 'LightGBM'
 * @property {Pin} pin
 * @property {string} pinFile the pin's file name, for messages
 * @property {string} sourceEnv the variable naming a source tree to build instead (not cached)
 * @property {string} sourceTree where that tree is, for the message when it is not one
 * @property {string} [sdistSubdir] the folder of the unpacked sdist that holds CMakeLists.txt
 * @property {string} [stubBuildOutput] pip learns an sdist's metadata by building its wheel; where
 *   that build compiles the whole library, a no-op cmake/ninja stands in for it during the download
 *   and creates this file (the library the wheel build expects) empty
 * @property {string[]} cmakeFlags configure flags (keyed)
 * @property {string[]} [installFlags] configure flags about the install layout (not keyed)
 * @property {string[]} targets the CMake targets built
 * @property {SourcePatch[]} [patches] applied to the pinned source (keyed by name)
 * @property {(dirs: { build: string, stage: string }) => void} [afterInstall] completes the staged prefix
 */

/**
 * Logging and failing with the library's tag, e.g. `[xgboost] error: ...` (exits the process).
 * @param {string} tag
 */
export function reporter(tag) {
  const log = (msg) => process.stderr.write(`[${tag}] ${msg}\n`);
  const fail = (msg) => {
    process.stderr.write(`[${tag}] error: ${msg}\n`);
    process.exit(1);
  };
  const run = (cmd, args, opts = {}) => {
    log(`$ ${cmd} ${args.join(' ')}`);
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
    if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
    if (r.status !== 0) fail(`${cmd} ${args.slice(0, 3).join(' ')} ... exited with ${r.status}`);
  };
  return { log, fail, run };
}

export function cacheRoot() {
  const base = process.env.KDAP_CACHE_DIR
    ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kdap-ml');
  fs.mkdirSync(base, { recursive: true });
  return base;
}

function sha256File(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function versionAtLeast(have, want) {
  const a = have.split('.').map(Number);
  const b = want.split('.').map(Number);
  for (let i = 0; i < b.length; i++) {
    if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) > b[i];
  }
  return true;
}

function cmakeVersion(bin) {
  try {
    const out = execFileSync(bin, ['--version'], { encoding: 'utf8' });
    return /cmake version (\d+\.\d+\.\d+)/.exec(out)?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * A cmake new enough for `pin`: the system one ($CMAKE or cmake), else, where the pin names a
 * fallback version, one installed from PyPI into the cache; else the process exits with the fix.
 * @param {string} tag
 * @param {Pin} pin
 * @param {string} [title]
 */
export function findCmake(tag, pin, title = tag) {
  const { log, fail, run } = reporter(tag);
  const want = pin.cmake.minimum;
  const system = process.env.CMAKE ?? 'cmake';
  const sys = cmakeVersion(system);
  if (sys && versionAtLeast(sys, want)) return system;
  const fallback = pin.cmake.fallbackPipVersion;
  if (!fallback) {
    fail(sys
      ? `cmake ${sys} is older than ${want}, which ${title} ${pin.version} needs.`
      : `no cmake ('${system} --version' failed). Install it (Debian/Ubuntu: apt-get install cmake).`);
  }
  const venv = path.join(cacheRoot(), 'tools', `cmake-${fallback}`);
  const bin = path.join(venv, 'bin', 'cmake');
  if (cmakeVersion(bin)) return bin;
  log(`system cmake ${sys ?? '(none)'} is older than ${want}; installing cmake ${fallback} from PyPI into ${venv}`);
  const tmp = `${venv}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  run('python3', ['-m', 'venv', tmp]);
  run(path.join(tmp, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', `cmake==${fallback}`]);
  fs.rmSync(venv, { recursive: true, force: true });
  fs.renameSync(tmp, venv);
  // The venv's scripts record their absolute path; rewrite the shebang of the one we call.
  fs.writeFileSync(bin, fs.readFileSync(bin, 'utf8').replace(tmp, venv));
  if (!cmakeVersion(bin)) fail(`cmake from PyPI did not install into ${venv}`);
  return bin;
}

/**
 * The verified source distribution in the cache, downloaded with pip by name and version.
 * @param {SourceBuild} spec
 * @param {string} root
 */
function fetchSdist(spec, root) {
  const { pin } = spec;
  const { log, fail, run } = reporter(spec.name);
  const dir = path.join(root, 'sources');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, pin.sdist);
  if (fs.existsSync(file) && sha256File(file) === pin.sha256) return file;
  const tmp = fs.mkdtempSync(path.join(dir, 'dl-'));
  try {
    let env = process.env;
    if (spec.stubBuildOutput) {
      // The throwaway metadata build then takes a second instead of compiling the library (XGBoost:
      // ~10 min on 2 cores); the archive is checked against the pinned sha256 before any build.
      const stub = path.join(tmp, 'stub-bin');
      fs.mkdirSync(stub);
      const output = spec.stubBuildOutput;
      fs.writeFileSync(path.join(stub, 'cmake'), `#!/bin/sh\nmkdir -p ${path.posix.dirname(output)} && : > ${output}\n`, { mode: 0o755 });
      fs.writeFileSync(path.join(stub, 'ninja'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      env = { ...process.env, PATH: `${stub}${path.delimiter}${process.env.PATH}` };
    }
    log(`downloading ${spec.name}==${pin.version} source distribution with pip`);
    run('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--no-binary', spec.name,
      `${spec.name}==${pin.version}`, '-d', tmp], { env });
    const got = path.join(tmp, pin.sdist);
    if (!fs.existsSync(got)) fail(`pip did not produce ${pin.sdist} in ${tmp}`);
    const sum = sha256File(got);
    if (sum !== pin.sha256) {
      fail(`${pin.sdist} has sha256 ${sum}, expected ${pin.sha256} (${spec.pinFile}). Refusing to build it.`);
    }
    fs.renameSync(got, file);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return file;
}

function compilerId(fail) {
  const cxx = process.env.CXX ?? 'c++';
  try {
    return execFileSync(cxx, ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    fail(`no C++ compiler: '${cxx} --version' failed. Install one (Debian/Ubuntu: apt-get install build-essential).`);
  }
}

function applyPatches(src, patches, { log, fail }) {
  for (const p of patches) {
    const file = path.join(src, p.file);
    const text = fs.readFileSync(file, 'utf8');
    const hits = text.split(p.from).length - 1;
    if (hits !== 1) fail(`patch ${p.name}: expected exactly one match in ${p.file}, found ${hits}`);
    fs.writeFileSync(file, text.replace(p.from, p.to));
    log(`applied patch ${p.name}`);
  }
}

// A library build takes 3-10 min on 2 cores: a lock older than 40 min is left from a killed build.
const LOCK_MINUTES = 40;

function withLock(lockDir, fn, { log, fail }) {
  const deadline = Date.now() + LOCK_MINUTES * 60 * 1000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const age = Date.now() - fs.statSync(lockDir).mtimeMs;
      if (age > LOCK_MINUTES * 60 * 1000) fs.rmSync(lockDir, { recursive: true, force: true });
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

/**
 * The cached install prefix of the library `spec` describes, built on first use (or from
 * `$<spec.sourceEnv>`, rebuilt every time: a working tree may have changed).
 * @param {SourceBuild} spec
 * @returns {string}
 */
export function ensureSourceBuild(spec) {
  const { pin } = spec;
  const report = reporter(spec.name);
  const { log, fail, run } = report;
  const root = cacheRoot();
  const srcOverride = process.env[spec.sourceEnv] ? path.resolve(process.env[spec.sourceEnv]) : null;
  const keyParts = {
    version: pin.version,
    source: srcOverride ? `dir:${srcOverride}` : `sha256:${pin.sha256}`,
    compiler: compilerId(fail),
    cxxflags: process.env.CXXFLAGS ?? '',
    flags: spec.cmakeFlags,
    ...(spec.patches ? { patches: spec.patches.map((p) => p.name) } : {}),
  };
  const key = createHash('sha256').update(JSON.stringify(keyParts)).digest('hex').slice(0, 16);
  const prefix = path.join(root, spec.name, `${pin.version}-${key}`);
  const marker = path.join(prefix, 'build-info.json');
  fs.mkdirSync(path.dirname(prefix), { recursive: true });
  if (fs.existsSync(marker) && !srcOverride) return prefix;

  return withLock(`${prefix}.lock`, () => {
    if (fs.existsSync(marker) && !srcOverride) return prefix;
    const started = Date.now();
    const work = fs.mkdtempSync(path.join(root, spec.name, `.work-${pin.version}-`));
    try {
      let src = srcOverride;
      if (!src) {
        run('tar', ['-xzf', fetchSdist(spec, root), '-C', work]);
        src = path.join(work, pin.sdist.replace(/\.tar\.gz$/, ''), spec.sdistSubdir ?? '');
      }
      if (!fs.existsSync(path.join(src, 'CMakeLists.txt'))) fail(`${src} has no CMakeLists.txt; ${spec.sourceEnv} must point at ${spec.sourceTree}`);
      if (!srcOverride) applyPatches(src, spec.patches ?? [], report);
      const cmake = findCmake(spec.name, pin, spec.title);
      const build = path.join(work, 'build');
      const stage = path.join(work, 'install');
      run(cmake, ['-S', src, '-B', build, `-DCMAKE_INSTALL_PREFIX=${stage}`, ...(spec.installFlags ?? []), ...spec.cmakeFlags]);
      const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
      run(cmake, ['--build', build, '--target', ...spec.targets, '-j', jobs]);
      run(cmake, ['--install', build]);
      spec.afterInstall?.({ build, stage });
      fs.writeFileSync(path.join(stage, 'build-info.json'), JSON.stringify({
        ...keyParts, key, cmake: cmakeVersion(cmake), seconds: (Date.now() - started) / 1000,
        builtAt: new Date().toISOString(),
      }, null, 2));
      fs.rmSync(prefix, { recursive: true, force: true });
      fs.renameSync(stage, prefix);
      log(`built ${spec.title} ${pin.version} in ${((Date.now() - started) / 1000).toFixed(0)} s -> ${prefix}`);
      return prefix;
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, report);
}

/** The first file named `name` below `dir`, or null. */
export function findFile(dir, name) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const hit = findFile(p, name);
      if (hit) return hit;
    } else if (entry.name === name) {
      return p;
    }
  }
  return null;
}
