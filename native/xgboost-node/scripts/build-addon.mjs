#!/usr/bin/env node
// Builds build/Release/xgboost_node.node with CMake against the local Node's headers (never
// downloaded) and a shared XGBoost: the system's libxgboost-dev, or XGBOOST_ROOT (include/ + lib/).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addonIncludes } from '../../napi-common/scripts/addon-includes.mjs';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INSTALL_HINT =
  "install it with 'apt-get install libxgboost-dev' (Debian/Ubuntu), or set XGBOOST_ROOT to a prefix holding include/xgboost/c_api.h and lib/libxgboost.so";

function fail(message) {
  console.error(`[xgboost-node] ${message}`);
  process.exit(1);
}

/** Fails early, with the fix, when no XGBoost headers are where CMake will look. */
function checkXGBoost() {
  const root = process.env.XGBOOST_ROOT;
  if (root) {
    if (!fs.existsSync(path.join(root, 'include', 'xgboost', 'c_api.h'))) {
      fail(`XGBOOST_ROOT=${root} has no include/xgboost/c_api.h: ${INSTALL_HINT}.`);
    }
    return root;
  }
  if (!['/usr/include', '/usr/local/include'].some((d) => fs.existsSync(path.join(d, 'xgboost', 'c_api.h')))) {
    fail(`XGBoost headers not found: ${INSTALL_HINT}.`);
  }
  return '';
}

function run(cmd, args) {
  console.error(`[xgboost-node] $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) fail(`${cmd} could not start (${r.error.message}): install cmake and a C++17 compiler.`);
  if (r.status !== 0) fail(`${cmd} failed (exit ${r.status ?? r.signal}).`);
}

const root = checkXGBoost();
const build = path.join(pkg, 'build', 'cmake');
const inc = addonIncludes(pkg);
if ('error' in inc) fail(inc.error);
run('cmake', ['-S', pkg, '-B', build, '-DCMAKE_BUILD_TYPE=Release', `-DXGBOOST_ROOT=${root}`,
  `-DNODE_API_INCLUDE=${inc.nodeApi}`, `-DNODE_ADDON_API_INCLUDE=${inc.nodeAddonApi}`,
  `-DKDAP_NAPI_COMMON_INCLUDE=${inc.napiCommon}`]);
run('cmake', ['--build', build, '-j', '2']);
const out = path.join(pkg, 'build', 'Release');
fs.mkdirSync(out, { recursive: true });
const tmp = path.join(out, `.xgboost_node.node.${process.pid}`);
fs.copyFileSync(path.join(build, 'xgboost_node.node'), tmp);
fs.renameSync(tmp, path.join(out, 'xgboost_node.node'));
console.error(`[xgboost-node] built ${path.join(out, 'xgboost_node.node')}`);
