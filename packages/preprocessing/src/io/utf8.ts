import { DataError } from '../errors';

/**
 * Decodes UTF-8 strictly; invalid bytes are a DataError naming the first bad line, because
 * replacement characters would silently become new categories.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const lossy = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    const at = lossy.indexOf('\uFFFD');
    const line = at < 0 ? undefined : lossy.slice(0, at).split('\n').length;
    throw new DataError(
      `Cannot read '${file}'${line !== undefined ? ` at line ${line}` : ''}: the file is not UTF-8 text. Re-save it as UTF-8.`,
      { file, ...(line !== undefined ? { line } : {}) },
    );
  }
}
