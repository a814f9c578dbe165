/** The release script's version step: all packages move together, layouts kept. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { currentVersion, nextVersion, setVersion, stageAddonPackage, writePlatformPackage } from '../release';
import { workspaces } from './workspaces';

function fakeMonorepo(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-release-'));
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  write('package.json', JSON.stringify({ name: 'root', private: true, workspaces: ['native/*', 'packages/*'] }));
  write('native/addon/package.json', '{\n  "name": "@kdap/addon",\n  "version": "0.1.0",\n  "files": ["dist"],\n  "dependencies": { "@kdap/errors": "0.1.0" }\n}\n');
  write('packages/errors/package.json', '{\n  "name": "@kdap/errors",\n  "version": "0.1.0"\n}\n');
  write(
    'packages/model/package.json',
    '{\n  "name": "@kdap/model",\n  "version": "0.1.0",\n  "dependencies": {\n    "@kdap/addon": "0.1.0",\n    "zod": "0.1.0"\n  },\n  "devDependencies": { "@kdap/test-support": "0.1.0" }\n}\n',
  );
  write('packages/test-support/package.json', '{ "name": "@kdap/test-support", "version": "0.1.0", "private": true }\n');
  return root;
}

describe('release', () => {
  it('computes the next version', () => {
    expect(nextVersion('0.1.0', 'patch')).toBe('0.1.1');
    expect(nextVersion('0.1.0', 'minor')).toBe('0.2.0');
    expect(nextVersion('0.1.3', 'major')).toBe('1.0.0');
    expect(nextVersion('1.0.0-rc.1', 'patch')).toBe('1.0.0');
    expect(nextVersion('0.1.0', '2.0.0-beta.1')).toBe('2.0.0-beta.1');
    expect(() => nextVersion('0.1.0', 'huge')).toThrow(/neither patch, minor, major/);
  });

  it('sets one version on every package and on the @kdap dependencies between them only', () => {
    const root = fakeMonorepo();
    try {
      const changed = setVersion('0.2.0', root);
      expect(changed.sort()).toEqual(['native/addon/package.json', 'packages/errors/package.json', 'packages/model/package.json', 'packages/test-support/package.json']);
      const all = workspaces(root);
      expect(currentVersion(all)).toBe('0.2.0');
      const model = all.find((w) => w.manifest.name === '@kdap/model')!.manifest;
      expect(model.dependencies).toEqual({ '@kdap/addon': '0.2.0', zod: '0.1.0' });
      expect(model.devDependencies).toEqual({ '@kdap/test-support': '0.2.0' });
      // Dependencies first: errors before addon before model.
      expect(all.map((w) => w.manifest.name).filter((n) => n !== '@kdap/test-support')).toEqual(['@kdap/errors', '@kdap/addon', '@kdap/model']);
      // The file's own layout survives (one-line arrays stay on one line).
      expect(fs.readFileSync(path.join(root, 'native/addon/package.json'), 'utf8')).toContain('"files": ["dist"],');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses packages out of step', () => {
    const root = fakeMonorepo();
    try {
      fs.writeFileSync(path.join(root, 'packages/errors/package.json'), '{ "name": "@kdap/errors", "version": "0.1.1" }');
      expect(() => currentVersion(workspaces(root))).toThrow(/not in step: .*@kdap\/errors@0\.1\.1/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  describe('platform packages', () => {
    // A real addon of this repository (the smallest), as built by 'npm run build'.
    const neighbors = workspaces().find((w) => w.manifest.name === '@kdap/neighbors-node')!;
    const xgboost = workspaces().find((w) => w.manifest.name === '@kdap/xgboost-node')!;
    let out: string;
    beforeEach(() => (out = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-platform-'))));
    afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

    it("writes this platform's package: the binaries, flat, with npm's os/cpu/libc and the addon's version", () => {
      const { name, dir } = writePlatformPackage(neighbors, out);
      expect(name).toBe('@kdap/neighbors-node-linux-x64-gnu');
      expect(fs.readdirSync(dir).sort()).toEqual(['README.md', 'neighbors_node.node', 'package.json']);
      expect(fs.readFileSync(path.join(dir, 'neighbors_node.node'))).toEqual(fs.readFileSync(path.join(neighbors.dir, 'build', 'Release', 'neighbors_node.node')));
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      expect(manifest).toMatchObject({
        name,
        version: neighbors.manifest.version,
        os: ['linux'],
        cpu: ['x64'],
        libc: ['glibc'],
        files: ['neighbors_node.node'],
        engines: neighbors.manifest.engines,
        publishConfig: { access: 'restricted' },
        repository: neighbors.manifest.repository,
      });
      // Nothing runs at install: no scripts, no JavaScript, no dependencies.
      expect(Object.keys(manifest).filter((k) => ['scripts', 'dependencies', 'main', 'bin'].includes(k))).toEqual([]);
    });

    it('keeps libxgboost.so next to the XGBoost addon, which finds it through its $ORIGIN rpath', () => {
      const { dir } = writePlatformPackage(xgboost, out);
      expect(fs.readdirSync(dir).sort()).toEqual(['README.md', 'libxgboost.so', 'package.json', 'xgboost_node.node']);
      const addon = fs.readFileSync(path.join(dir, 'xgboost_node.node'));
      expect(addon.includes(Buffer.from('$ORIGIN\0'))).toBe(true);
    });

    it('refuses a platform this machine cannot build, and a malformed platform', () => {
      expect(() => writePlatformPackage(neighbors, out, 'linux-x64')).toThrow("release: 'linux-x64' is not a platform package suffix: use <os>-<cpu>-gnu|musl on Linux");
      expect(() => writePlatformPackage(neighbors, out, 'darwin-arm64')).toThrow(
        'release: @kdap/neighbors-node-darwin-arm64 must be built on darwin-arm64; this machine is linux-x64-gnu',
      );
    });

    it("stages the addon as npm packs it, its platform packages added to the published manifest's optionalDependencies", async () => {
      const dir = await stageAddonPackage(neighbors, out);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      expect(manifest.optionalDependencies).toEqual({ '@kdap/neighbors-node-linux-x64-gnu': neighbors.manifest.version });
      expect(manifest.dependencies).toEqual(neighbors.manifest.dependencies);
      expect(fs.existsSync(path.join(dir, 'build'))).toBe(false);
      expect(fs.existsSync(path.join(dir, 'dist', 'index.js'))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'CMakeLists.txt'))).toBe(true);
      // The repository's own package.json is untouched.
      expect(JSON.parse(fs.readFileSync(path.join(neighbors.dir, 'package.json'), 'utf8')).optionalDependencies).toBeUndefined();
    }, 60_000);
  });
});
