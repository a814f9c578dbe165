#!/usr/bin/env node
// Builds LightGBM as a static, position-independent library with OpenMP from the pinned source
// distribution, and caches the result outside the clone keyed by version, sha256, compiler and
// flags. Prints the install prefix (lib/ + include/) on the last line of stdout.
//
//   node scripts/build-lightgbm.mjs            build or reuse the cached library
//   LIGHTGBM_SOURCE_DIR=/path/to/LightGBM ...   build from that source tree instead
//   KDAP_CACHE_DIR=/path ...                    cache root (default $XDG_CACHE_HOME or ~/.cache)
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pin = JSON.parse(fs.readFileSync(path.join(here, '..', 'lightgbm.json'), 'utf8'));

const log = (msg) => process.stderr.write(`[lightgbm] ${msg}\n`);
const fail = (msg) => {
  process.stderr.write(`[lightgbm] error: ${msg}\n`);
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

/** A cmake new enough for LightGBM: the system one, or one installed from PyPI into the cache. */
export function findCmake(root = cacheRoot()) {
  const want = pin.cmake.minimum;
  const sys = cmakeVersion(process.env.CMAKE ?? 'cmake');
  if (sys && versionAtLeast(sys, want)) return process.env.CMAKE ?? 'cmake';
  const venv = path.join(root, 'tools', `cmake-${pin.cmake.fallbackPipVersion}`);
  const bin = path.join(venv, 'bin', 'cmake');
  if (cmakeVersion(bin)) return bin;
  log(`system cmake ${sys ?? '(none)'} is older than ${want}; installing cmake ${pin.cmake.fallbackPipVersion} from PyPI into ${venv}`);
  const tmp = `${venv}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  run('python3', ['-m', 'venv', tmp]);
  run(path.join(tmp, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', `cmake==${pin.cmake.fallbackPipVersion}`]);
  fs.rmSync(venv, { recursive: true, force: true });
  fs.renameSync(tmp, venv);
  // The venv's scripts record their absolute path; rewrite the shebang of the one we call.
  const script = fs.readFileSync(bin, 'utf8').replace(tmp, venv);
  fs.writeFileSync(bin, script);
  if (!cmakeVersion(bin)) fail(`cmake from PyPI did not install into ${venv}`);
  return bin;
}

/** The verified source distribution in the cache, downloaded with pip by name and version. */
function fetchSdist(root) {
  const dir = path.join(root, 'sources');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, pin.sdist);
  if (fs.existsSync(file) && sha256File(file) === pin.sha256) return file;
  const tmp = fs.mkdtempSync(path.join(dir, 'dl-'));
  log(`downloading lightgbm==${pin.version} source distribution with pip`);
  run('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--no-binary', 'lightgbm',
    `lightgbm==${pin.version}`, '-d', tmp]);
  const got = path.join(tmp, pin.sdist);
  if (!fs.existsSync(got)) fail(`pip did not produce ${pin.sdist} in ${tmp}`);
  const sum = sha256File(got);
  if (sum !== pin.sha256) {
    fail(`${pin.sdist} has sha256 ${sum}, expected ${pin.sha256} (lightgbm.json). Refusing to build it.`);
  }
  fs.renameSync(got, file);
  fs.rmSync(tmp, { recursive: true, force: true });
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

export const cmakeFlags = [
  '-DCMAKE_BUILD_TYPE=Release',
  '-DBUILD_STATIC_LIB=ON',
  '-DCMAKE_POSITION_INDEPENDENT_CODE=ON',
  '-DUSE_OPENMP=ON',
  '-DBUILD_CLI=OFF',
  '-DINSTALL_HEADERS=ON',
];

// Source patches applied to the pinned release. Each must match exactly once, so a new release that
// changed the code fails the build loudly instead of silently skipping the patch.
const PATCHES = [
  {
    // Log::Fatal prints to stderr before throwing, even when a log callback is registered. The
    // message also reaches LGBM_GetLastError (and so NativeError), so with a callback registered the
    // print is redundant noise on the host process's stderr.
    name: 'fatal-respects-log-callback',
    file: 'include/LightGBM/utils/log.h',
    from: '    fprintf(stderr, "[LightGBM] [Fatal] %s\\n", str_buf);\n    fflush(stderr);\n',
    to: '    if (GetLogCallBack() == nullptr) {\n      fprintf(stderr, "[LightGBM] [Fatal] %s\\n", str_buf);\n      fflush(stderr);\n    }\n',
  },
  {
    // The log callback is thread-local, so threads LightGBM starts itself (the network listener)
    // have none and print to stdout. Give every new thread a process-wide default callback, which
    // the addon sets (it drops lines that belong to no JS logger).
    name: 'thread-default-log-callback',
    file: 'include/LightGBM/utils/log.h',
    from: '  static Callback &GetLogCallBack() {\n    static THREAD_LOCAL Callback callback = nullptr;\n    return callback;\n  }\n',
    to: '  static Callback &GetLogCallBack() {\n    static THREAD_LOCAL Callback callback = GetThreadDefaultCallBack();\n    return callback;\n  }\n\n public:\n  // kdap-ml patch: the callback every new thread starts with.\n  static Callback &GetThreadDefaultCallBack() {\n    static Callback callback = nullptr;\n    return callback;\n  }\n',
  },
  {
    // An error inside an OpenMP loop (e.g. a CHECK in prediction) is captured and rethrown after
    // the loop by OMP_THROW_EX(); the helper's destructor then rethrows the same exception again
    // while the stack unwinds, inside a noexcept destructor: std::terminate, the process aborts
    // (Python's lightgbm too). Clear the stored exception before rethrowing it, so it is thrown
    // once and reaches LGBM_GetLastError. (LightGBM's master branch has since made the same change.)
    name: 'omp-rethrow-once',
    file: 'include/LightGBM/utils/openmp_wrapper.h',
    from: '  void ReThrow() {\n    if (ex_ptr_ != nullptr) {\n      std::rethrow_exception(ex_ptr_);\n    }\n  }\n',
    to: '  void ReThrow() {\n    if (ex_ptr_ != nullptr) {\n      // kdap-ml patch: thrown once; the destructor must not rethrow it during unwinding.\n      std::exception_ptr ex_ptr = ex_ptr_;\n      ex_ptr_ = nullptr;\n      std::rethrow_exception(ex_ptr);\n    }\n  }\n',
  },
  {
    // SHAP contributions need each tree's max depth, which GBDT::InitPredict computes once, on the
    // first contribution prediction of a booster, and never again. Trees trained after that keep
    // max_depth_ = -1, and the next contribution prediction fails CHECK_GE(max_depth_, 0) inside an
    // OpenMP loop (with the bug above: the process aborts; Python's lightgbm aborts the same way
    // after booster.update()). Keep max_depth_ current as the tree grows, so it is always valid.
    name: 'tree-max-depth-on-split',
    file: 'include/LightGBM/tree.h',
    from: '  leaf_depth_[num_leaves_] = leaf_depth_[leaf] + 1;\n  leaf_depth_[leaf]++;\n',
    to: '  leaf_depth_[num_leaves_] = leaf_depth_[leaf] + 1;\n  leaf_depth_[leaf]++;\n  // kdap-ml patch: keep the max depth current for SHAP (see build-lightgbm.mjs).\n  if (max_depth_ < leaf_depth_[leaf]) max_depth_ = leaf_depth_[leaf];\n',
  },
];

function applyPatches(src) {
  for (const p of PATCHES) {
    const file = path.join(src, p.file);
    const text = fs.readFileSync(file, 'utf8');
    const hits = text.split(p.from).length - 1;
    if (hits !== 1) fail(`patch ${p.name}: expected exactly one match in ${p.file}, found ${hits}`);
    fs.writeFileSync(file, text.replace(p.from, p.to));
    log(`applied patch ${p.name}`);
  }
}

function withLock(lockDir, fn) {
  const deadline = Date.now() + 30 * 60 * 1000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const age = Date.now() - fs.statSync(lockDir).mtimeMs;
      if (age > 30 * 60 * 1000) fs.rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) fail(`timed out waiting for ${lockDir}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

export function ensureLightGBM() {
  const root = cacheRoot();
  const srcOverride = process.env.LIGHTGBM_SOURCE_DIR ? path.resolve(process.env.LIGHTGBM_SOURCE_DIR) : null;
  const keyParts = {
    version: pin.version,
    source: srcOverride ? `dir:${srcOverride}` : `sha256:${pin.sha256}`,
    compiler: compilerId(),
    cxxflags: process.env.CXXFLAGS ?? '',
    flags: cmakeFlags,
    patches: PATCHES.map((p) => p.name),
  };
  const key = createHash('sha256').update(JSON.stringify(keyParts)).digest('hex').slice(0, 16);
  const prefix = path.join(root, 'lightgbm', `${pin.version}-${key}`);
  const marker = path.join(prefix, 'build-info.json');
  fs.mkdirSync(path.dirname(prefix), { recursive: true });
  if (fs.existsSync(marker) && !srcOverride) return prefix;

  return withLock(`${prefix}.lock`, () => {
    if (fs.existsSync(marker) && !srcOverride) return prefix;
    const started = Date.now();
    const work = fs.mkdtempSync(path.join(root, 'lightgbm', `.work-${pin.version}-`));
    try {
      let src = srcOverride;
      if (!src) {
        const sdist = fetchSdist(root);
        run('tar', ['-xzf', sdist, '-C', work]);
        src = path.join(work, pin.sdist.replace(/\.tar\.gz$/, ''));
      }
      if (!fs.existsSync(path.join(src, 'CMakeLists.txt'))) fail(`${src} has no CMakeLists.txt; LIGHTGBM_SOURCE_DIR must point at a LightGBM source tree`);
      if (!srcOverride) applyPatches(src);
      const cmake = findCmake(root);
      const build = path.join(work, 'build');
      const stage = path.join(work, 'install');
      run(cmake, ['-S', src, '-B', build, `-DCMAKE_INSTALL_PREFIX=${stage}`, ...cmakeFlags]);
      const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
      run(cmake, ['--build', build, '--target', '_lightgbm', 'nanoarrow_static', '-j', jobs]);
      run(cmake, ['--install', build]);
      // nanoarrow is linked PRIVATE into LightGBM's object library, so the static archive does not
      // carry it; ship its archive next to lib_lightgbm.a.
      const nano = findFile(build, 'libnanoarrow_static.a');
      if (nano) fs.copyFileSync(nano, path.join(stage, 'lib', 'libnanoarrow_static.a'));
      fs.writeFileSync(path.join(stage, 'build-info.json'), JSON.stringify({
        ...keyParts, key, cmake: cmakeVersion(cmake), seconds: (Date.now() - started) / 1000,
        builtAt: new Date().toISOString(),
      }, null, 2));
      fs.rmSync(prefix, { recursive: true, force: true });
      fs.renameSync(stage, prefix);
      log(`built LightGBM ${pin.version} in ${((Date.now() - started) / 1000).toFixed(0)} s -> ${prefix}`);
      return prefix;
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
}

function findFile(dir, name) {
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

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.stdout.write(`${ensureLightGBM()}\n`);
}
