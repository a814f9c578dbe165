import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BundleError, ParameterError } from '@kdap/errors';
import { parse } from 'yaml';
import { budgetOptimizerDefaults } from '../config/defaults';
import { applyOverrides } from '../config/load-config';
import { tableOf } from '../testing/in-memory-table';
import { fittedLinearBudget, LinearBudgetTrainer, loadLinearModel } from '../testing/linear-trainer';
import { resealManifest, sampleBundle } from '../testing/sample-bundle';
import { CORE_VERSION } from '../version';
import { loadBundle } from './load-bundle';
import { BUNDLE_FORMAT_VERSION } from './manifest';
import { saveBundle } from './save-bundle';

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kdap-bundle-'));
  dir = join(root, 'model');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function expectRefusal(file: string, message: string): Promise<void> {
  const load = loadBundle(dir, { kind: 'budget' });
  await expect(load).rejects.toThrow(BundleError);
  await expect(load).rejects.toMatchObject({ file, message });
}

describe('round trip', () => {
  it('a trained model scores identically after save and load', async () => {
    const { trainer, table } = await fittedLinearBudget(3, 120, 40);
    const manifest = await trainer.save(dir);

    const loaded = await loadLinearModel(dir);
    expect(loaded.predict(table)).toEqual(trainer.predict(table));
    expect(loaded.schema.toJSON()).toEqual(trainer.featureSchema.toJSON());

    const bundle = await loadBundle(dir, { kind: 'budget' });
    expect(bundle.manifest).toEqual(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
    expect(manifest.kind).toBe('budget');
    expect(bundle.manifest.target).toBe('return');
    expect(bundle.manifest.params).toEqual(trainer.params);
    expect(bundle.metrics).toEqual(trainer.result.metrics);
    expect(bundle.manifest.config).toEqual(JSON.parse(JSON.stringify(trainer.config)));
    expect(bundle.state['training.json']).toEqual({ link: 'identity' });
  });

  it('records the target column fit() was given', async () => {
    const config = applyOverrides('budget', budgetOptimizerDefaults, {
      features: { numerical: ['current_spend'], categorical: ['channel_id'] },
      hyperparameters: { lightgbm: { n_estimators: 3 } },
    });
    const trainer = new LinearBudgetTrainer({ config });
    await trainer.fit(tableOf({ current_spend: [1, 2, 3, 4], channel_id: ['a', 'b', 'a', 'b'], revenue: [2, 4, 6, 8] }), { target: 'revenue' });
    await trainer.save(dir);
    expect((await loadBundle(dir, { kind: 'budget' })).manifest.target).toBe('revenue');
  });

  it('writes the manifest fields the architecture names, with the sha256 of every file', async () => {
    const before = Date.now();
    await saveBundle(dir, sampleBundle('a', 1.5));
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const corePackage = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8'));
    expect(manifest.format).toBe('kdap-model-bundle');
    expect(manifest.format_version).toBe(2);
    expect(manifest.kind).toBe('budget');
    expect(manifest.versions).toEqual({ '@kdap/core': corePackage.version, lightgbm: '4.7.0' });
    expect(CORE_VERSION).toBe(corePackage.version);
    expect(Date.parse(manifest.created_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(manifest.target).toBe('return');
    expect(manifest.params).toEqual({ num_leaves: 31, learning_rate: 0.05 });
    // NaN has no JSON form: stored as null, read back as NaN.
    expect(manifest.metrics).toEqual({ rmse: 1.5, r2: null });
    expect((await loadBundle(dir, { kind: 'budget' })).metrics.r2).toBeNaN();
    expect(manifest.feature_schema.features.map((f: { name: string }) => f.name)).toEqual(['current_spend', 'channel_id']);
    expect(Object.keys(manifest.files).sort()).toEqual(['MLmodel', 'model.txt', 'state/calibration.json']);
    for (const [file, entry] of Object.entries(manifest.files as Record<string, { sha256: string; bytes: number }>)) {
      expect(entry.sha256).toBe(sha256(join(dir, file)));
      expect(entry.bytes).toBe(readFileSync(join(dir, file)).byteLength);
    }
    expect(readFileSync(join(dir, 'model.txt'), 'utf8')).toBe('tree for a\n');
  });

  it('writes an MLmodel with the native flavor and a python_function loader', async () => {
    await saveBundle(dir, sampleBundle('a', 1));
    const mlmodel = parse(readFileSync(join(dir, 'MLmodel'), 'utf8'));
    expect(mlmodel.flavors.lightgbm).toEqual({ code: null, data: 'model.txt', lgb_version: '4.7.0', model_class: 'lightgbm.basic.Booster' });
    expect(mlmodel.flavors.python_function).toEqual({ data: 'model.txt', loader_module: 'mlflow.lightgbm' });
    expect(mlmodel.mlflow_version).toBe('2.19.0');
    expect(mlmodel.model_uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(mlmodel.utc_time_created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  });

  it('replaces an existing bundle, leaving nothing else behind', async () => {
    await saveBundle(dir, sampleBundle('first', 1));
    await saveBundle(dir, sampleBundle('second', 2));
    expect((await loadBundle(dir, { kind: 'budget' })).modelFiles['model.txt']!.toString()).toBe('tree for second\n');
    expect(readdirSync(root)).toEqual(['model']);
  });

  it('streams a model given as chunks', async () => {
    const chunks = [Buffer.from('part one\n'), Buffer.from('part two\n')];
    await saveBundle(dir, sampleBundle('a', 1, chunks));
    expect((await loadBundle(dir, { kind: 'budget' })).modelFiles['model.txt']!.toString()).toBe('part one\npart two\n');
  });
});

describe('refusals on load', () => {
  beforeEach(async () => {
    await saveBundle(dir, sampleBundle('a', 1));
  });

  it('a modified file (same size)', async () => {
    writeFileSync(join(dir, 'model.txt'), 'tree for b\n');
    const file = readFileSync(join(dir, 'manifest.json'), 'utf8');
    const recorded = JSON.parse(file).files['model.txt'].sha256;
    await expectRefusal('model.txt', `Model bundle '${dir}': model.txt has been modified: its SHA-256 is ${sha256(join(dir, 'model.txt'))}, manifest.json records ${recorded}.`);
  });

  it('a truncated file', async () => {
    truncateSync(join(dir, 'state', 'calibration.json'), 10);
    const bytes = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).files['state/calibration.json'].bytes;
    await expectRefusal('state/calibration.json', `Model bundle '${dir}': state/calibration.json is truncated: 10 bytes, manifest.json records ${bytes}.`);
  });

  it('a file that grew', async () => {
    appendFileSync(join(dir, 'MLmodel'), 'extra: 1\n');
    await expect(loadBundle(dir, { kind: 'budget' })).rejects.toThrow(/MLmodel is longer than recorded: \d+ bytes, manifest.json records \d+\./);
  });

  it('a missing file', async () => {
    unlinkSync(join(dir, 'model.txt'));
    await expectRefusal('model.txt', `Model bundle '${dir}': model.txt is missing (listed in manifest.json).`);
  });

  it('a file the manifest does not list', async () => {
    writeFileSync(join(dir, 'payload.py'), 'import os\n');
    await expectRefusal('payload.py', `Model bundle '${dir}': payload.py is not listed in manifest.json: the bundle has been altered. Save it again.`);
  });

  it('a symbolic link', async () => {
    symlinkSync('/etc/passwd', join(dir, 'state', 'link.json'));
    await expectRefusal('state/link.json', `Model bundle '${dir}': state/link.json is not a regular file (a link or device); bundles hold plain files only.`);
  });

  it('a truncated manifest', async () => {
    const text = readFileSync(join(dir, 'manifest.json'), 'utf8');
    writeFileSync(join(dir, 'manifest.json'), text.slice(0, 100));
    await expect(loadBundle(dir, { kind: 'budget' })).rejects.toThrow(new RegExp(`^Model bundle '${escape(dir)}': manifest.json is not valid JSON \\(truncated or corrupted\\): `));
  });

  it('a manifest that names a file outside the bundle (even with its checksum recomputed)', async () => {
    resealManifest(dir, (manifest) => {
      manifest.files['../outside.txt'] = manifest.files['model.txt'];
    });
    await expectRefusal('../outside.txt', `Model bundle '${dir}': manifest.json: '../outside.txt' is not a plain relative file name inside the bundle.`);
  });

  it('a bundle of another model kind', async () => {
    const load = loadBundle(dir, { kind: 'propensity' });
    await expect(load).rejects.toThrow(BundleError);
    await expect(load).rejects.toThrow(
      `Model bundle '${dir}': manifest.json says this bundle holds a 'budget' model, not a 'propensity' model. Load it with the budget model class.`,
    );
  });

  it('a newer format version', async () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const newer = BUNDLE_FORMAT_VERSION + 1;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, format_version: newer }));
    await expectRefusal('manifest.json', `Model bundle '${dir}': manifest.json has format version ${newer}; this @kdap/core reads version ${BUNDLE_FORMAT_VERSION}. Upgrade @kdap/core to load it.`);
  });

  it('an older format version (1: no manifest checksum)', async () => {
    const { integrity: _integrity, ...manifest } = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, format_version: 1 }));
    await expectRefusal(
      'manifest.json',
      `Model bundle '${dir}': manifest.json has format version 1, written by an older @kdap/core without a manifest checksum; this @kdap/core reads version ${BUNDLE_FORMAT_VERSION}. Train and save the model again.`,
    );
  });

  it('a malformed manifest', async () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, target: 5 }));
    await expect(loadBundle(dir, { kind: 'budget' })).rejects.toThrow(`Model bundle '${dir}': manifest.json is malformed: target:`);
  });

  it('a foreign directory', async () => {
    const foreign = join(root, 'mlflow-model');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'manifest.json'), JSON.stringify({ name: 'something else' }));
    await expect(loadBundle(foreign, { kind: 'budget' })).rejects.toThrow(
      `Model bundle '${foreign}': manifest.json does not describe a KDAP model bundle (format is null, expected "kdap-model-bundle").`,
    );
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await expect(loadBundle(empty, { kind: 'budget' })).rejects.toThrow(
      `Model bundle '${empty}': manifest.json is missing, so this is not a KDAP model bundle (or its save never finished).`,
    );
    await expect(loadBundle(join(root, 'nowhere'), { kind: 'budget' })).rejects.toThrow(`There is no model bundle at '${join(root, 'nowhere')}': the directory does not exist.`);
  });

  it('reads state as data only: JSON that looks like code stays a string, __proto__ pollutes nothing', async () => {
    const state = join(dir, 'state', 'calibration.json');
    writeFileSync(state, '{"__proto__": {"polluted": true}, "fn": "() => process.exit(1)"}');
    resealManifest(dir, (manifest) => {
      manifest.files['state/calibration.json'] = { sha256: sha256(state), bytes: readFileSync(state).byteLength, role: 'state' };
    });
    const bundle = await loadBundle(dir, { kind: 'budget' });
    expect((bundle.state['calibration.json'] as { fn: unknown }).fn).toBe('() => process.exit(1)');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('names a bad kind option with a ParameterError', async () => {
    await expect(loadBundle(dir, { kind: 'budgte' as 'budget' })).rejects.toThrow(ParameterError);
    await expect(loadBundle(dir, { kind: 'budgte' as 'budget' })).rejects.toThrow(
      "The 'kind' option of loadBundle must be one of 'budget', 'propensity', 'anomaly'. Got 'budgte'. Did you mean 'budget'?",
    );
  });
});

describe('refusals on save', () => {
  it('never replaces a directory that is not a bundle', async () => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const save = saveBundle(dir, sampleBundle('a', 1));
    await expect(save).rejects.toThrow(BundleError);
    await expect(save).rejects.toThrow(`saveBundle will not replace '${dir}': it is not empty and not a KDAP model bundle. Choose a new or empty directory.`);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('checks the contents', async () => {
    const bundle = sampleBundle('a', 1);
    await expect(saveBundle(dir, { ...bundle, modelFiles: { '../x.txt': 'x' } })).rejects.toThrow("saveBundle: '../x.txt' is not a plain relative file name inside the bundle.");
    await expect(saveBundle(dir, { ...bundle, modelFiles: { 'manifest.json': 'x' }, mlflow: { ...bundle.mlflow, data: 'manifest.json' } })).rejects.toThrow(
      "saveBundle reserves the name 'manifest.json' for the bundle itself. Name the model file differently.",
    );
    await expect(saveBundle(dir, { ...bundle, mlflow: { ...bundle.mlflow, data: 'model.lgb' } })).rejects.toThrow(
      "The MLflow flavor loads 'model.lgb', which is not one of the model files (model.txt).",
    );
    expect(readdirSync(root)).toEqual([]);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
