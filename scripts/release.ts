/**
 * Releases every workspace package together (one version for all, see docs/publishing.md).
 *
 *   npm run release -- version 0.2.0|patch|minor|major   set the version of every package and of
 *                                                        the @kdap/* dependencies between them
 *   npm run release -- publish [--tag next] [--dry-run]  publish the built packages, dependencies
 *                                                        first, to the registry npm maps @kdap to
 *
 * `publish` needs `npm run build` first and publishes to whatever registry the user's npm
 * configuration maps the scope to (`@kdap:registry=...` in .npmrc); no registry is named here.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, type Workspace, publishedWorkspaces, readManifest, workspaces } from './registry/workspaces';

const SEMVER = /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/;
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/** The version after `bump` ('patch' | 'minor' | 'major' | an explicit x.y.z[-pre]). */
export function nextVersion(current: string, bump: string): string {
  if (SEMVER.test(bump)) return bump;
  const m = SEMVER.exec(current);
  if (!m) throw new Error(`release: the current version '${current}' is not x.y.z`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  if (bump === 'patch') return m[4] ? `${major}.${minor}.${patch}` : `${major}.${minor}.${patch + 1}`;
  throw new Error(`release: '${bump}' is neither patch, minor, major nor a version like 1.2.3`);
}

/** The one version every workspace package has; throws listing the packages out of step. */
export function currentVersion(all: Workspace[] = workspaces()): string {
  const versions = new Set(all.map((w) => w.manifest.version));
  if (versions.size !== 1) {
    throw new Error(`release: the packages are not in step: ${all.map((w) => `${w.manifest.name}@${w.manifest.version}`).join(', ')}`);
  }
  return [...versions][0]!;
}

/**
 * Sets `version` on every workspace package and on every @kdap/* dependency between them (exact
 * versions: the packages are released and installed together). Each package.json is rewritten
 * atomically. Returns the files changed.
 */
export function setVersion(version: string, root: string = REPO_ROOT): string[] {
  if (!SEMVER.test(version)) throw new Error(`release: '${version}' is not a version like 1.2.3`);
  const all = workspaces(root);
  const names = new Set(all.map((w) => w.manifest.name));
  const changed: string[] = [];
  for (const w of all) {
    const file = path.join(w.dir, 'package.json');
    const text = fs.readFileSync(file, 'utf8');
    // Edit the text, not a re-serialized object, so each file keeps its own layout.
    let next = text.replace(/("version"\s*:\s*)"[^"]*"/, `$1"${version}"`);
    const manifest = readManifest(w.dir) as unknown as Record<string, Record<string, string> | undefined>;
    for (const field of DEPENDENCY_FIELDS) {
      for (const dep of Object.keys(manifest[field] ?? {})) {
        if (!names.has(dep)) continue;
        const escaped = dep.replace(/[/.]/g, (c) => `\\${c}`);
        next = next.replace(new RegExp(`("${escaped}"\\s*:\\s*)"[^"]*"`, 'g'), `$1"${version}"`);
      }
    }
    if (next !== text) {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, next);
      fs.renameSync(tmp, file);
      changed.push(path.relative(root, file));
    }
  }
  return changed;
}

/** What is missing for `w` to be published as built: dist/ and, for addons, the .node file. */
export function missingBuildOutputs(w: Workspace): string[] {
  const missing: string[] = [];
  if (w.manifest.scripts?.['build:pkgs'] && !fs.existsSync(path.join(w.dir, 'dist'))) missing.push(`${w.relativeDir}/dist/`);
  if (w.manifest.files?.some((f) => f.startsWith('build/Release/'))) {
    const release = path.join(w.dir, 'build', 'Release');
    const addons = fs.existsSync(release) ? fs.readdirSync(release).filter((f) => f.endsWith('.node')) : [];
    if (addons.length === 0) missing.push(`${w.relativeDir}/build/Release/*.node`);
  }
  return missing;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (a test may be serving a registry meanwhile). */
export function runCommand(cmd: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = options.timeoutMs
      ? setTimeout(() => {
          stderr += `\n[killed after ${options.timeoutMs} ms]`;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface PublishOptions {
  /** Packages to publish, in order; default: every published workspace, dependencies first. */
  packages?: Workspace[];
  /** dist-tag; default 'latest'. */
  tag?: string;
  dryRun?: boolean;
  /** Environment of the npm processes (e.g. npm_config_userconfig for a test registry). */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/**
 * Publishes the packages one by one, dependencies first, so a consumer installing during the
 * release never finds a package whose @kdap dependencies are not there yet. Stops at the first
 * failure and says which packages were already published.
 */
export async function publishAll(options: PublishOptions = {}): Promise<string[]> {
  const packages = options.packages ?? publishedWorkspaces();
  currentVersion(packages);
  const missing = packages.flatMap(missingBuildOutputs);
  if (missing.length > 0) throw new Error(`release: build first ('npm run build'); missing: ${missing.join(', ')}`);
  const log = options.log ?? ((line: string) => console.log(line));
  const published: string[] = [];
  for (const w of packages) {
    const id = `${w.manifest.name}@${w.manifest.version}`;
    const args = ['publish', '--workspace', w.relativeDir, '--tag', options.tag ?? 'latest', '--ignore-scripts', '--no-audit', '--no-fund'];
    if (options.dryRun) args.push('--dry-run');
    const r = await runCommand('npm', args, { cwd: REPO_ROOT, env: options.env ?? process.env, timeoutMs: 300_000 });
    if (r.code !== 0) {
      throw new Error(
        `release: publishing ${id} failed (npm exit ${r.code}).` +
          (published.length ? ` Already published: ${published.join(', ')}.` : ' Nothing was published.') +
          `\n${r.stderr.trim()}`,
      );
    }
    published.push(id);
    log(`${options.dryRun ? 'would publish' : 'published'} ${id}`);
  }
  return published;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'version' && rest.length === 1) {
    const version = nextVersion(currentVersion(), rest[0]!);
    const changed = setVersion(version);
    console.log(`version ${version}: ${changed.length} package.json files changed. Now run 'npm install' (lockfile) and commit.`);
    return;
  }
  if (command === 'publish') {
    let tag = 'latest';
    let dryRun = false;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '--tag' && rest[i + 1]) tag = rest[++i]!;
      else if (rest[i] === '--dry-run') dryRun = true;
      else throw new Error(`release: unknown option ${rest[i]}`);
    }
    await publishAll({ tag, dryRun });
    return;
  }
  throw new Error('usage: npm run release -- version <x.y.z|patch|minor|major>\n       npm run release -- publish [--tag <dist-tag>] [--dry-run]');
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
