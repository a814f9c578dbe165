// Include directories every KDAP addon build needs, resolved from the addon package's directory:
// Node-API headers (the running Node's own, i.e. nodedir; else the node-api-headers package, never
// a download), node-addon-api, and this package's C++ headers.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** @returns {{ nodeApi: string, nodeAddonApi: string, napiCommon: string } | { error: string }} */
export function addonIncludes(addonPackageDir) {
  const require = createRequire(path.join(addonPackageDir, 'package.json'));
  const candidates = [
    process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node'),
    path.resolve(process.execPath, '..', '..', 'include', 'node'),
  ].filter(Boolean);
  let nodeApi = candidates.find((dir) => fs.existsSync(path.join(dir, 'node_api.h')));
  if (!nodeApi) {
    try {
      nodeApi = require('node-api-headers').include_dir;
    } catch {
      return { error: 'no Node-API headers: install Node with its headers, or run npm install (node-api-headers).' };
    }
  }
  const nodeAddonApi = path.dirname(require.resolve('node-addon-api/package.json'));
  const napiCommon = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'include');
  return { nodeApi, nodeAddonApi, napiCommon };
}
