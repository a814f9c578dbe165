import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BundleError, ParameterError } from '@kdap/errors';
import { MODEL_KINDS } from '../config/model-kind';
import { CORE_VERSION } from '../version';
import type { BundleContents, FileContent } from './bundle-contents';
import { checkBundleFileName, previousPath } from './bundle-paths';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, MANIFEST_FILE, MLMODEL_FILE, STATE_DIR, type BundleFileEntry, type BundleManifest } from './manifest';
import { canonicalManifest, manifestHmac, manifestSha256, resolveBundleKey, type BundleKey } from './manifest-integrity';
import { mlmodelText } from './mlmodel';

/** Points in a save where a test may stop the process (crash simulation). */
export type SaveStage = 'temp-written' | 'old-moved-aside' | 'new-moved-in';

export interface SaveBundleOptions {
  /**
   * Signs the manifest (HMAC-SHA256) with this key; default: `KDAP_BUNDLE_KEY` when set. Without
   * either, the bundle is saved unsigned (checksummed only).
   */
  signingKey?: BundleKey;
}

/** Internal: not part of the public surface. */
export interface SaveBundleInternals {
  onStage?: (stage: SaveStage) => void;
}

/**
 * Writes a model bundle to `dir`: every file goes to a temporary sibling directory first, which is
 * then renamed into place, so a crash mid-save leaves the previous bundle intact. An existing
 * bundle is moved to `<dir>.previous`, the new one renamed in, then the old one removed; if the
 * process dies between the two renames, `loadBundle` reads `<dir>.previous` and the next save
 * puts it back. The manifest records every file's SHA-256 and its own checksum, and its signature
 * when a key is given (`signingKey` or `KDAP_BUNDLE_KEY`).
 *
 * @returns the manifest written.
 * @throws BundleError if `dir` exists and is not a bundle (it is never replaced then).
 */
export async function saveBundle(dir: string, contents: BundleContents, options: SaveBundleOptions & SaveBundleInternals = {}): Promise<BundleManifest> {
  checkContents(contents);
  const key = resolveBundleKey(options.signingKey, 'saveBundle');
  const internals: SaveBundleInternals = options;
  const target = resolve(dir);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  await recoverInterruptedSave(target);
  await refuseNonBundle(target, dir);
  await removeAbandonedTemps(parent, basename(target));

  // The pid in the name lets a later save tell an abandoned temporary copy from one in progress.
  const tmp = await mkdtemp(join(parent, `.${basename(target)}.tmp-${process.pid}-`));
  try {
    const created = new Date();
    const stateNames = Object.keys(contents.state ?? {});
    if (stateNames.length > 0) await mkdir(join(tmp, STATE_DIR));
    const pending: Array<{ name: string; path: string; content: FileContent; role: BundleFileEntry['role'] }> = [
      ...Object.entries(contents.modelFiles).map(([name, content]) => ({ name, path: join(tmp, name), content, role: 'model' as const })),
      ...stateNames.map((name) => ({
        name: `${STATE_DIR}/${name}`,
        path: join(tmp, STATE_DIR, name),
        content: `${JSON.stringify(contents.state![name], null, 2)}\n`,
        role: 'state' as const,
      })),
      { name: MLMODEL_FILE, path: join(tmp, MLMODEL_FILE), content: mlmodelText(contents.mlflow, created), role: 'mlflow' },
    ];
    // Written and fsynced side by side (libuv's pool runs the fsyncs in parallel: one after another
    // they were 40-50 ms of a propensity save); every one is settled before anything goes on.
    const written = await Promise.allSettled(pending.map((f) => writeFile(f.path, f.content)));
    const failed = written.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const files: Record<string, BundleFileEntry> = {};
    pending.forEach((f, i) => {
      files[f.name] = { ...(written[i] as PromiseFulfilledResult<{ sha256: string; bytes: number }>).value, role: f.role };
    });

    const covered: Omit<BundleManifest, 'integrity'> = {
      format: BUNDLE_FORMAT,
      format_version: BUNDLE_FORMAT_VERSION,
      kind: contents.kind,
      created_at: created.toISOString(),
      versions: { '@kdap/core': CORE_VERSION, ...contents.versions },
      feature_schema: { features: contents.featureSchema.features.map((f) => ({ ...f, categories: f.categories ? [...f.categories] : undefined })), policy: { ...contents.featureSchema.policy } },
      target: contents.target,
      params: { ...contents.params },
      metrics: Object.fromEntries(Object.entries(contents.metrics).map(([k, v]) => [k, Number.isFinite(v) ? v : null])),
      config: contents.config,
      columns: Object.fromEntries(Object.entries(contents.columns ?? {}).map(([role, c]) => [role, typeof c === 'string' ? c : [...c]])),
      files,
    };
    // Hash what a reader will parse (JSON drops undefined members and turns NaN into null).
    const canonical = canonicalManifest(JSON.parse(JSON.stringify(covered)) as Record<string, unknown>);
    const manifest: BundleManifest = {
      ...covered,
      integrity: { canonical: 'json-sorted-keys', sha256: manifestSha256(canonical), hmac_sha256: key === undefined ? null : manifestHmac(canonical, key) },
    };
    // The manifest goes last: a directory without one is never mistaken for a bundle.
    await writeFile(join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await syncDirectory(tmp);
    internals.onStage?.('temp-written');

    if (existsSync(target)) {
      const previous = previousPath(target);
      await rename(target, previous);
      internals.onStage?.('old-moved-aside');
      await rename(tmp, target);
      internals.onStage?.('new-moved-in');
      await syncDirectory(parent);
      await rm(previous, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
      await syncDirectory(parent);
    }
    return manifest;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

function checkContents(contents: BundleContents): void {
  if (!(MODEL_KINDS as readonly string[]).includes(contents.kind)) {
    throw new ParameterError('kind', `The 'kind' field of saveBundle's contents must be one of ${MODEL_KINDS.map((k) => `'${k}'`).join(', ')}. Got '${String(contents.kind)}'.`);
  }
  const names = Object.keys(contents.modelFiles);
  if (names.length === 0) throw new ParameterError('modelFiles', "The 'modelFiles' field of saveBundle's contents must name at least one native model file. Got none.");
  for (const name of [...names, ...Object.keys(contents.state ?? {})]) {
    checkBundleFileName(name, 'saveBundle');
    if (name.includes('/')) throw new ParameterError(name, `saveBundle writes files at the bundle root; '${name}' contains a '/'. Use a plain file name.`);
    if (name === MANIFEST_FILE || name === MLMODEL_FILE || name === STATE_DIR) {
      throw new ParameterError(name, `saveBundle reserves the name '${name}' for the bundle itself. Name the model file differently.`);
    }
  }
  if (!names.includes(contents.mlflow.data)) {
    throw new ParameterError('mlflow', `The MLflow flavor loads '${contents.mlflow.data}', which is not one of the model files (${names.join(', ')}).`);
  }
}

/** A previous save died between its two renames: put the old bundle back before anything else. */
async function recoverInterruptedSave(target: string): Promise<void> {
  const previous = previousPath(target);
  if (!existsSync(previous)) return;
  if (existsSync(target)) await rm(previous, { recursive: true, force: true });
  else await rename(previous, target);
}

/** Temporary copies left by saves whose process died (a crash mid-save); live savers' copies stay. */
async function removeAbandonedTemps(parent: string, name: string): Promise<void> {
  const prefix = `.${name}.tmp-`;
  for (const entry of await readdir(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) await rm(join(parent, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Replacing moves the directory away and deletes it: only ever do that to a bundle (or an empty dir). */
async function refuseNonBundle(target: string, shown: string): Promise<void> {
  if (!existsSync(target)) return;
  const info = await stat(target);
  if (!info.isDirectory()) throw new BundleError(shown, `saveBundle will not replace '${shown}': it is a file, not a model bundle directory.`);
  const entries = await readdir(target);
  if (entries.length === 0) return;
  let format: unknown;
  try {
    format = (JSON.parse(await readFile(join(target, MANIFEST_FILE), 'utf8')) as { format?: unknown }).format;
  } catch {
    format = undefined;
  }
  if (format !== BUNDLE_FORMAT) {
    throw new BundleError(shown, `saveBundle will not replace '${shown}': it is not empty and not a KDAP model bundle. Choose a new or empty directory.`);
  }
}

async function writeFile(path: string, content: FileContent): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const handle = await open(path, 'wx');
  try {
    const write = async (chunk: Uint8Array) => {
      hash.update(chunk);
      bytes += chunk.byteLength;
      let offset = 0;
      while (offset < chunk.byteLength) offset += (await handle.write(chunk, offset)).bytesWritten;
    };
    if (typeof content === 'string') await write(Buffer.from(content, 'utf8'));
    else if (content instanceof Uint8Array) await write(content);
    else if (Symbol.asyncIterator in content) for await (const chunk of content) await write(chunk);
    else for (const chunk of content) await write(chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Makes renames and new entries durable (a power cut, not just a crash, keeps one bundle). */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems cannot fsync a directory; the rename protocol still holds for crashes.
  } finally {
    await handle.close();
  }
}
