import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BundleError, closest, ParameterError } from '@kdap/errors';
import { MODEL_KINDS, type ModelKind } from '../config/model-kind';
import { FeatureSchema } from '../schema/feature-schema';
import { checkBundleFileName, previousPath } from './bundle-paths';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, MANIFEST_FILE, manifestSchema, STATE_DIR, type BundleManifest } from './manifest';

/** A verified bundle, ready for a model class to rebuild itself from. */
export interface LoadedBundle {
  /** The directory read (`<dir>.previous` after an interrupted save). */
  dir: string;
  manifest: BundleManifest;
  featureSchema: FeatureSchema;
  /** Manifest metrics with null restored to NaN. */
  metrics: Record<string, number>;
  /** Native model files, verbatim. */
  modelFiles: Record<string, Buffer>;
  /** JSON state files, parsed (JSON.parse only: nothing in a bundle is ever executed). */
  state: Record<string, unknown>;
}

export interface LoadBundleOptions {
  /** The model kind the caller expects; a bundle of another kind is refused. */
  kind: ModelKind;
}

/**
 * Reads and verifies a model bundle: format and version, model kind, every file's size and
 * SHA-256 against the manifest, and no file the manifest does not list.
 *
 * @throws BundleError naming the file and the reason (missing, truncated, modified, foreign, newer format, other kind).
 */
export async function loadBundle(dir: string, options: LoadBundleOptions): Promise<LoadedBundle> {
  if (!(MODEL_KINDS as readonly string[]).includes(options?.kind)) {
    const hint = closest(String(options?.kind), MODEL_KINDS);
    throw new ParameterError(
      'kind',
      `The 'kind' option of loadBundle must be one of ${MODEL_KINDS.map((k) => `'${k}'`).join(', ')}. Got ${options?.kind === undefined ? 'nothing' : `'${String(options.kind)}'`}.${hint ? ` Did you mean '${hint}'?` : ''}`,
    );
  }
  let root = resolve(dir);
  if (!existsSync(root)) {
    // A save that died between its two renames left the old bundle here; it is complete and verified below.
    if (existsSync(previousPath(root))) root = previousPath(root);
    else throw new BundleError(dir, `There is no model bundle at '${dir}': the directory does not exist.`);
  }
  const fail = (file: string, reason: string) => new BundleError(file, `Model bundle '${dir}': ${file} ${reason}`);

  let text: string;
  try {
    text = await readFile(join(root, MANIFEST_FILE), 'utf8');
  } catch {
    throw fail(MANIFEST_FILE, 'is missing, so this is not a KDAP model bundle (or its save never finished).');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw fail(MANIFEST_FILE, `is not valid JSON (truncated or corrupted): ${(e as Error).message}.`);
  }
  const head = raw as { format?: unknown; format_version?: unknown; kind?: unknown };
  if (head === null || typeof head !== 'object' || head.format !== BUNDLE_FORMAT) {
    throw fail(MANIFEST_FILE, `does not describe a KDAP model bundle (format is ${JSON.stringify(head?.format ?? null)}, expected "${BUNDLE_FORMAT}").`);
  }
  if (typeof head.format_version === 'number' && head.format_version > BUNDLE_FORMAT_VERSION) {
    throw fail(
      MANIFEST_FILE,
      `has format version ${head.format_version}; this @kdap/core reads version ${BUNDLE_FORMAT_VERSION}. Upgrade @kdap/core to load it.`,
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw fail(MANIFEST_FILE, `is malformed: ${issue.path.join('.') || '(top level)'}: ${issue.message}.`);
  }
  const manifest = parsed.data;
  if (manifest.kind !== options.kind) {
    throw fail(MANIFEST_FILE, `says this bundle holds a '${manifest.kind}' model, not a '${options.kind}' model. Load it with the ${manifest.kind} model class.`);
  }

  const onDisk = await listFiles(root, '', fail);
  const listed = new Set(Object.keys(manifest.files));
  for (const file of onDisk) {
    if (file !== MANIFEST_FILE && !listed.has(file)) throw fail(file, 'is not listed in manifest.json: the bundle has been altered. Save it again.');
  }
  const modelFiles: Record<string, Buffer> = {};
  const state: Record<string, unknown> = {};
  for (const [file, entry] of Object.entries(manifest.files)) {
    checkBundleFileName(file, `Model bundle '${dir}': manifest.json`);
    if (!onDisk.has(file)) throw fail(file, 'is missing (listed in manifest.json).');
    const bytes = await readFile(join(root, file));
    if (bytes.byteLength !== entry.bytes) {
      throw fail(file, `is ${bytes.byteLength < entry.bytes ? 'truncated' : 'longer than recorded'}: ${bytes.byteLength} bytes, manifest.json records ${entry.bytes}.`);
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== entry.sha256) throw fail(file, `has been modified: its SHA-256 is ${sha256}, manifest.json records ${entry.sha256}.`);
    if (entry.role === 'model') modelFiles[file] = bytes;
    if (entry.role === 'state') {
      try {
        state[file.slice(STATE_DIR.length + 1)] = JSON.parse(bytes.toString('utf8'));
      } catch (e) {
        throw fail(file, `is not valid JSON: ${(e as Error).message}.`);
      }
    }
  }
  const metrics = Object.fromEntries(Object.entries(manifest.metrics).map(([k, v]) => [k, v ?? Number.NaN]));
  return { dir: root, manifest, featureSchema: FeatureSchema.fromJSON(manifest.feature_schema), metrics, modelFiles, state };
}

/** Regular files under `root`, as 'a/b' paths; links and special files are refused (they could point outside). */
async function listFiles(root: string, prefix: string, fail: (file: string, reason: string) => BundleError): Promise<Set<string>> {
  const out = new Set<string>();
  for (const name of await readdir(join(root, prefix))) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const info = await lstat(join(root, rel));
    if (info.isDirectory()) for (const f of await listFiles(root, rel, fail)) out.add(f);
    else if (info.isFile()) out.add(rel);
    else throw fail(rel, 'is not a regular file (a link or device); bundles hold plain files only.');
  }
  return out;
}
