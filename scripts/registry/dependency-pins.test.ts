/**
 * Pins that keep what is installed consistent with what is supported and tested:
 * - every installed package (dependencies, devDependencies, transitive) accepts the oldest Node
 *   the packages support and CI tests, the minimum of the root `engines` (20.17): a dependency
 *   that requires a newer Node is pinned back, or overridden in the root package.json (fastify 5's
 *   light-my-request 6.8 pulls cookie 2, which requires Node 22; 6.6.0 takes cookie 1);
 * - @kdap/duckdb-vectors is pinned (peerDependencies) to the @duckdb/node-bindings release that
 *   @kdap/preprocessing's exact @duckdb/node-api loads, and refuses any other at attach time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import semver from 'semver';
import { attachToDuckDB, pinnedBindingsVersion } from '@kdap/duckdb-vectors';
import { REPO_ROOT, readManifest, workspaces } from './workspaces';

/** The oldest Node the packages support: the minimum of the root package.json's engines range. */
function oldestNode(root: string = REPO_ROOT): string {
  const range = (readManifest(root) as { engines?: { node?: string } }).engines?.node;
  const oldest = range ? semver.minVersion(range) : null;
  if (!oldest) throw new Error(`The root package.json of ${root} has no usable engines.node (got ${range})`);
  return oldest.version;
}

/** Installed packages under every node_modules of `root` (workspace links skipped: checked as workspaces). */
function installedPackages(root: string): { dir: string; name: string; version: string; node?: string }[] {
  const found: { dir: string; name: string; version: string; node?: string }[] = [];
  const visit = (modules: string): void => {
    if (!fs.existsSync(modules)) return;
    for (const entry of fs.readdirSync(modules, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const dir = path.join(modules, entry.name);
      if (entry.name.startsWith('@') && entry.isDirectory()) {
        visit(dir);
        continue;
      }
      if (!entry.isDirectory()) continue; // symlinks: workspace packages
      const manifestFile = path.join(dir, 'package.json');
      if (fs.existsSync(manifestFile)) {
        const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { name?: string; version?: string; engines?: { node?: unknown } };
        found.push({ dir, name: m.name ?? entry.name, version: m.version ?? '?', node: typeof m.engines?.node === 'string' ? m.engines.node : undefined });
      }
      visit(path.join(dir, 'node_modules'));
    }
  };
  visit(path.join(root, 'node_modules'));
  for (const w of workspaces(root)) visit(path.join(w.dir, 'node_modules'));
  return found;
}

/** Every installed package whose engines.node excludes `node`, as 'name@version requires <range> (dir)'. */
export function enginesProblems(root: string, node: string): string[] {
  return installedPackages(root)
    .filter((p) => p.node !== undefined && !semver.satisfies(node, p.node, { includePrerelease: true }))
    .map((p) => `${p.name}@${p.version} requires Node ${p.node} (${path.relative(root, p.dir)})`);
}

describe('engines', () => {
  it('tests the oldest supported Node as the root engines say: 20.17.0', () => {
    expect(oldestNode()).toBe('20.17.0');
    for (const w of workspaces()) expect({ [w.manifest.name]: semver.satisfies(oldestNode(), w.manifest.engines?.node ?? '*') }).toEqual({ [w.manifest.name]: true });
  });

  it('installs no package whose engines exclude the oldest supported Node', () => {
    // A failure names the package: pin it (or its dependent) to the newest release that accepts
    // the oldest Node, or override it in the root package.json (see 'overrides' there).
    expect(enginesProblems(REPO_ROOT, oldestNode())).toEqual([]);
  });

  it('finds a package that requires a newer Node (so the check can fail)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-engines-'));
    try {
      const write = (rel: string, manifest: object) => {
        fs.mkdirSync(path.join(root, rel), { recursive: true });
        fs.writeFileSync(path.join(root, rel, 'package.json'), JSON.stringify(manifest));
      };
      write('.', { name: 'app', private: true, engines: { node: '>=20.17' } });
      write('node_modules/fine', { name: 'fine', version: '1.0.0', engines: { node: '>=18' } });
      write('node_modules/@s/none', { name: '@s/none', version: '1.0.0' });
      write('node_modules/fine/node_modules/cookie', { name: 'cookie', version: '2.0.2', engines: { node: '>=22' } });
      expect(enginesProblems(root, oldestNode(root))).toEqual([`cookie@2.0.2 requires Node >=22 (${path.join('node_modules', 'fine', 'node_modules', 'cookie')})`]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('@kdap/duckdb-vectors and the DuckDB it reads', () => {
  const byName = new Map(workspaces().map((w) => [w.manifest.name, w]));
  const vectors = byName.get('@kdap/duckdb-vectors')!.manifest;
  const preprocessing = byName.get('@kdap/preprocessing')!;
  const requireFromPreprocessing = (id: string) => require.resolve(id, { paths: [preprocessing.dir] });
  const nodeApiDir = path.dirname(requireFromPreprocessing('@duckdb/node-api/package.json'));
  const bindingsDir = path.dirname(require.resolve('@duckdb/node-bindings/package.json', { paths: [nodeApiDir] }));

  it("is pinned to the @duckdb/node-bindings release that @kdap/preprocessing's @duckdb/node-api loads", () => {
    const pin = pinnedBindingsVersion();
    const nodeApi = JSON.parse(fs.readFileSync(path.join(nodeApiDir, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
    const installed = (JSON.parse(fs.readFileSync(path.join(bindingsDir, 'package.json'), 'utf8')) as { version: string }).version;
    expect({
      'duckdb-vectors peerDependencies': vectors.peerDependencies?.['@duckdb/node-bindings'],
      'duckdb-vectors devDependencies (its tests)': vectors.devDependencies?.['@duckdb/node-bindings'],
      'preprocessing dependencies': preprocessing.manifest.dependencies?.['@duckdb/node-bindings'],
      "preprocessing's @duckdb/node-api depends on": nodeApi.dependencies['@duckdb/node-bindings'],
      installed,
    }).toEqual({
      'duckdb-vectors peerDependencies': pin,
      'duckdb-vectors devDependencies (its tests)': pin,
      'preprocessing dependencies': pin,
      "preprocessing's @duckdb/node-api depends on": pin,
      installed: pin,
    });
    // The exact @duckdb/node-api everywhere it is declared.
    expect(vectors.devDependencies?.['@duckdb/node-api']).toBe(preprocessing.manifest.dependencies?.['@duckdb/node-api']);
    expect(nodeApi.version).toBe(preprocessing.manifest.dependencies?.['@duckdb/node-api']);
  });

  it('attaches to that DuckDB (the library version the pin names) and refuses bindings of another release', () => {
    const bindings = require(bindingsDir) as { library_version(): string };
    const duckdb = `v${semver.parse(pinnedBindingsVersion())!.version.replace(/-.*$/, '')}`;
    expect(bindings.library_version()).toBe(duckdb);
    expect(attachToDuckDB(bindingsDir).version).toBe(duckdb);

    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-bindings-'));
    try {
      fs.writeFileSync(path.join(other, 'package.json'), JSON.stringify({ name: '@duckdb/node-bindings', version: '1.6.0-r.1' }));
      expect(() => attachToDuckDB(other)).toThrow(
        `@kdap/duckdb-vectors is pinned to @duckdb/node-bindings ${pinnedBindingsVersion()} (whose DuckDB C API results and DataChunk handles it reads), ` +
          `but the bindings at ${other} are 1.6.0-r.1. Install @duckdb/node-api and @duckdb/node-bindings ${pinnedBindingsVersion()}`,
      );
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
