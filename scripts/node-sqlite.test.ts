/**
 * scripts/node-sqlite.sh in a throwaway tree: better-sqlite3's npm-built binary moves out of
 * build/Release (where `bindings` would stop at it on every other Node) into the per-ABI directory
 * `bindings` looks in, and into the cache; a second run is a check.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@kdap/test-support';

const ROOT = repoRoot();
const PKG = 'node_modules/better-sqlite3';
const TAG = `node-v${process.versions.modules}-${process.platform}-${process.arch}`;
const NODE_BIN = path.dirname(process.execPath);

/** The binary better-sqlite3 loads on this Node (in the repository's own node_modules). */
function installedAddon(): string {
  const candidates = [path.join(ROOT, PKG, 'lib/binding', TAG, 'better_sqlite3.node'), path.join(ROOT, PKG, 'build/Release/better_sqlite3.node')];
  const found = candidates.find((f) => fs.existsSync(f));
  if (found === undefined) throw new Error(`better-sqlite3 has no binary for ${TAG}: run 'bash scripts/setup.sh' (it runs scripts/node-sqlite.sh)`);
  return found;
}

function tree(): { root: string; env: NodeJS.ProcessEnv; run: (...bins: string[]) => ReturnType<typeof spawnSync> } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-node-sqlite-'));
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.copyFileSync(path.join(ROOT, 'scripts/node-sqlite.sh'), path.join(root, 'scripts/node-sqlite.sh'));
  fs.mkdirSync(path.join(root, PKG, 'build/Release'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, PKG, 'package.json'), path.join(root, PKG, 'package.json'));
  fs.copyFileSync(installedAddon(), path.join(root, PKG, 'build/Release/better_sqlite3.node'));
  const env = { ...process.env, KDAP_CACHE_DIR: path.join(root, 'cache'), PATH: `${NODE_BIN}${path.delimiter}${process.env.PATH ?? ''}` };
  const run = (...bins: string[]) => spawnSync('bash', [path.join(root, 'scripts/node-sqlite.sh'), ...bins], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return { root, env, run };
}

test('moves the npm-built binary to its ABI directory and the cache; a second run only checks', () => {
  const { root, run } = tree();
  try {
    const version = (JSON.parse(fs.readFileSync(path.join(root, PKG, 'package.json'), 'utf8')) as { version: string }).version;
    const first = run(NODE_BIN);
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: '' });
    expect(fs.existsSync(path.join(root, PKG, 'build/Release/better_sqlite3.node'))).toBe(false);
    const placed = path.join(root, PKG, 'lib/binding', TAG, 'better_sqlite3.node');
    expect(fs.existsSync(placed)).toBe(true);
    expect(fs.existsSync(path.join(root, 'cache/better-sqlite3', version, TAG, 'better_sqlite3.node'))).toBe(true);
    const load = spawnSync(process.execPath, ['-e', 'const m = { exports: {} }; process.dlopen(m, process.argv[1]); console.log(typeof m.exports.Database)', placed], { encoding: 'utf8' });
    expect(load.stdout.trim()).toBe('function');

    // Gone from node_modules (as after `npm ci`): restored from the cache, without a compile.
    fs.rmSync(path.join(root, PKG, 'lib'), { recursive: true });
    const again = run(NODE_BIN);
    expect({ status: again.status, stderr: again.stderr }).toEqual({ status: 0, stderr: '' });
    expect(again.stdout).toContain(`ready for Node ${process.version}`);
    expect(again.stdout).not.toContain('compiling');
    expect(fs.existsSync(placed)).toBe(true);

    const check = run(NODE_BIN);
    expect({ status: check.status, stdout: check.stdout, stderr: check.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('says what to give when a directory holds no node, and what to run when better-sqlite3 is not installed', () => {
  const { root, run } = tree();
  try {
    const noNode = run(path.join(root, 'scripts'));
    expect(noNode.status).toBe(1);
    expect(noNode.stderr).toContain(`no node in '${path.join(root, 'scripts')}' (give the directory that holds the node binary)`);
    expect(run().status).toBe(2);
    fs.rmSync(path.join(root, 'node_modules'), { recursive: true });
    const missing = run(NODE_BIN);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("node_modules/better-sqlite3 is not installed: run 'npm ci'");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
