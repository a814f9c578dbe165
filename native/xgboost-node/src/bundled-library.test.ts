/**
 * The addon runs the XGBoost it was built with: the pinned release (xgboost.json), copied next to
 * the .node file and found through its $ORIGIN rpath, whatever else the machine has installed
 * (this machine also has Debian's libxgboost-dev 1.7 in /usr/lib, which must not be picked up).
 */
import fs from 'node:fs';
import path from 'node:path';
import { binding } from './binding';
import { xgboostVersion } from './library';

const pkg = path.resolve(__dirname, '..');
const pin = JSON.parse(fs.readFileSync(path.join(pkg, 'xgboost.json'), 'utf8')) as { version: string };

/** The files of the shared XGBoost libraries mapped into this process. */
function mappedXGBoost(): string[] {
  const lines = fs.readFileSync('/proc/self/maps', 'utf8').split('\n');
  const files = lines.map((l) => l.split(/\s+/).slice(5).join(' ')).filter((f) => /\/libxgboost[^/]*\.so/.test(f));
  return [...new Set(files)];
}

describe('the bundled XGBoost library', () => {
  it('is the one next to the addon, at the pinned version', () => {
    binding();
    const expected = fs.realpathSync(path.join(pkg, 'build', 'Release', 'libxgboost.so'));
    expect(mappedXGBoost()).toEqual([expected]);
    expect(xgboostVersion()).toBe(pin.version);
    expect(pin.version).toBe('3.2.0');
  });

  it('is not a link to a system copy', () => {
    const file = path.join(pkg, 'build', 'Release', 'libxgboost.so');
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(false);
    expect(fs.realpathSync(file).startsWith('/usr/')).toBe(false);
  });
});
