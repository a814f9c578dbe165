import { isAbsolute, normalize, sep } from 'node:path';
import { BundleError } from '@kdap/errors';

/** The sibling a bundle being replaced is moved to, so a crash never leaves no bundle at all. */
export function previousPath(dir: string): string {
  return `${dir}.previous`;
}

/**
 * A file name inside the bundle must stay inside it: relative, no '..', forward slashes. This is
 * checked on save (a caller's mistake) and on load (a tampered manifest must not read elsewhere).
 */
export function checkBundleFileName(name: string, where: string): void {
  const normal = normalize(name);
  if (name === '' || isAbsolute(name) || normal.startsWith('..') || normal.split(sep).includes('..') || name.includes('\\') || name !== normal) {
    throw new BundleError(name, `${where}: '${name}' is not a plain relative file name inside the bundle.`);
  }
}
