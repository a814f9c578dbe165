import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Core's modules form layers: the feature schema sits below bundles, bundles below the trainer.
 * A module may import only the modules listed for it (and itself); a cycle (bundle importing
 * trainer) would make a bundle reader drag in the whole training machinery and let the two drift
 * into each other again. Tests are exempt: they may use the test support of any layer.
 */
const ALLOWED: Record<string, readonly string[]> = {
  version: [],
  config: [],
  metrics: [],
  schema: [],
  bundle: ['config', 'schema', 'version'],
  trainer: ['bundle', 'config', 'metrics', 'schema', 'version'],
  testing: ['bundle', 'config', 'metrics', 'schema', 'trainer', 'version'],
  index: ['bundle', 'config', 'metrics', 'schema', 'trainer', 'version'],
};

const SRC = __dirname;

/** The module a source file belongs to: its top directory under src/, or its own name at the top. */
function moduleOf(file: string): string {
  const first = relative(SRC, file).split(sep)[0]!;
  return first.replace(/\.ts$/, '');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every module specifier of `import ... from`, `export ... from`, `import '...'` and `import('...')`. */
function importSpecifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])([^'"]+)\1/g)) found.push(m[2]!);
  return found;
}

/** Relative imports of every non-test source file, as [file, imported module]. */
function crossModuleImports(): Array<{ file: string; from: string; to: string; specifier: string }> {
  const edges = [];
  for (const file of sourceFiles(SRC)) {
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier);
      if (!target.startsWith(SRC + sep)) continue;
      const from = moduleOf(file);
      const to = moduleOf(target);
      if (from !== to) edges.push({ file: relative(SRC, file), from, to, specifier });
    }
  }
  return edges;
}

it('finds the specifiers of every import form', () => {
  const text = [
    "import { a } from './a';",
    "import type { B } from \"../b\";",
    "export { c } from './c';",
    "export * from './d';",
    "import './e';",
    "const f = await import('./f');",
    "// import { g } from './g';",
    '/* import { h } from "./h"; */',
    'import {',
    '  i,',
    "} from './i';",
  ].join('\n');
  expect(importSpecifiers(text)).toEqual(['./a', '../b', './c', './d', './e', './f', './i']);
});

it('sees the real edges (so the layer check below cannot pass on an empty list)', () => {
  const edges = crossModuleImports();
  expect(edges).toContainEqual(expect.objectContaining({ file: join('trainer', 'trainer.ts'), to: 'bundle' }));
  expect(edges).toContainEqual(expect.objectContaining({ file: join('bundle', 'manifest.ts'), to: 'schema' }));
});

it('keeps the layers: schema <- bundle <- trainer, and nothing under bundle/ imports trainer/', () => {
  const known = Object.keys(ALLOWED);
  const violations = crossModuleImports()
    .filter(({ from, to }) => !known.includes(from) || !(ALLOWED[from] ?? []).includes(to))
    .map(({ file, specifier, from, to }) =>
      known.includes(from) ? `${file} imports '${specifier}' (${from} -> ${to}; ${from} may import ${ALLOWED[from]!.join(', ') || 'no other module'})` : `${file}: module '${from}' has no entry in ALLOWED`,
    );
  expect(violations).toEqual([]);
});
