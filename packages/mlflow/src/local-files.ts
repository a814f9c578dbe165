import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Every file under `dir`, recursively, sorted (what an artifact upload sends). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

/**
 * Sends every file under `localDir` through `upload` at `destination`/<its path below localDir>
 * (forward slashes), keeping the layout; both tracking backends upload directories this way.
 *
 * @returns the artifact paths written.
 */
export async function uploadFiles(localDir: string, destination: string, upload: (path: string, content: Uint8Array) => Promise<void>): Promise<string[]> {
  const written: string[] = [];
  for (const file of await listFiles(localDir)) {
    const rel = relative(localDir, file).split(sep).join('/');
    const path = destination === '' ? rel : `${destination}/${rel}`;
    await upload(path, await readFile(file));
    written.push(path);
  }
  return written;
}
