import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';

/** A file of a directory to upload: its path relative to the directory (with `/`) and size. */
export interface UploadFile {
  relative: string;
  absolute: string;
  bytes: number;
}

/**
 * The files under `dir`, sorted, minus those a `.dockerignore`-style pattern list excludes
 * (`*`, `?`, `**`, `!` to re-include; a pattern matching a directory excludes what is under it).
 */
export async function listFiles(dir: string, ignore: readonly string[] = []): Promise<UploadFile[]> {
  const rules = ignore
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => ({ negate: line.startsWith('!'), pattern: globToRegExp(line.replace(/^!/, '').replace(/^\/+|\/+$/g, '')) }));
  const ignored = (relative: string) => {
    let out = false;
    const parts = relative.split('/');
    for (const rule of rules) {
      for (let i = 1; i <= parts.length; i++) {
        if (rule.pattern.test(parts.slice(0, i).join('/'))) {
          out = !rule.negate;
          break;
        }
      }
    }
    return out;
  };
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: UploadFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const absolute = path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    const relative = path.relative(dir, absolute).split(path.sep).join('/');
    if (!ignored(relative)) files.push({ relative, absolute, bytes: 0 });
  }
  files.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
  return files;
}

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** SHA-256 over the files' relative paths and contents: the same tree gives the same digest. */
export async function directoryDigest(files: readonly UploadFile[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    const content = await readFile(file.absolute);
    file.bytes = content.length;
    hash.update(`${file.relative}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}

/**
 * Uploads the files to `<prefix>/<relative path>` in the container (block blobs, overwritten: the
 * prefix holds the content's digest, so the same name always means the same bytes).
 */
export async function uploadFiles(container: ContainerClient, files: readonly UploadFile[], prefix: string, onFile?: (file: UploadFile, index: number) => void): Promise<number> {
  let bytes = 0;
  for (const [index, file] of files.entries()) {
    const blob = container.getBlockBlobClient(`${prefix}/${file.relative}`);
    await blob.uploadFile(file.absolute);
    bytes += file.bytes;
    onFile?.(file, index);
  }
  return bytes;
}
