/**
 * Every C signature quoted in binding.ts must match the c_api.h the addon was built against, and
 * every C function the addon calls must be quoted there: a new LightGBM release that changes a
 * signature fails here, not in a crash.
 */
import fs from 'node:fs';
import path from 'node:path';

const pkg = path.resolve(__dirname, '..');
const normalize = (s: string) => s.replace(/\s+/g, ' ').replace(/\s*([(),*])\s*/g, '$1').trim();

function header(): string {
  const prefix = fs.readFileSync(path.join(pkg, 'build', 'Release', 'lightgbm-prefix.txt'), 'utf8').trim();
  return fs.readFileSync(path.join(prefix, 'include', 'LightGBM', 'c_api.h'), 'utf8');
}

function quotedSignatures(): Map<string, string> {
  const src = fs.readFileSync(path.join(__dirname, 'binding.ts'), 'utf8');
  const out = new Map<string, string>();
  // `int LGBM_Foo(...);` possibly spanning comment lines.
  for (const m of src.matchAll(/`((?:const char\*|int) (LGBM_\w+)\([^`]*\);)`/g)) {
    out.set(m[2]!, normalize(m[1]!.replace(/\n\s*\*\s*/g, ' ')));
  }
  return out;
}

test('quoted C signatures match the c_api.h of the build', () => {
  const h = header();
  const declared = new Map<string, string>();
  for (const m of h.matchAll(/LIGHTGBM_C_EXPORT ((?:const char\*|int) (LGBM_\w+)\([^;]*\);)/g)) {
    declared.set(m[2]!, normalize(m[1]!));
  }
  const quoted = quotedSignatures();
  expect(quoted.size).toBeGreaterThan(30);
  for (const [name, sig] of quoted) {
    expect({ name, sig: declared.get(name) }).toEqual({ name, sig });
  }
});

test('every LGBM_ function the addon calls is quoted in binding.ts', () => {
  const addon = fs.readFileSync(path.join(__dirname, 'addon.cc'), 'utf8');
  const called = new Set([...addon.matchAll(/\b(LGBM_\w+)\(/g)].map((m) => m[1]!));
  const quoted = quotedSignatures();
  // Called internally only: error text, log registration, output sizing.
  const internal = new Set(['LGBM_GetLastError', 'LGBM_RegisterLogCallback', 'LGBM_BoosterCalcNumPredict']);
  const missing = [...called].filter((f) => !quoted.has(f) && !internal.has(f));
  expect(missing).toEqual([]);
});
