#!/usr/bin/env node
// Builds build/Release/lightgbm_node.node: ensures the cached static LightGBM, then configures and
// builds the addon with CMake against the local Node's headers (never downloaded).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ensureLightGBM, findCmake } from './build-lightgbm.mjs';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(pkg, 'package.json'));

function nodeApiInclude() {
  // The running Node's own headers (nodedir), else the node-api-headers package from the registry.
  const candidates = [
    process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node'),
    path.resolve(process.execPath, '..', '..', 'include', 'node'),
  ].filter(Boolean);
  for (const dir of candidates) if (fs.existsSync(path.join(dir, 'node_api.h'))) return dir;
  try {
    return require('node-api-headers').include_dir;
  } catch {
    console.error('[lightgbm-node] no Node-API headers: install Node with its headers, or run npm install (node-api-headers).');
    process.exit(1);
  }
}

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
const addonApi = path.dirname(require.resolve('node-addon-api/package.json'));
const common = path.join(path.dirname(require.resolve('@kdap/napi-common/package.json')), 'include');
run(cmake, ['-S', pkg, '-B', build, '-DCMAKE_BUILD_TYPE=Release', `-DLIGHTGBM_PREFIX=${prefix}`,
  `-DNODE_API_INCLUDE=${nodeApiInclude()}`, `-DNODE_ADDON_API_INCLUDE=${addonApi}`,
  `-DKDAP_NAPI_COMMON_INCLUDE=${common}`]);
run(cmake, ['--build', build, '-j', '2']);
const out = path.join(pkg, 'build', 'Release');
fs.mkdirSync(out, { recursive: true });
const tmp = path.join(out, `.lightgbm_node.node.${process.pid}`);
fs.copyFileSync(path.join(build, 'lightgbm_node.node'), tmp);
fs.renameSync(tmp, path.join(out, 'lightgbm_node.node'));
fs.writeFileSync(path.join(out, 'lightgbm-prefix.txt'), `${prefix}\n`);
console.error(`[lightgbm-node] built ${path.join(out, 'lightgbm_node.node')}`);
