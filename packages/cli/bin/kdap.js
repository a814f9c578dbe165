#!/usr/bin/env node
// The `kdap` executable: a fixed file so npm links it at install time, before the build exists.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const built = path.join(__dirname, '..', 'dist', 'bin.js');
if (!fs.existsSync(built)) {
  process.stderr.write(`error: kdap is not built (${built} is missing). In the repository run 'npm run build' (or 'bash scripts/setup.sh').\n`);
  process.exit(1);
}
require(built);
