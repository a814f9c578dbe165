/**
 * Releases every workspace package together (one version for all, see docs/publishing.md).
 *
 *   npm run release -- version 0.2.0|patch|minor|major   set the version of every package and of
 *                                                        the @kdap/* dependencies between them
 *   npm run release -- publish [--tag next] [--dry-run]  publish the built packages, dependencies
 *                                                        first, to the registry npm maps @kdap to
 *
 *   npm run release -- publish-platform [--tag next]     publish only this machine's platform
 *                                                        packages (on each further platform first)
 *   npm run release -- platform-packages <dir>           write them to <dir> without publishing
 *
 * `publish` needs `npm run build` first and publishes to whatever registry the user's npm
 * configuration maps the scope to (`@kdap:registry=...` in .npmrc); no registry is named here.
 * Each native addon (a package.json with `kdapNative`) is published as the addon package, whose
 * manifest gains an optional dependency on each of its platform packages, and one platform package
 * per platform (`@kdap/<addon>-<platform>`, e.g. `-linux-x64-gnu`) holding the built binaries with
 * npm's os/cpu/libc fields. Platform packages are generated from `build/Release` at release time,
 * never committed; only this machine's platform can be built here (docs/publishing.md).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type NativePackageConfig, PLATFORM_SUFFIX_FORM, platformFields, platformPackageName, platformPackageSuffix } from '../native/napi-common/src/platform';
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

/** The `kdapNative` field of a native addon's package.json (binaries and platforms), or undefined. */
export function nativeConfig(w: Workspace): NativePackageConfig | undefined {
  return (w.manifest as { kdapNative?: NativePackageConfig }).kdapNative;
}

/**
 * What is missing for `w` to be published as built: dist/ and, for addons built for a platform
 * they are published for, the binaries of this machine's platform package.
 */
export function missingBuildOutputs(w: Workspace, suffix: string = platformPackageSuffix()): string[] {
  const missing: string[] = [];
  if (w.manifest.scripts?.['build:pkgs'] && !fs.existsSync(path.join(w.dir, 'dist'))) missing.push(`${w.relativeDir}/dist/`);
  const native = nativeConfig(w);
  if (native?.platforms.includes(suffix)) {
    for (const file of native.binaries) if (!fs.existsSync(path.join(w.dir, file))) missing.push(`${w.relativeDir}/${file}`);
  }
  return missing;
}

/**
 * Writes the platform package of addon `w` for `suffix` into `outRoot/<name without scope>`:
 * a package.json with npm's os/cpu/libc for the platform, a README and the built binaries (flat,
 * so libraries found through an `$ORIGIN` rpath, like libxgboost.so, stay next to the .node file).
 * The binaries are this machine's build: `suffix` must be this machine's platform.
 */
export function writePlatformPackage(w: Workspace, outRoot: string, suffix: string = platformPackageSuffix()): { name: string; dir: string } {
  const native = nativeConfig(w);
  if (!native) throw new Error(`release: ${w.manifest.name} has no kdapNative field, so it has no platform packages`);
  const fields = platformFields(suffix);
  if (!fields) throw new Error(`release: '${suffix}' is not a platform package suffix: use ${PLATFORM_SUFFIX_FORM}`);
  if (suffix !== platformPackageSuffix()) {
    throw new Error(`release: ${platformPackageName(w.manifest.name, suffix)} must be built on ${suffix}; this machine is ${platformPackageSuffix()}`);
  }
  const missing = missingBuildOutputs(w, suffix);
  if (missing.length > 0) throw new Error(`release: build first ('npm run build'); missing: ${missing.join(', ')}`);
  const name = platformPackageName(w.manifest.name, suffix);
  const dir = path.join(outRoot, name.replace(/^@[^/]+\//, ''));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const files = native.binaries.map((file) => path.basename(file));
  for (const file of native.binaries) fs.copyFileSync(path.join(w.dir, file), path.join(dir, path.basename(file)));
  const manifest = {
    name,
    version: w.manifest.version,
    description: `The ${w.manifest.name} addon prebuilt for ${suffix}. Installed by ${w.manifest.name} as an optional dependency on this platform; not for direct use.`,
    license: w.manifest.license,
    repository: w.manifest.repository,
    engines: w.manifest.engines,
    ...fields,
    files,
    publishConfig: w.manifest.publishConfig,
  };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(
    path.join(dir, 'README.md'),
    `# ${name}\n\nThe prebuilt binary of [\`${w.manifest.name}\`](../${w.manifest.name.replace(/^@[^/]+\//, '')}) for ${suffix}: ${files.join(', ')}.\n\n` +
      `Do not install it yourself: \`${w.manifest.name}\` lists it as an optional dependency, npm installs it on ${suffix} only, ` +
      'and the addon loads it from there (or from a source build of the addon, see its README).\n',
  );
  return { name, dir };
}

/**
 * Copies the files `npm pack` would put in the tarball of addon `w` to `outRoot/<name>` and adds
 * its platform packages to the copy's manifest as optional dependencies (exact version). The
 * repository's package.json does not list them: npm would otherwise try to install them in this
 * workspace from whatever registry it is configured with (the public `@kdap` scope is not ours).
 */
export async function stageAddonPackage(w: Workspace, outRoot: string): Promise<string> {
  const native = nativeConfig(w);
  if (!native) throw new Error(`release: ${w.manifest.name} has no kdapNative field`);
  const r = await runCommand('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--workspace', w.relativeDir], { cwd: REPO_ROOT, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`release: npm pack --dry-run of ${w.manifest.name} failed (exit ${r.code}).\n${r.stderr.trim()}`);
  const [packed] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
  const dir = path.join(outRoot, w.manifest.name.replace(/^@[^/]+\//, ''));
  fs.rmSync(dir, { recursive: true, force: true });
  for (const { path: file } of packed!.files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(w.dir, file), path.join(dir, file));
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  manifest.optionalDependencies = {
    ...(manifest.optionalDependencies as Record<string, string> | undefined),
    ...Object.fromEntries(native.platforms.map((suffix) => [platformPackageName(w.manifest.name, suffix), w.manifest.version])),
  };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
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
 * release never finds a package whose @kdap dependencies are not there yet: an addon's platform
 * packages go right before the addon. A platform package of another platform than this machine's
 * must already be on the registry (published there with `publish-platform`). Stops at the first
 * failure and says which packages were already published.
 */
export async function publishAll(options: PublishOptions = {}): Promise<string[]> {
  const packages = options.packages ?? publishedWorkspaces();
  currentVersion(packages);
  const missing = packages.flatMap((w) => missingBuildOutputs(w));
  if (missing.length > 0) throw new Error(`release: build first ('npm run build'); missing: ${missing.join(', ')}`);
  const log = options.log ?? ((line: string) => console.log(line));
  const env = options.env ?? process.env;
  const host = platformPackageSuffix();
  const published: string[] = [];
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-release-'));
  const publish = async (id: string, target: string[]): Promise<void> => {
    const args = ['publish', ...target, '--tag', options.tag ?? 'latest', '--ignore-scripts', '--no-audit', '--no-fund'];
    if (options.dryRun) args.push('--dry-run');
    const r = await runCommand('npm', args, { cwd: REPO_ROOT, env, timeoutMs: 300_000 });
    if (r.code !== 0) {
      throw new Error(
        `release: publishing ${id} failed (npm exit ${r.code}).` +
          (published.length ? ` Already published: ${published.join(', ')}.` : ' Nothing was published.') +
          `\n${r.stderr.trim()}`,
      );
    }
    published.push(id);
    log(`${options.dryRun ? 'would publish' : 'published'} ${id}`);
  };
  try {
    for (const w of packages) {
      const id = `${w.manifest.name}@${w.manifest.version}`;
      const native = nativeConfig(w);
      if (!native) {
        await publish(id, ['--workspace', w.relativeDir]);
        continue;
      }
      for (const suffix of native.platforms) {
        const platformId = `${platformPackageName(w.manifest.name, suffix)}@${w.manifest.version}`;
        if (suffix === host) {
          await publish(platformId, [writePlatformPackage(w, staging, suffix).dir]);
        } else if (!options.dryRun && !(await onRegistry(platformId, env))) {
          throw new Error(
            `release: ${platformId} is not on the registry and cannot be built on ${host}. Publish it first on a ${suffix} machine ` +
              `('npm run build && npm run release -- publish-platform'), or remove '${suffix}' from kdapNative.platforms of ${w.relativeDir}/package.json.` +
              (published.length ? ` Already published: ${published.join(', ')}.` : ' Nothing was published.'),
          );
        }
      }
      await publish(id, [await stageAddonPackage(w, staging)]);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return published;
}

/** Publishes this machine's platform package of every addon published for this platform. */
export async function publishPlatformPackages(options: Omit<PublishOptions, 'packages'> = {}): Promise<string[]> {
  const host = platformPackageSuffix();
  const addons = publishedWorkspaces().filter((w) => nativeConfig(w)?.platforms.includes(host));
  if (addons.length === 0) throw new Error(`release: no addon lists '${host}' in kdapNative.platforms (package.json); add it to publish this platform`);
  const log = options.log ?? ((line: string) => console.log(line));
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-release-'));
  const published: string[] = [];
  try {
    for (const w of addons) {
      const { name, dir } = writePlatformPackage(w, staging, host);
      const args = ['publish', dir, '--tag', options.tag ?? 'latest', '--ignore-scripts', '--no-audit', '--no-fund', ...(options.dryRun ? ['--dry-run'] : [])];
      const r = await runCommand('npm', args, { cwd: REPO_ROOT, env: options.env ?? process.env, timeoutMs: 300_000 });
      const id = `${name}@${w.manifest.version}`;
      if (r.code !== 0) throw new Error(`release: publishing ${id} failed (npm exit ${r.code}). Already published: ${published.join(', ') || 'nothing'}.\n${r.stderr.trim()}`);
      published.push(id);
      log(`${options.dryRun ? 'would publish' : 'published'} ${id}`);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return published;
}

/** Whether `name@version` is on the registry npm maps its scope to. */
async function onRegistry(id: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const r = await runCommand('npm', ['view', id, 'version'], { cwd: REPO_ROOT, env, timeoutMs: 60_000 });
  return r.code === 0 && r.stdout.trim() !== '';
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'version' && rest.length === 1) {
    const version = nextVersion(currentVersion(), rest[0]!);
    const changed = setVersion(version);
    console.log(`version ${version}: ${changed.length} package.json files changed. Now run 'npm install' (lockfile) and commit.`);
    return;
  }
  if (command === 'publish' || command === 'publish-platform') {
    let tag = 'latest';
    let dryRun = false;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '--tag' && rest[i + 1]) tag = rest[++i]!;
      else if (rest[i] === '--dry-run') dryRun = true;
      else throw new Error(`release: unknown option ${rest[i]}`);
    }
    if (command === 'publish') await publishAll({ tag, dryRun });
    else await publishPlatformPackages({ tag, dryRun });
    return;
  }
  if (command === 'platform-packages' && rest.length === 1) {
    const out = path.resolve(rest[0]!);
    for (const w of publishedWorkspaces().filter((p) => nativeConfig(p)?.platforms.includes(platformPackageSuffix()))) {
      console.log(writePlatformPackage(w, out).dir);
    }
    return;
  }
  throw new Error(
    'usage: npm run release -- version <x.y.z|patch|minor|major>\n' +
      '       npm run release -- publish [--tag <dist-tag>] [--dry-run]\n' +
      '       npm run release -- publish-platform [--tag <dist-tag>] [--dry-run]\n' +
      '       npm run release -- platform-packages <dir>',
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
