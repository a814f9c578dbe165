#!/usr/bin/env node
// Builds build/Release/neighbors_node.node (napi-common's shared CMake build; no library to fetch).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAddon } from '../../napi-common/scripts/build-addon.mjs';

buildAddon({ pkg: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), target: 'neighbors_node', tag: 'neighbors-node' });
