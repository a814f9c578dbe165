import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Declared dependencies = imported ones, for every workspace package under native/ and packages/.
 * Shipped code (src/ and bin/, tests aside) may import only its `dependencies`; tests, benchmarks
 * and build scripts may also use `devDependencies` and the root's shared tooling (jest,
 * fast-check...). Every declared dependency must be imported somewhere in the package. A relative
 * path into another workspace package (a build script reusing napi-common's) counts as a use of it.
 */
const ROOT = resolve(__dirname, '..', '..');

/** Declared but never imported on purpose; each with the reason. */
const LOADED_BY_NAME: Record<string, Record<string, string>> = {
  '@kdap/cli': { '@kdap/mlflow': "@kdap/core's defaultTracker looks it up by name for 'kdap train --mlflow' (core cannot import it: mlflow depends on core)" },
  '@kdap/mlflow': { 'better-sqlite3': 'loaded by name (createRequire) only when a run is logged to SQLite, so importing the package works where the addon was not built for this Node' },
  '@kdap/duckdb-vectors': {
    '@duckdb/node-bindings': "a peer pinned to the release whose handles and libduckdb the addon reads; the caller passes the bindings' directory (a second copy would be a second DuckDB)",
  },
};

interface Workspace {
  dir: string;
  name: string;
  dependencies: string[];
  devDependencies: string[];
  /** What consumers get (package.json `files`); src/ and bin/ when it has none. */
  files: string[];
}

function workspaces(): Workspace[] {
  return ['native', 'packages'].flatMap((group) =>
    readdirSync(join(ROOT, group))
      .map((name) => join(ROOT, group, name))
      .filter((dir) => existsSync(join(dir, 'package.json')))
      .map((dir) => {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; files?: string[]; dependencies?: object; devDependencies?: object; peerDependencies?: object };
        return {
          dir,
          name: pkg.name,
          dependencies: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})],
          devDependencies: Object.keys(pkg.devDependencies ?? {}),
          files: pkg.files ?? ['src', 'bin'],
        };
      }),
  );
}

function codeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'dist', 'build', '.jest-cache'].includes(entry.name) ? [] : codeFiles(path);
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) && !/\.d\.[mc]?ts$/.test(entry.name) ? [path] : [];
  });
}

/** Module specifiers: import/export ... from, import '...', import(), require(), require.resolve(). */
function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const m of code.matchAll(/(?:^|[^\w.$])(?:from\s*|import\s*\(?\s*|require\s*\(\s*|require\.resolve\s*\(\s*)(['"])([^'"\s$]+)\1/gm)) found.push(m[2]!);
  return found;
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * Shipped code: what package.json `files` lists (build scripts of native addons run at install),
 * except tests, the child processes only tests start, and `testing/` folders under `src/` (test
 * support: `src/testing/` that other packages' tests reach through a `./testing` export, or a
 * module's own such as `src/<module>/testing/`; the packages' `files` leave them out
 * with a negated `testing` entry).
 */
function isShipped(ws: Workspace, rel: string): boolean {
  const listed = ws.files.some((entry) => rel === entry || rel.startsWith(`${entry.replace(/\/$/, '')}/`));
  return listed && !/\.test\.ts$|[.-]child\.ts$|^src\/(?:[^/]+\/)*testing\//.test(rel);
}

interface Use {
  name: string;
  file: string;
  shipped: boolean;
}

function usesOf(ws: Workspace, all: Workspace[]): Use[] {
  const uses: Use[] = [];
  for (const file of codeFiles(ws.dir)) {
    const rel = relative(ws.dir, file).split(sep).join('/');
    for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
      let name: string | undefined;
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        name = all.find((other) => other !== ws && target.startsWith(other.dir + sep))?.name;
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(packageOf(specifier))) {
        name = packageOf(specifier);
      }
      if (name !== undefined && name !== ws.name) uses.push({ name, file: rel, shipped: isShipped(ws, rel) });
    }
  }
  return uses;
}

const rootTooling = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies?: object }).devDependencies ?? {});

/** Problems of one package, one sentence each. */
function problemsOf(ws: Workspace, all: Workspace[]): string[] {
  const uses = usesOf(ws, all);
  const problems: string[] = [];
  const usedBy = (name: string) => uses.filter((u) => u.name === name || name === `@types/${u.name.replace(/^@(.*)\//, '$1__')}`);
  for (const use of uses) {
    if (ws.dependencies.includes(use.name)) continue;
    if (use.shipped) problems.push(`${ws.name}: ${use.file} imports '${use.name}', which is not in its dependencies`);
    else if (!ws.devDependencies.includes(use.name) && !rootTooling.includes(use.name)) {
      problems.push(`${ws.name}: ${use.file} imports '${use.name}', which is in neither its dependencies, its devDependencies nor the root's devDependencies`);
    }
  }
  const exempt = LOADED_BY_NAME[ws.name] ?? {};
  for (const name of ws.dependencies) {
    if (name in exempt) continue;
    const found = usedBy(name);
    if (found.length === 0) problems.push(`${ws.name}: declares the dependency '${name}' but never imports it`);
    else if (!found.some((u) => u.shipped)) problems.push(`${ws.name}: only tests import '${name}'; make it a devDependency`);
  }
  for (const name of ws.devDependencies) {
    if (usedBy(name).length === 0) problems.push(`${ws.name}: declares the devDependency '${name}' but never imports it`);
  }
  return [...new Set(problems)];
}

it('reads every import form, including require.resolve and paths into another workspace', () => {
  expect(specifiers(["import a from 'a';", "import type { B } from '@s/b/sub';", "const c = require('c');", "require.resolve('d/package.json')", "await import('e')", "msg(`from '${file}'`)", "path.dirname(require.resolve('f'))", "Buffer.from('g')"].join('\n'))).toEqual([
    'a',
    '@s/b/sub',
    'c',
    'd/package.json',
    'e',
    'f',
  ]);
  const all = workspaces();
  const duckdb = all.find((w) => w.name === '@kdap/duckdb-vectors')!;
  expect(usesOf(duckdb, all)).toContainEqual({ name: '@kdap/napi-common', file: 'scripts/build-addon.mjs', shipped: true });
});

it('finds a made-up undeclared import and an unused declaration (so the check can fail)', () => {
  const all = workspaces();
  const core = all.find((w) => w.name === '@kdap/core')!;
  expect(problemsOf({ ...core, dependencies: [...core.dependencies, 'left-pad'] }, all)).toContain("@kdap/core: declares the dependency 'left-pad' but never imports it");
  expect(problemsOf({ ...core, dependencies: core.dependencies.filter((d) => d !== 'zod') }, all)).toEqual(
    expect.arrayContaining([expect.stringMatching(/^@kdap\/core: src\/.*\.ts imports 'zod', which is not in its dependencies$/)]),
  );
});

it('declares exactly what each workspace package imports', () => {
  const all = workspaces();
  expect(all.length).toBeGreaterThanOrEqual(10);
  expect(all.flatMap((ws) => problemsOf(ws, all))).toEqual([]);
});
