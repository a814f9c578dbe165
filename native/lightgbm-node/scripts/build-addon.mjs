#!/usr/bin/env node
// Builds build/Release/lightgbm_node.node: ensures the cached static LightGBM, then configures and
// builds the addon with CMake against the local Node's headers (never downloaded).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLightGBM, findCmake } from './build-lightgbm.mjs';
import { addonIncludes } from '../../napi-common/scripts/addon-includes.mjs';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(cmd, args) {
  console.error(`[lightgbm-node] $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    console.error(`[lightgbm-node] ${cmd} failed (exit ${r.status ?? r.signal}).`);
    process.exit(1);
  }
}

const prefix = ensureLightGBM();
const cmake = findCmake();
const build = path.join(pkg, 'build', 'cmake');
const inc = addonIncludes(pkg);
if ('error' in inc) {
  console.error(`[lightgbm-node] ${inc.error}`);
  process.exit(1);
}
run(cmake, ['-S', pkg, '-B', build, '-DCMAKE_BUILD_TYPE=Release', `-DLIGHTGBM_PREFIX=${prefix}`,
  `-DNODE_API_INCLUDE=${inc.nodeApi}`, `-DNODE_ADDON_API_INCLUDE=${inc.nodeAddonApi}`,
  `-DKDAP_NAPI_COMMON_INCLUDE=${inc.napiCommon}`]);
run(cmake, ['--build', build, '-j', '2']);
const out = path.join(pkg, 'build', 'Release');
fs.mkdirSync(out, { recursive: true });
const tmp = path.join(out, `.lightgbm_node.node.${process.pid}`);
fs.copyFileSync(path.join(build, 'lightgbm_node.node'), tmp);
fs.renameSync(tmp, path.join(out, 'lightgbm_node.node'));
fs.writeFileSync(path.join(out, 'lightgbm-prefix.txt'), `${prefix}\n`);
console.error(`[lightgbm-node] built ${path.join(out, 'lightgbm_node.node')}`);
