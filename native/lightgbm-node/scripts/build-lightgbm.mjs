#!/usr/bin/env node
// Builds LightGBM as a static, position-independent library with OpenMP from the pinned source
// distribution, and caches the result outside the clone keyed by version, sha256, compiler, flags
// and patches (napi-common's source-build.mjs). Prints the install prefix (lib/ + include/) on the
// last line of stdout.
//
//   node scripts/build-lightgbm.mjs            build or reuse the cached library
//   LIGHTGBM_SOURCE_DIR=/path/to/LightGBM ...   build from that source tree instead
//   KDAP_CACHE_DIR=/path ...                    cache root (default $XDG_CACHE_HOME or ~/.cache)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSourceBuild, findCmake as findCmakeFor, findFile } from '../../napi-common/scripts/source-build.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const pin = JSON.parse(fs.readFileSync(path.join(here, '..', 'lightgbm.json'), 'utf8'));

/** A cmake new enough for LightGBM: the system one, or one installed from PyPI into the cache. */
export const findCmake = () => findCmakeFor('lightgbm', pin, 'LightGBM');

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

export function ensureLightGBM() {
  return ensureSourceBuild({
    name: 'lightgbm',
    title: 'LightGBM',
    pin,
    pinFile: 'lightgbm.json',
    sourceEnv: 'LIGHTGBM_SOURCE_DIR',
    sourceTree: 'a LightGBM source tree',
    cmakeFlags,
    targets: ['_lightgbm', 'nanoarrow_static'],
    patches: PATCHES,
    // nanoarrow is linked PRIVATE into LightGBM's object library, so the static archive does not
    // carry it; ship its archive next to lib_lightgbm.a.
    afterInstall({ build, stage }) {
      const nano = findFile(build, 'libnanoarrow_static.a');
      if (nano) fs.copyFileSync(nano, path.join(stage, 'lib', 'libnanoarrow_static.a'));
    },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.stdout.write(`${ensureLightGBM()}\n`);
}
