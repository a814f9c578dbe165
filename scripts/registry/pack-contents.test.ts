/**
 * What consumers would download: `npm pack --dry-run` of every workspace package (enumerated from
 * the root package.json, so a new package is checked too). Tarballs hold the built code, the
 * sources its maps point at, the addon and what a source build needs; never tests, test helpers,
 * fixtures or the Python reference scripts. The publishing fields are checked alongside.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PLATFORM_SUFFIX_FORM, platformFields } from '../../native/napi-common/src/platform';
import { REPO_ROOT, type Workspace, publishedWorkspaces, runtimeDependencies, workspaces } from './workspaces';

/** Workspace packages that stay private (never installed by consumers). */
const PRIVATE_PACKAGES = ['@kdap/test-support'];

interface PackedFile {
  path: string;
  size: number;
}

/** Why `file` does not belong in the tarball of `w`, or null when it does. */
function forbiddenReason(w: Workspace, file: string): string | null {
  const segments = file.split('/');
  const base = segments[segments.length - 1] ?? file;
  if (/\.test\.[cm]?[jt]sx?$/.test(base) || /\.test\.d\.[cm]?ts$/.test(base)) return 'a test';
  if (/\.(child|typecheck)\.[cm]?[jt]s$/.test(base)) return 'a test helper';
  if (base.endsWith('.py')) return 'a Python (reference) script';
  if (segments.some((s) => s === 'test' || s === 'tests' || s === '__tests__')) return 'under a test directory';
  if (segments.some((s) => /fixture/i.test(s))) return 'a fixture';
  if (segments.some((s) => s === 'bench' || s === 'benchmarks')) return 'a benchmark';
  // A testing/ folder ships only as the source of an exported './testing' entry point.
  if (segments.slice(0, -1).includes('testing') && !(w.manifest.exports && './testing' in w.manifest.exports)) {
    return 'a test helper (testing/ is not an exported entry point)';
  }
  return null;
}

function packDryRun(all: Workspace[]): Map<string, PackedFile[]> {
  const args = ['pack', '--dry-run', '--json', '--ignore-scripts', ...all.flatMap((w) => ['--workspace', w.relativeDir])];
  const out = execFileSync('npm', args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  const packed = JSON.parse(out) as { name: string; files: PackedFile[] }[];
  return new Map(packed.map((p) => [p.name, p.files]));
}

const all = workspaces();
const published = publishedWorkspaces();

describe('workspace packages as published', () => {
  let packed: Map<string, PackedFile[]>;

  beforeAll(() => {
    const unbuilt = published.filter((w) => w.manifest.scripts?.['build:pkgs'] && !fs.existsSync(path.join(w.dir, 'dist')));
    if (unbuilt.length > 0) {
      throw new Error(
        `${unbuilt.map((w) => w.relativeDir).join(', ')} ha${unbuilt.length === 1 ? 's' : 've'} no dist/: ` +
          "run 'npm run build' (or 'bash scripts/setup.sh') first; the tarballs are checked as they would be published.",
      );
    }
    packed = packDryRun(published);
  }, 120_000);

  it('enumerates the workspaces from the root package.json', () => {
    expect(all.map((w) => w.manifest.name)).toEqual(expect.arrayContaining(['@kdap/budget', '@kdap/core', '@kdap/lightgbm-node', '@kdap/test-support']));
    // Dependencies come before dependents (the publishing order).
    const position = new Map(all.map((w, i) => [w.manifest.name, i]));
    for (const w of all) {
      for (const dep of runtimeDependencies(w.manifest)) {
        if (position.has(dep)) expect({ [w.manifest.name]: position.get(dep)! < position.get(w.manifest.name)! }).toEqual({ [w.manifest.name]: true });
      }
    }
  });

  it('publishes every product package and keeps only the test support private', () => {
    expect(all.filter((w) => w.manifest.private === true).map((w) => w.manifest.name)).toEqual(PRIVATE_PACKAGES);
    expect(published.length).toBe(all.length - PRIVATE_PACKAGES.length);
  });

  it('declares the publishing fields on every published package', () => {
    const urls = new Set(published.map((w) => w.manifest.repository?.url));
    expect(urls.size).toBe(1);
    const version = published[0]!.manifest.version;
    const problems: string[] = [];
    for (const { manifest: m, relativeDir } of published) {
      if (m.publishConfig?.access !== 'restricted') problems.push(`${m.name}: publishConfig.access must be 'restricted'`);
      if (!m.license) problems.push(`${m.name}: no license`);
      if (m.repository?.type !== 'git' || m.repository.directory !== relativeDir) problems.push(`${m.name}: repository.directory must be '${relativeDir}'`);
      if (!m.engines?.node) problems.push(`${m.name}: no engines.node`);
      if (m.engines?.node !== published[0]!.manifest.engines?.node) problems.push(`${m.name}: engines.node differs from ${published[0]!.manifest.name}`);
      if (!m.files?.length) problems.push(`${m.name}: no files list`);
      // Versions move in step, and workspace dependencies name exactly that version.
      if (m.version !== version) problems.push(`${m.name}: version ${m.version}, others ${version}`);
      for (const [dep, range] of Object.entries({ ...m.dependencies, ...m.optionalDependencies, ...m.peerDependencies })) {
        if (dep.startsWith('@kdap/') && range !== version) problems.push(`${m.name}: depends on ${dep}@${range}, not ${version}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('ships no tests, test helpers, fixtures or Python scripts, and a README and the entry points', () => {
    const problems: string[] = [];
    for (const w of published) {
      const files = packed.get(w.manifest.name);
      if (!files) {
        problems.push(`${w.manifest.name}: npm pack did not report it`);
        continue;
      }
      const names = new Set(files.map((f) => f.path));
      for (const file of names) {
        const reason = forbiddenReason(w, file);
        if (reason) problems.push(`${w.manifest.name}: ${file} is ${reason}`);
      }
      if (!names.has('README.md')) problems.push(`${w.manifest.name}: no README.md`);
      if (w.manifest.main && !names.has(w.manifest.main.replace(/^\.\//, ''))) problems.push(`${w.manifest.name}: main ${w.manifest.main} is not packed`);
      if (w.manifest.types && !names.has(w.manifest.types.replace(/^\.\//, ''))) problems.push(`${w.manifest.name}: types ${w.manifest.types} is not packed`);
    }
    expect(problems).toEqual([]);
  });

  it('ships what a source build needs with each native addon, and its binaries only in its platform packages', () => {
    const native = published.filter((p) => p.manifest.scripts?.['build'] !== undefined);
    expect(native.map((w) => w.manifest.name).sort()).toEqual(['@kdap/duckdb-vectors', '@kdap/lightgbm-node', '@kdap/neighbors-node', '@kdap/xgboost-node']);
    const problems: string[] = [];
    for (const w of native) {
      const m = w.manifest as typeof w.manifest & { kdapNative?: { binaries: string[]; platforms: string[] } };
      const names = (packed.get(m.name) ?? []).map((f) => f.path);
      if (!names.includes('CMakeLists.txt') || !names.includes('scripts/build-addon.mjs')) problems.push(`${m.name}: CMakeLists.txt or scripts/build-addon.mjs not packed (the source build needs them)`);
      const binaries = names.filter((n) => /\.(node|so|dylib|dll)$/.test(n));
      if (binaries.length) problems.push(`${m.name}: ships ${binaries.join(', ')}; binaries belong in the platform packages`);
      // Installable anywhere: where no platform package matches, the load error gives the source build.
      if (m.os || m.cpu || m.libc) problems.push(`${m.name}: os/cpu/libc belong on the platform packages, not the addon`);
      if (!m.kdapNative?.platforms.includes('linux-x64-gnu')) problems.push(`${m.name}: kdapNative.platforms must list linux-x64-gnu, the platform built and tested here`);
      for (const suffix of m.kdapNative?.platforms ?? []) if (!platformFields(suffix)) problems.push(`${m.name}: kdapNative.platforms entry '${suffix}' is not ${PLATFORM_SUFFIX_FORM}`);
      if (!m.kdapNative?.binaries.length || !m.kdapNative.binaries.every((b) => b.startsWith('build/Release/'))) problems.push(`${m.name}: kdapNative.binaries must list the build/Release files`);
      // Added to the published manifest only (scripts/release.ts, stageAddonPackage): listed here,
      // npm would look for them in this workspace's registry, where the @kdap scope is not ours.
      if (m.optionalDependencies) problems.push(`${m.name}: optionalDependencies in the repository's package.json`);
    }
    expect(problems).toEqual([]);
  });
});
