import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AddonLoadError } from '@kdap/errors';
import {
  type AddonDescription, addonLocations, describeAddon, loadAddon, loadKdapAddon, missingAddonMessage, openMPRuntimeHint, sourceBuildCommand,
  unloadableAddonMessage,
} from './addon-loading';
import { ADDON_ERROR_CLASSES } from './errors';
import { addonPlatform, platformFields, platformPackageName, platformPackageSuffix } from './platform';

const NEEDS = "(needs cmake and a C++17 compiler; Debian/Ubuntu: apt-get install build-essential cmake).";

/**
 * An installed addon as npm lays it out in an application: node_modules/@kdap/test-addon with
 * (optionally) its source build, and (optionally) its platform package next to it.
 */
function installation(options: { sourceBuild: boolean; platformPackage: boolean | 'empty'; platforms?: string[] }): { root: string; addon: AddonDescription; platformFile: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-addon-loading-'));
  const packageDir = path.join(root, 'node_modules', '@kdap', 'test-addon');
  fs.mkdirSync(path.join(packageDir, 'build', 'Release'), { recursive: true });
  fs.writeFileSync(
    path.join(packageDir, 'package.json'),
    JSON.stringify({ name: '@kdap/test-addon', version: '1.0.0', kdapNative: { binaries: ['build/Release/test_addon.node'], platforms: options.platforms ?? [platformPackageSuffix()] } }),
  );
  const file = path.join(packageDir, 'build', 'Release', 'test_addon.node');
  if (options.sourceBuild) fs.writeFileSync(file, 'source build');
  const platformDir = path.join(root, 'node_modules', '@kdap', `test-addon-${platformPackageSuffix()}`);
  const platformFile = path.join(platformDir, 'test_addon.node');
  if (options.platformPackage) {
    fs.mkdirSync(platformDir, { recursive: true });
    fs.writeFileSync(path.join(platformDir, 'package.json'), JSON.stringify({ name: `@kdap/test-addon-${platformPackageSuffix()}`, version: '1.0.0' }));
    if (options.platformPackage === true) fs.writeFileSync(platformFile, 'prebuilt');
  }
  const addon = { what: 'The test addon', packageName: '@kdap/test-addon', packageDir, file, needs: 'cmake and a C++17 compiler', aptPackages: ['build-essential', 'cmake'] };
  return { root, addon, platformFile };
}

/** A loader that "loads" a file by reading it, failing for the files listed. */
const readAddon = (failing: Record<string, string> = {}) => (file: string) => {
  if (failing[file]) throw new Error(failing[file]);
  return fs.readFileSync(file, 'utf8');
};

const roots: string[] = [];
function setUp(options: Parameters<typeof installation>[0]): ReturnType<typeof installation> {
  const made = installation(options);
  roots.push(made.root);
  return made;
}
afterAll(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

describe('platform names', () => {
  it('names this platform as the prebuilt packages do', () => {
    // This machine (and CI) is the one supported platform: Linux x64 with glibc.
    expect(addonPlatform()).toBe(`${process.platform}-${process.arch}-glibc`);
    expect(platformPackageSuffix()).toBe(`${process.platform}-${process.arch}-gnu`);
    expect(platformPackageName('@kdap/lightgbm-node')).toBe('@kdap/lightgbm-node-linux-x64-gnu');
  });

  it("names other platforms' packages as napi-rs does, and maps them back to npm's os/cpu/libc", () => {
    expect(platformPackageSuffix('linux', 'arm64', 'musl')).toBe('linux-arm64-musl');
    expect(platformPackageSuffix('darwin', 'arm64')).toBe('darwin-arm64');
    expect(platformPackageSuffix('win32', 'x64')).toBe('win32-x64-msvc');
    expect(platformFields('linux-x64-gnu')).toEqual({ os: ['linux'], cpu: ['x64'], libc: ['glibc'] });
    expect(platformFields('linux-arm64-musl')).toEqual({ os: ['linux'], cpu: ['arm64'], libc: ['musl'] });
    expect(platformFields('darwin-arm64')).toEqual({ os: ['darwin'], cpu: ['arm64'] });
    expect(platformFields('win32-x64-msvc')).toEqual({ os: ['win32'], cpu: ['x64'] });
    for (const bad of ['linux-x64', 'darwin-arm64-gnu', 'win32-x64', 'x64-linux-gnu']) expect({ [bad]: platformFields(bad) }).toEqual({ [bad]: undefined });
  });
});

describe('loading an addon', () => {
  it('takes a source build first (someone built it on purpose), then the platform package', () => {
    const both = setUp({ sourceBuild: true, platformPackage: true });
    expect(addonLocations(both.addon).map((l) => [l.kind, l.file, l.exists])).toEqual([
      ['source build', both.addon.file, true],
      ['platform package', both.platformFile, true],
    ]);
    expect(loadAddon(both.addon, readAddon())).toEqual({ binding: 'source build', file: both.addon.file });

    const prebuiltOnly = setUp({ sourceBuild: false, platformPackage: true });
    expect(loadAddon(prebuiltOnly.addon, readAddon())).toEqual({ binding: 'prebuilt', file: prebuiltOnly.platformFile });
  });

  it('falls through to the platform package when the source build does not load', () => {
    const both = setUp({ sourceBuild: true, platformPackage: true });
    expect(loadAddon(both.addon, readAddon({ [both.addon.file]: 'invalid ELF header' }))).toEqual({ binding: 'prebuilt', file: both.platformFile });
  });

  it('names both places, why the platform package is absent, and the source build when neither is there', () => {
    const none = setUp({ sourceBuild: false, platformPackage: false });
    const platform = `@kdap/test-addon-${platformPackageSuffix()}`;
    const expected =
      `The test addon is not available on linux-x64-glibc. Looked for the platform package ${platform} (not installed: it is an optional ` +
      'dependency of @kdap/test-addon that npm installs on linux-x64-glibc, and this installation skipped it ' +
      "(e.g. 'npm install --omit=optional', or a lockfile written without it); install again without that) " +
      `and for a source build at ${none.addon.file} (not built). Build it from source with '${sourceBuildCommand(none.addon)}' ${NEEDS}`;
    expect(missingAddonMessage(none.addon)).toBe(expected);
    const error = (() => {
      try {
        loadAddon(none.addon, readAddon());
      } catch (e) {
        return e;
      }
      throw new Error('loadAddon did not throw');
    })();
    expect(error).toBeInstanceOf(AddonLoadError);
    expect(error).toMatchObject({ code: 'ERR_KDAP_ADDON_LOAD', message: expected });
  });

  it('says when the addon is not prebuilt for this platform at all', () => {
    const elsewhere = setUp({ sourceBuild: false, platformPackage: false, platforms: ['linux-arm64-gnu', 'darwin-arm64'] });
    expect(missingAddonMessage(elsewhere.addon)).toContain(
      `the platform package @kdap/test-addon-${platformPackageSuffix()} (not published: @kdap/test-addon is prebuilt only for linux-arm64-gnu, darwin-arm64)`,
    );
  });

  it('says when the platform package is installed without its binary', () => {
    const empty = setUp({ sourceBuild: false, platformPackage: 'empty' });
    expect(missingAddonMessage(empty.addon)).toContain(`(installed, but ${empty.platformFile} is missing: reinstall it)`);
  });

  it('keeps every loader error and adds the platform, the hint and the rebuild command', () => {
    const both = setUp({ sourceBuild: true, platformPackage: true });
    const failing = readAddon({ [both.addon.file]: 'invalid ELF header', [both.platformFile]: 'libgomp.so.1: cannot open shared object file' });
    const hint = (e: unknown) => (/libgomp/.test((e as Error).message) ? 'Install libgomp1.' : undefined);
    expect(() => loadAddon(both.addon, failing, hint)).toThrow(
      `Could not load ${both.addon.file} on linux-x64-glibc: invalid ELF header. ` +
        `Could not load ${both.platformFile} (from the platform package @kdap/test-addon-${platformPackageSuffix()}) on linux-x64-glibc: libgomp.so.1: cannot open shared object file. ` +
        `Install libgomp1. If the file was built for another platform, rebuild it from source with '${sourceBuildCommand(both.addon)}' ${NEEDS}`,
    );
    expect(unloadableAddonMessage(both.addon, [{ location: addonLocations(both.addon)[0]!, error: new Error('x') }])).toBe(
      `Could not load ${both.addon.file} on linux-x64-glibc: x. If the file was built for another platform, rebuild it from source with '${sourceBuildCommand(both.addon)}' ${NEEDS}`,
    );
  });

  it("describes an addon from its package.json: the package name and the .node file of kdapNative.binaries", () => {
    const { addon } = setUp({ sourceBuild: false, platformPackage: false });
    const needs = { what: addon.what, needs: addon.needs, aptPackages: addon.aptPackages };
    expect(describeAddon(addon.packageDir, needs)).toEqual(addon);
    expect(describeAddon(addon.packageDir, { what: addon.what })).toEqual(addon); // the plain addon build's needs
    fs.writeFileSync(path.join(addon.packageDir, 'package.json'), JSON.stringify({ name: '@kdap/test-addon', kdapNative: { binaries: ['lib/x.so'], platforms: [] } }));
    expect(() => describeAddon(addon.packageDir, needs)).toThrow(
      new AddonLoadError(`${path.join(addon.packageDir, 'package.json')} names no .node file in kdapNative.binaries; reinstall @kdap/test-addon.`),
    );
  });

  it('loads a KDAP addon and hands it the @kdap/errors classes, with OpenMP spin settings when asked', () => {
    const { addon } = setUp({ sourceBuild: false, platformPackage: false });
    // A JavaScript stand-in for the .node file: require() loads both; it records what init() got.
    const file = path.join(addon.packageDir, 'build', 'Release', 'test_addon.js');
    fs.writeFileSync(file, 'module.exports = { waitPolicy: process.env.OMP_WAIT_POLICY, init(classes) { this.classes = classes; } };');
    const standIn = { ...addon, file };
    const saved = process.env.OMP_WAIT_POLICY;
    delete process.env.OMP_WAIT_POLICY;
    try {
      const loaded = loadKdapAddon<{ classes?: unknown; waitPolicy?: string; init(): void }>(standIn, { openMP: true });
      expect(loaded.classes).toBe(ADDON_ERROR_CLASSES);
      expect(loaded.waitPolicy).toBe('active');
      expect(process.env.OMP_WAIT_POLICY).toBeUndefined();
    } finally {
      if (saved !== undefined) process.env.OMP_WAIT_POLICY = saved;
    }

    fs.writeFileSync(file.replace('.js', '_broken.js'), "throw new Error('libgomp.so.1: cannot open shared object file');");
    expect(() => loadKdapAddon({ ...addon, file: file.replace('.js', '_broken.js') }, { hint: openMPRuntimeHint })).toThrow(
      'The OpenMP runtime is missing: install it (Debian/Ubuntu: apt-get install libgomp1).',
    );
    expect(openMPRuntimeHint(new Error('invalid ELF header'))).toBeUndefined();
  });

  it('quotes directories the shell would split', () => {
    expect(sourceBuildCommand({ packageDir: "/home/o'brien/my app/node_modules/@kdap/x" })).toBe("cd '/home/o'\\''brien/my app/node_modules/@kdap/x' && npm run build");
  });
});
