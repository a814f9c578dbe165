#!/usr/bin/env node
// Builds build/Release/xgboost_node.node with CMake against the local Node's headers (never
// downloaded) and the pinned XGBoost (scripts/build-xgboost.mjs: built once per machine from its
// source distribution and cached), or the prefix in XGBOOST_ROOT (include/ + lib/, one's own build).
// libxgboost.so is copied next to the .node file, which finds it through its $ORIGIN rpath.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAddon, fail as failWith } from '../../napi-common/scripts/build-addon.mjs';
import { ensureXGBoost, findCmake } from './build-xgboost.mjs';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fail = (message) => failWith('xgboost-node', message);

const root = process.env.XGBOOST_ROOT ? path.resolve(process.env.XGBOOST_ROOT) : ensureXGBoost();
if (!fs.existsSync(path.join(root, 'include', 'xgboost', 'c_api.h'))) {
  fail(`${root} has no include/xgboost/c_api.h; XGBOOST_ROOT must be a prefix holding include/xgboost/c_api.h and lib/libxgboost.so (unset it to use the pinned build).`);
}
const lib = ['lib', 'lib64'].map((d) => path.join(root, d, 'libxgboost.so')).find((f) => fs.existsSync(f));
if (!lib) fail(`${root} has no lib/libxgboost.so`);

const file = buildAddon({ pkg, target: 'xgboost_node', tag: 'xgboost-node', cmake: findCmake(), defines: [`-DXGBOOST_ROOT=${root}`] });
const out = path.dirname(file);
const tmp = path.join(out, `.libxgboost.so.${process.pid}`);
fs.copyFileSync(lib, tmp);
fs.renameSync(tmp, path.join(out, 'libxgboost.so'));
fs.writeFileSync(path.join(out, 'xgboost-prefix.txt'), `${root}\n`);
