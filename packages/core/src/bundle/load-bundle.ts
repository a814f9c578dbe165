import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BundleError, closest, ParameterError } from '@kdap/errors';
import { MODEL_KINDS, type ModelKind } from '../config/model-kind';
import { FeatureSchema } from '../schema/feature-schema';
import { checkBundleFileName, previousPath } from './bundle-paths';
import { BUNDLE_KEY_ENV, canonicalManifest, manifestHmac, manifestSha256, resolveBundleKey, sameDigest, type BundleKey, type BundleSignatureStatus } from './manifest-integrity';
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
  /** The trainer's `columns` option (role -> the user's column name(s)); {} when none was given. */
  columns: Record<string, string | string[]>;
  /**
   * Whether the manifest's signature was checked: 'verified' (with a key), 'unverified' (signed,
   * loaded without a key: only the checksum was checked) or 'unsigned'. Show it to whoever relies
   * on the model: only 'verified' says the bundle has not been tampered with.
   */
  signature: BundleSignatureStatus;
}

export interface LoadBundleOptions {
  /** The model kind the caller expects; a bundle of another kind is refused. */
  kind: ModelKind;
  /**
   * Requires a manifest signed with this key; default: `KDAP_BUNDLE_KEY` when set. With a key, an
   * unsigned bundle or one signed with another key is refused. Without one, a signed bundle loads
   * with `signature: 'unverified'` (its checksum is still checked).
   */
  signingKey?: BundleKey;
}

/**
 * Reads and verifies a model bundle: format and version, the manifest's checksum (and signature
 * when a key is given), model kind, every file's size and SHA-256 against the manifest, and no
 * file the manifest does not list.
 *
 * @throws BundleError naming the file and the reason (missing, truncated, modified, edited manifest, unsigned or
 *   wrongly signed with a key, foreign, older or newer format, other kind).
 * @throws ParameterError / ConfigError for an unusable `signingKey` option or `KDAP_BUNDLE_KEY`.
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
  const key = resolveBundleKey(options.signingKey, 'loadBundle');
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
  if (typeof head.format_version === 'number' && head.format_version < BUNDLE_FORMAT_VERSION) {
    throw fail(
      MANIFEST_FILE,
      `has format version ${head.format_version}, written by an older @kdap/core without a manifest checksum; this @kdap/core reads version ${BUNDLE_FORMAT_VERSION}. Train and save the model again.`,
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw fail(MANIFEST_FILE, `is malformed: ${issue.path.join('.') || '(top level)'}: ${issue.message}.`);
  }
  const manifest = parsed.data;
  const signature = checkIntegrity(raw as Record<string, unknown>, manifest, key, fail);
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
  return { dir: root, manifest, featureSchema: FeatureSchema.fromJSON(manifest.feature_schema), metrics, modelFiles, state, columns: manifest.columns ?? {}, signature };
}

/**
 * The manifest as read must hash to its recorded checksum; with a key it must also carry a
 * matching HMAC. The checksum is recomputed from the bytes parsed (raw), not from the validated
 * copy, so nothing the schema might normalize escapes it.
 */
function checkIntegrity(raw: Record<string, unknown>, manifest: BundleManifest, key: Buffer | undefined, fail: (file: string, reason: string) => BundleError): BundleSignatureStatus {
  const canonical = canonicalManifest(raw);
  const sha256 = manifestSha256(canonical);
  if (!sameDigest(sha256, manifest.integrity.sha256)) {
    throw fail(
      MANIFEST_FILE,
      `has been changed since it was saved: the SHA-256 of its contents is ${sha256}, its integrity.sha256 records ${manifest.integrity.sha256}. ` +
        'Restore the original manifest.json or train and save the model again. (This checksum catches accidental edits; only a signed bundle, see KDAP_BUNDLE_KEY, proves it was not edited on purpose.)',
    );
  }
  const recorded = manifest.integrity.hmac_sha256;
  if (key === undefined) return recorded === null ? 'unsigned' : 'unverified';
  if (recorded === null) {
    throw fail(
      MANIFEST_FILE,
      `is not signed, and a bundle key is set (${BUNDLE_KEY_ENV} or the signingKey option), so the bundle is refused: anyone could have written it. Save the model again with the key to sign it.`,
    );
  }
  if (!sameDigest(manifestHmac(canonical, key), recorded)) {
    throw fail(
      MANIFEST_FILE,
      `has a signature that does not match the bundle key (${BUNDLE_KEY_ENV} or the signingKey option): it was signed with another key or altered after signing, so the bundle is refused. Load it with the key it was saved with, or save the model again with this key.`,
    );
  }
  return 'verified';
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
