/** The release script's version step: all packages move together, layouts kept. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { currentVersion, nextVersion, setVersion } from '../release';
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
});
