import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Every error thrown on purpose is a KdapError (a stable code, one class per concept). This scans
 * the library code of every package outside the kernel and fails on a plain Error, TypeError or
 * RangeError being created or subclassed. Tests, test children and test helpers (`testing/`)
 * may use plain errors: they report test failures, not product errors.
 */
const root = join(__dirname, '..', '..', '..');
const KERNEL = new Set(['packages/errors', 'packages/test-support']);
const PLAIN = /(?<![\w$.])(?:new\s+)?(Error|TypeError|RangeError)\s*\(|\bextends\s+(Error|TypeError|RangeError)\b/g;

function packageDirs(): string[] {
  return ['native', 'packages'].flatMap((group) =>
    readdirSync(join(root, group))
      .map((name) => `${group}/${name}`)
      .filter((dir) => !KERNEL.has(dir) && statSync(join(root, dir, 'src'), { throwIfNoEntry: false })?.isDirectory()),
  );
}

function libraryFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' || entry.name === 'node_modules' ? [] : libraryFiles(path);
    return /\.ts$/.test(entry.name) && !/\.(test|child|typecheck)\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The code without comments (a comment may mention `new Error()`); string contents stay. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** `file:line: text` for every plain-error site in `source`. */
function plainErrorSites(file: string, source: string): string[] {
  const code = withoutComments(source);
  const sites: string[] = [];
  for (const match of code.matchAll(PLAIN)) {
    const line = code.slice(0, match.index).split('\n').length;
    sites.push(`${file}:${line}: ${source.split('\n')[line - 1]!.trim()}`);
  }
  return sites;
}

describe('no plain errors outside the kernel', () => {
  it('finds the constructs it forbids, and not KDAP errors or comments', () => {
    expect(plainErrorSites('x.ts', 'throw new Error("x");\nthrow new TypeError(`y`);\nthrow RangeError("z");\nclass A extends Error {}')).toHaveLength(4);
    expect(plainErrorSites('x.ts', "throw new ParameterError('a', 'b');\n// new Error() in a comment\nError.captureStackTrace(o);\nif (e instanceof Error) {}\n/* new TypeError() */")).toEqual([]);
  });

  it('src/ of every other package throws only @kdap/errors classes', () => {
    const dirs = packageDirs();
    // The scan must cover the packages that exist, or it proves nothing.
    expect(dirs).toEqual(expect.arrayContaining(['native/napi-common', 'native/lightgbm-node', 'native/xgboost-node', 'native/duckdb-vectors', 'packages/core', 'packages/preprocessing', 'packages/budget']));
    const files = dirs.flatMap((dir) => libraryFiles(join(root, dir, 'src')));
    expect(files.length).toBeGreaterThan(100);
    const sites = files.flatMap((file) => plainErrorSites(relative(root, file).split(sep).join('/'), readFileSync(file, 'utf8')));
    expect(sites).toEqual([]);
  });
});
