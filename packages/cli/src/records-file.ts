import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ParameterError } from '@kdap/errors';

/**
 * Writes records as a JSON array (.json) or one object per line (.ndjson/.jsonl), atomically:
 * a temporary file beside the target, renamed into place, so a reader never sees half a file.
 * Non-finite numbers become null (JSON has no NaN).
 */
export async function writeRecordsFile(file: string, records: readonly Record<string, unknown>[]): Promise<void> {
  const lower = file.toLowerCase();
  const lines = lower.endsWith('.ndjson') || lower.endsWith('.jsonl');
  if (!lines && !lower.endsWith('.json')) {
    throw new ParameterError('output', `Records are written as .json, .ndjson or .jsonl. Got '${path.basename(file)}'.`);
  }
  const replacer = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
  const text = lines ? records.map((r) => JSON.stringify(r, replacer)).join('\n') + '\n' : `${JSON.stringify(records, replacer, 0)}\n`;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
