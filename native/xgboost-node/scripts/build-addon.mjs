#!/usr/bin/env node
// Builds build/Release/xgboost_node.node with CMake against the local Node's headers (never
// downloaded) and a shared XGBoost: the system's libxgboost-dev, or XGBOOST_ROOT (include/ + lib/).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAddon, fail as failWith } from '../../napi-common/scripts/build-addon.mjs';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INSTALL_HINT =
  "install it with 'apt-get install libxgboost-dev' (Debian/Ubuntu), or set XGBOOST_ROOT to a prefix holding include/xgboost/c_api.h and lib/libxgboost.so";

const fail = (message) => failWith('xgboost-node', message);

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

const root = checkXGBoost();
buildAddon({ pkg, target: 'xgboost_node', tag: 'xgboost-node', defines: [`-DXGBOOST_ROOT=${root}`] });
