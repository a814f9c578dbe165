/**
 * One file-name style (README, "Working on it"): TypeScript/JavaScript files are kebab-case, with the
 * role as a dotted suffix (`read-table.ts`, `read-table.test.ts`, `save-bundle.child.ts`).
 * This script brings every tracked file to it mechanically, for the one renames-only commit:
 *
 *   node scripts/rename-files.mjs --dry-run   # the plan: every rename and every file it would edit
 *   node scripts/rename-files.mjs             # git mv + rewrite imports and path mentions, then verify
 *
 * What it does, in order:
 * 1. The plan: each tracked .ts/.mts/.cts/.js/.mjs/.cjs file whose name is not kebab-case
 *    (camelCase, PascalCase, `-child` instead of `.child`) gets its kebab-case name in the same
 *    folder; it stops before touching anything if two files would get one name.
 * 2. `git mv` for each (content untouched by this step, so git records renames).
 * 3. Every relative module specifier (import/export from, import(), require(), require.resolve(),
 *    jest.mock()) in every tracked code file that pointed at a renamed file is rewritten to its new
 *    name, keeping the specifier's form (with or without extension).
 * 4. Every mention of a renamed file's `folder/name.ext` in any tracked text file (docs, package.json
 *    `files`, comments, path strings) is rewritten.
 * 5. Verify: every relative specifier that resolved to a tracked file before still does; exit 1 otherwise.
 * Then: npm run typecheck && npx jest, and commit (git status shows renames, imports edited).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dryRun = process.argv.includes('--dry-run');
const CODE = /\.(ts|mts|cts|tsx|js|mjs|cjs)$/;
const TEXT = /\.(ts|mts|cts|tsx|js|mjs|cjs|json|md|sh|ya?ml|py|txt|cc|h|cmake)$|(^|\/)(CMakeLists\.txt|\.gitignore|run)$/;
/** Extensions a specifier without one may stand for, in TypeScript's order. */
const RESOLVE = ['', '.ts', '.tsx', '.mts', '.cts', '.d.ts', '.js', '.mjs', '.cjs', '.json', '/index.ts', '/index.js'];

const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
const tracked = () => git('ls-files', '-z').split('\0').filter(Boolean);

/** `timeSeriesFeatures` -> `time-series-features`, `OneHotEncoder` -> `one-hot-encoder`, `IPCReader` -> `ipc-reader`. */
export function kebab(stem) {
  return stem
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

/** The kebab-case name of a file name: the stem before the first dot, then `-child` as a `.child` role suffix. */
export function styledName(base) {
  const dot = base.indexOf('.');
  const stem = dot < 0 ? base : base.slice(0, dot);
  const rest = dot < 0 ? '' : base.slice(dot);
  const styled = kebab(stem);
  const child = /^(.+)-child$/.exec(styled);
  return child ? `${child[1]}.child${rest}` : `${styled}${rest}`;
}

function plan(files) {
  const renames = new Map();
  for (const file of files) {
    if (!CODE.test(file) || file.startsWith('node_modules/') || /(^|\/)\.venv/.test(file)) continue;
    const base = path.posix.basename(file);
    const next = styledName(base);
    if (next !== base) renames.set(file, path.posix.join(path.posix.dirname(file), next));
  }
  const taken = new Map(files.map((f) => [f.toLowerCase(), f]));
  for (const [from, to] of renames) {
    const clash = taken.get(to.toLowerCase());
    if (clash && clash !== from) throw new Error(`${from} -> ${to}: ${clash} already has that name; rename one of them by hand first.`);
  }
  const targets = [...renames.values()];
  if (new Set(targets).size !== targets.length) throw new Error('Two files would get the same name: ' + targets.filter((t, i) => targets.indexOf(t) !== i).join(', '));
  return renames;
}

/** Module specifiers with their positions: import/export ... from, import(), require(), require.resolve(), jest.mock(). */
const SPECIFIER = /((?:\bfrom|\bimport|\brequire(?:\.resolve)?\s*\(|\bjest\.(?:mock|requireActual|doMock)\s*\()\s*\(?\s*)(['"])(\.{1,2}\/[^'"\n]*)\2/g;

/** The tracked file a relative specifier in `file` points at, or undefined. */
function resolveSpecifier(file, specifier, exists) {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  for (const suffix of RESOLVE) {
    if (exists(base + suffix)) return { target: base + suffix, suffix };
  }
  // `./x.js` written for `./x.ts` (Node16 ESM style).
  const js = /\.(m|c)?js$/.exec(base);
  if (js) {
    const ts = base.replace(/\.(m|c)?js$/, `.${js[1] ?? ''}ts`);
    if (exists(ts)) return { target: ts, suffix: '', jsForTs: true };
  }
  return undefined;
}

function relativeSpecifier(fromFile, toFile) {
  let spec = path.posix.relative(path.posix.dirname(fromFile), toFile);
  if (!spec.startsWith('.')) spec = `./${spec}`;
  return spec;
}

/** `file: 'specifier'` for every relative specifier in the tree's code files that resolves to no file. */
function unresolvedSpecifiers(files) {
  const unresolved = [];
  for (const file of files) {
    if (!CODE.test(file) || !existsSync(path.join(root, file))) continue;
    for (const m of readFileSync(path.join(root, file), 'utf8').matchAll(SPECIFIER)) {
      if (!resolveSpecifier(file, m[3], (f) => files.has(f))) unresolved.push(`${file}: '${m[3]}'`);
    }
  }
  return unresolved;
}

function main() {
  const files = tracked();
  const renames = plan(files);
  const newName = (f) => renames.get(f) ?? f;
  const before = new Set(files);
  const edits = new Map();
  // Specifiers that resolve to nothing already (examples inside test strings) are not the renames' doing.
  const unresolvedBefore = new Set(unresolvedSpecifiers(before).map((entry) => entry.replace(/^[^:]+/, (f) => newName(f))));

  // Import rewrites are computed against the tree before any rename.
  for (const file of files) {
    if (!CODE.test(file) || !existsSync(path.join(root, file))) continue;
    const text = readFileSync(path.join(root, file), 'utf8');
    const next = text.replace(SPECIFIER, (all, lead, quote, specifier) => {
      const found = resolveSpecifier(file, specifier, (f) => before.has(f));
      if (!found || !renames.has(found.target)) return all;
      // Keep the specifier's form: extensionless stays extensionless, `.js` for a `.ts` stays `.js`.
      let target = renames.get(found.target);
      if (found.jsForTs) target = target.replace(/ts$/, 'js');
      else if (found.suffix !== '') target = target.slice(0, -found.suffix.length);
      return `${lead}${quote}${relativeSpecifier(newName(file), target)}${quote}`;
    });
    if (next !== text) edits.set(file, next);
  }

  // Mentions of `folder/name.ext` anywhere in text files (docs, package.json, comments, path strings).
  const mentions = [...renames].map(([from, to]) => [
    `${path.posix.basename(path.posix.dirname(from))}/${path.posix.basename(from)}`,
    `${path.posix.basename(path.posix.dirname(to))}/${path.posix.basename(to)}`,
  ]);
  for (const file of files) {
    if (!TEXT.test(file) || file === 'package-lock.json' || file === 'scripts/rename-files.mjs' || !existsSync(path.join(root, file))) continue;
    const text = edits.get(file) ?? readFileSync(path.join(root, file), 'utf8');
    let next = text;
    for (const [from, to] of mentions) next = next.replace(new RegExp(`(?<![\\w-])${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'g'), to);
    if (next !== text) edits.set(file, next);
  }

  console.log(`${renames.size} renames, ${edits.size} files edited${dryRun ? ' (dry run: nothing changed)' : ''}:`);
  for (const [from, to] of renames) console.log(`  git mv ${from} ${to}`);
  for (const file of edits.keys()) console.log(`  edit ${newName(file)}`);
  if (dryRun) return;

  for (const [from, to] of renames) {
    // Case-only renames (Table.ts -> table.ts) go through a temporary name on case-insensitive disks.
    if (from.toLowerCase() === to.toLowerCase()) {
      git('mv', from, `${to}.renaming`);
      git('mv', `${to}.renaming`, to);
    } else {
      git('mv', from, to);
    }
  }
  for (const [file, text] of edits) writeFileSync(path.join(root, newName(file)), text);

  const after = new Set(tracked());
  const unresolved = unresolvedSpecifiers(after).filter((entry) => !unresolvedBefore.has(entry));
  if (unresolved.length > 0) {
    console.error(`Relative specifiers that resolved before the renames and no longer do:\n  ${unresolved.join('\n  ')}`);
    process.exit(1);
  }
  console.log('Every relative specifier that resolved before still resolves. Next: npm run typecheck && npx jest, then commit.');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
