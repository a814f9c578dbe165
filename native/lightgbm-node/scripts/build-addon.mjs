#!/usr/bin/env node
// Builds build/Release/lightgbm_node.node: ensures the cached static LightGBM, then configures and
// builds the addon with CMake against the local Node's headers (never downloaded).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLightGBM, findCmake } from './build-lightgbm.mjs';
import { buildAddon } from '../../napi-common/scripts/build-addon.mjs';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const prefix = ensureLightGBM();
const file = buildAddon({ pkg, target: 'lightgbm_node', tag: 'lightgbm-node', cmake: findCmake(), defines: [`-DLIGHTGBM_PREFIX=${prefix}`] });
fs.writeFileSync(path.join(path.dirname(file), 'lightgbm-prefix.txt'), `${prefix}\n`);
