/**
 * The workspace packages, read from the root package.json's `workspaces` (so a new package is
 * covered without editing a list), in the order they must be published: every package after the
 * workspace packages it depends on.
 */
import fs from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  description?: string;
  main?: string;
  types?: string;
  files?: string[];
  engines?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  publishConfig?: Record<string, string>;
  repository?: { type: string; url: string; directory?: string };
  exports?: Record<string, unknown>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface Workspace {
  /** Absolute directory of the package. */
  dir: string;
  /** The directory relative to the repository root, e.g. `packages/budget`. */
  relativeDir: string;
  manifest: PackageManifest;
}

export function readManifest(dir: string): PackageManifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageManifest;
}

/** Expands the root `workspaces` entries (literal paths and `dir/*`) to package directories. */
export function workspaceDirs(root: string = REPO_ROOT): string[] {
  const patterns = readManifest(root) as unknown as { workspaces?: string[] };
  const dirs: string[] = [];
  for (const pattern of patterns.workspaces ?? []) {
    if (pattern.endsWith('/*') && !pattern.slice(0, -2).includes('*')) {
      const parent = path.join(root, pattern.slice(0, -2));
      for (const entry of fs.readdirSync(parent, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const dir = path.join(parent, entry.name);
        if (entry.isDirectory() && fs.existsSync(path.join(dir, 'package.json'))) dirs.push(dir);
      }
    } else if (!pattern.includes('*')) {
      dirs.push(path.join(root, pattern));
    } else {
      // Only the shapes this repository uses are understood; a new shape must be taught here.
      throw new Error(`workspaces.ts: the workspace pattern '${pattern}' is not supported (use 'dir/*' or a path)`);
    }
  }
  return dirs;
}

/** Every workspace package, dependencies before dependents (ties in directory order). */
export function workspaces(root: string = REPO_ROOT): Workspace[] {
  const all = workspaceDirs(root).map((dir) => ({ dir, relativeDir: path.relative(root, dir), manifest: readManifest(dir) }));
  const byName = new Map(all.map((w) => [w.manifest.name, w]));
  const ordered: Workspace[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (w: Workspace, chain: string[]): void => {
    const name = w.manifest.name;
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`workspaces.ts: dependency cycle ${[...chain, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const dep of runtimeDependencies(w.manifest)) {
      const target = byName.get(dep);
      if (target) visit(target, [...chain, name]);
    }
    state.set(name, 'done');
    ordered.push(w);
  };
  for (const w of all) visit(w, []);
  return ordered;
}

/** The names a consumer's install pulls in with this package (devDependencies excluded). */
export function runtimeDependencies(manifest: PackageManifest): string[] {
  return [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ];
}

/** The workspace packages consumers install (everything not marked private). */
export function publishedWorkspaces(root: string = REPO_ROOT): Workspace[] {
  return workspaces(root).filter((w) => w.manifest.private !== true);
}
