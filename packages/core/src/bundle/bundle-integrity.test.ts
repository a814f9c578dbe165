import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectKdapError } from '@kdap/test-support';
import { fittedLinearBudget, loadLinearModel } from '../testing/linear-trainer';
import { resealManifest, sampleBundle } from '../testing/sample-bundle';
import { loadBundle } from './load-bundle';
import { BUNDLE_KEY_ENV, canonicalJson, canonicalManifest, manifestSha256 } from './manifest-integrity';
import { saveBundle } from './save-bundle';

const KEY = 'a3f1c9e07b2d4e58a6c1f0b9d7e2c4a1';
const OTHER_KEY = '0f9e8d7c6b5a49382716059483726150';

let root: string;
let dir: string;
let savedEnv: string | undefined;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kdap-bundle-integrity-'));
  dir = join(root, 'model');
  savedEnv = process.env[BUNDLE_KEY_ENV];
  delete process.env[BUNDLE_KEY_ENV];
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env[BUNDLE_KEY_ENV];
  else process.env[BUNDLE_KEY_ENV] = savedEnv;
  rmSync(root, { recursive: true, force: true });
});

const manifestPath = () => join(dir, 'manifest.json');
const readManifest = () => JSON.parse(readFileSync(manifestPath(), 'utf8')) as Record<string, any>;
/** A hand edit: valid JSON, checksum left as it was. */
function editManifest(edit: (manifest: Record<string, any>) => void): void {
  const manifest = readManifest();
  edit(manifest);
  writeFileSync(manifestPath(), `${JSON.stringify(manifest, null, 2)}\n`);
}

describe('canonical form', () => {
  it('sorts keys at every depth, keeps array order, drops undefined like JSON', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: 'é' }, u: undefined })).toBe('{"a":{"c":"é","d":[3,{"x":2,"y":1}]},"b":1}');
    expect(canonicalJson([undefined, null, 1.5e-7])).toBe('[null,null,1.5e-7]');
  });

  it('covers everything but the integrity member', () => {
    const base = { format: 'f', files: { 'model.txt': { sha256: 'aa' } } };
    expect(canonicalManifest({ ...base, integrity: { sha256: 'x' } })).toBe(canonicalManifest(base));
    expect(canonicalManifest({ ...base, files: {} })).not.toBe(canonicalManifest(base));
  });
});

describe('the manifest checksum (no key)', () => {
  beforeEach(async () => {
    await saveBundle(dir, sampleBundle('a', 1));
  });

  it('is recorded and an untouched bundle loads as unsigned', async () => {
    const manifest = readManifest();
    expect(manifest.format_version).toBe(2);
    expect(manifest.integrity).toEqual({ canonical: 'json-sorted-keys', sha256: manifestSha256(canonicalManifest(manifest)), hmac_sha256: null });
    expect((await loadBundle(dir, { kind: 'budget' })).signature).toBe('unsigned');
  });

  it('lists every file of the bundle, model files included', async () => {
    const files = readManifest().files as Record<string, { role: string }>;
    expect(Object.keys(files).sort()).toEqual(['MLmodel', 'model.txt', 'state/calibration.json']);
    expect(files['model.txt']!.role).toBe('model');
  });

  it('refuses a reordered category list (the channel order gives the model its meaning)', async () => {
    editManifest((m) => {
      m.feature_schema.features[1].categories.reverse();
    });
    const e = await expectKdapError(() => loadBundle(dir, { kind: 'budget' }), 'ERR_KDAP_BUNDLE', `Model bundle '${dir}': manifest.json has been changed since it was saved`);
    expect(e).toMatchObject({ file: 'manifest.json' });
    expect(e.message).toMatch(/Restore the original manifest\.json or train and save the model again\./);
    expect(e.message).toMatch(/This checksum catches accidental edits; only a signed bundle, see KDAP_BUNDLE_KEY/);
  });

  it('refuses a renamed feature, a changed metric and an edited checksum', async () => {
    const original = readFileSync(manifestPath(), 'utf8');
    for (const edit of [
      (m: Record<string, any>) => (m.feature_schema.features[0].name = 'spend'),
      (m: Record<string, any>) => (m.metrics.rmse = 0.5),
      (m: Record<string, any>) => (m.files['model.txt'].sha256 = 'f'.repeat(64)),
      (m: Record<string, any>) => (m.integrity.sha256 = 'e'.repeat(64)),
    ]) {
      writeFileSync(manifestPath(), original);
      editManifest(edit);
      await expectKdapError(() => loadBundle(dir, { kind: 'budget' }), 'ERR_KDAP_BUNDLE', 'manifest.json has been changed since it was saved');
    }
  });

  it('accepts the same manifest re-indented with its keys in another order', async () => {
    const manifest = readManifest();
    const reversed = Object.fromEntries(Object.entries(manifest).reverse());
    writeFileSync(manifestPath(), JSON.stringify(reversed));
    expect((await loadBundle(dir, { kind: 'budget' })).manifest.kind).toBe('budget');
  });

  it('cannot stop a deliberate edit that recomputes it (that is what signing is for)', async () => {
    resealManifest(dir, (m) => m.feature_schema.features[1].categories.reverse());
    const bundle = await loadBundle(dir, { kind: 'budget' });
    expect(bundle.featureSchema.features[1]!.categories).toEqual(['social', 'search']);
    expect(bundle.signature).toBe('unsigned');
  });
});

describe('signed bundles', () => {
  it('a bundle saved without a key is refused when loading with one', async () => {
    await saveBundle(dir, sampleBundle('a', 1));
    await expectKdapError(
      () => loadBundle(dir, { kind: 'budget', signingKey: KEY }),
      'ERR_KDAP_BUNDLE',
      `Model bundle '${dir}': manifest.json is not signed, and a bundle key is set (KDAP_BUNDLE_KEY or the signingKey option), so the bundle is refused`,
    );
  });

  it('a bundle signed with another key, or re-signed with another key after an edit, is refused', async () => {
    await saveBundle(dir, sampleBundle('a', 1), { signingKey: OTHER_KEY });
    const refusal = 'manifest.json has a signature that does not match the bundle key (KDAP_BUNDLE_KEY or the signingKey option): it was signed with another key or altered after signing';
    await expectKdapError(() => loadBundle(dir, { kind: 'budget', signingKey: KEY }), 'ERR_KDAP_BUNDLE', refusal);

    await saveBundle(dir, sampleBundle('a', 1), { signingKey: KEY });
    resealManifest(dir, (m) => m.feature_schema.features[1].categories.reverse(), OTHER_KEY);
    await expectKdapError(() => loadBundle(dir, { kind: 'budget', signingKey: KEY }), 'ERR_KDAP_BUNDLE', refusal);
  });

  it('an edit with the checksum recomputed but the old signature kept is refused', async () => {
    await saveBundle(dir, sampleBundle('a', 1), { signingKey: KEY });
    const { hmac_sha256: signature } = readManifest().integrity;
    resealManifest(dir, (m) => (m.metrics.rmse = 0.01));
    editManifest((m) => (m.integrity.hmac_sha256 = signature));
    await expectKdapError(() => loadBundle(dir, { kind: 'budget', signingKey: KEY }), 'ERR_KDAP_BUNDLE', 'has a signature that does not match the bundle key');
  });

  it('a correctly signed bundle loads, verified, and predicts the same', async () => {
    const { trainer, table } = await fittedLinearBudget(11, 80, 20);
    const manifest = await trainer.save(dir, { signingKey: KEY });
    expect(manifest.integrity.hmac_sha256).toMatch(/^[0-9a-f]{64}$/);

    const bundle = await loadBundle(dir, { kind: 'budget', signingKey: Buffer.from(KEY, 'utf8') });
    expect(bundle.signature).toBe('verified');
    const loaded = await loadLinearModel(dir, 'budget', { signingKey: KEY });
    expect(loaded.predict(table)).toEqual(trainer.predict(table));
  });

  it('a signed bundle loaded without a key is checksummed and reported unverified', async () => {
    await saveBundle(dir, sampleBundle('a', 1), { signingKey: KEY });
    expect((await loadBundle(dir, { kind: 'budget' })).signature).toBe('unverified');
    editManifest((m) => (m.metrics.rmse = 0.01));
    await expectKdapError(() => loadBundle(dir, { kind: 'budget' }), 'ERR_KDAP_BUNDLE', 'has been changed since it was saved');
  });

  it('KDAP_BUNDLE_KEY signs on save and is required on load', async () => {
    process.env[BUNDLE_KEY_ENV] = KEY;
    await saveBundle(dir, sampleBundle('a', 1));
    expect(readManifest().integrity.hmac_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await loadBundle(dir, { kind: 'budget' })).signature).toBe('verified');
    await expectKdapError(() => loadBundle(dir, { kind: 'budget', signingKey: OTHER_KEY }), 'ERR_KDAP_BUNDLE', 'does not match the bundle key');

    delete process.env[BUNDLE_KEY_ENV];
    await saveBundle(dir, sampleBundle('b', 2));
    process.env[BUNDLE_KEY_ENV] = KEY;
    await expectKdapError(() => loadBundle(dir, { kind: 'budget' }), 'ERR_KDAP_BUNDLE', 'is not signed');
  });

  it('refuses an empty or short key with a typed error instead of saving unsigned', async () => {
    process.env[BUNDLE_KEY_ENV] = '';
    await expectKdapError(
      () => saveBundle(dir, sampleBundle('a', 1)),
      'ERR_KDAP_CONFIG',
      "environment variable KDAP_BUNDLE_KEY must be at least 16 bytes long. Got an empty value. Set it to the bundle key (e.g. 'openssl rand -hex 32') or unset it.",
    );
    delete process.env[BUNDLE_KEY_ENV];
    await expectKdapError(
      () => saveBundle(dir, sampleBundle('a', 1), { signingKey: 'secret' }),
      'ERR_KDAP_PARAMETER',
      "The 'signingKey' option of saveBundle must be at least 16 bytes long. Got 6.",
    );
    await saveBundle(dir, sampleBundle('a', 1));
    await expectKdapError(() => loadBundle(dir, { kind: 'budget', signingKey: 42 as unknown as string }), 'ERR_KDAP_PARAMETER', "The 'signingKey' option of loadBundle must be a string or a Uint8Array. Got 42.");
  });
});
