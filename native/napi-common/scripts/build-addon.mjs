// The build every KDAP addon shares: CMake configure + build against the local Node's headers
// (addon-includes.mjs: never downloaded) and this package's C++ headers, then an atomic copy of
// the .node file into build/Release. Each addon's scripts/build-addon.mjs prepares its own library
// (LightGBM, XGBoost, none) and passes the CMake definitions it needs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { addonIncludes } from './addon-includes.mjs';

/**
 * Exits the process with a message prefixed by the package's tag, e.g. `[xgboost-node] ...`.
 * @param {string} tag
 * @param {string} message
 */
export function fail(tag, message) {
  console.error(`[${tag}] ${message}`);
  process.exit(1);
}

/**
 * Runs a command with inherited output; exits with the fix when it cannot start or fails.
 * @param {string} tag
 * @param {string} cmd
 * @param {string[]} args
 */
export function run(tag, cmd, args) {
  console.error(`[${tag}] $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) fail(tag, `${cmd} could not start (${r.error.message}): install cmake and a C++17 compiler.`);
  if (r.status !== 0) fail(tag, `${cmd} failed (exit ${r.status ?? r.signal}).`);
}

/**
 * Configures and builds `<pkg>/build/Release/<target>.node` with CMake.
 * @param {{ pkg: string, target: string, tag: string, cmake?: string, defines?: string[] }} options
 *   pkg: the addon package's directory (holds CMakeLists.txt); target: the CMake target and file
 *   name; tag: the log prefix; cmake: the cmake executable; defines: extra `-D...` arguments.
 * @returns {string} the path of the built .node file
 */
export function buildAddon({ pkg, target, tag, cmake = 'cmake', defines = [] }) {
  const build = path.join(pkg, 'build', 'cmake');
  const inc = addonIncludes(pkg);
  if ('error' in inc) fail(tag, inc.error);
  run(tag, cmake, ['-S', pkg, '-B', build, '-DCMAKE_BUILD_TYPE=Release', ...defines,
    `-DNODE_API_INCLUDE=${inc.nodeApi}`, `-DNODE_ADDON_API_INCLUDE=${inc.nodeAddonApi}`,
    `-DKDAP_NAPI_COMMON_INCLUDE=${inc.napiCommon}`]);
  run(tag, cmake, ['--build', build, '-j', '2']);
  const out = path.join(pkg, 'build', 'Release');
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, `${target}.node`);
  const tmp = path.join(out, `.${target}.node.${process.pid}`);
  fs.copyFileSync(path.join(build, `${target}.node`), tmp);
  fs.renameSync(tmp, file);
  console.error(`[${tag}] built ${file}`);
  return file;
}
