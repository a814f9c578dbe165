import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Writes through a temporary file in the target's directory, renamed into place on success, so a
 * reader never sees a half-written file and a failure leaves the old file intact.
 */
export async function writeAtomically(target: string, write: (temporaryPath: string) => Promise<void> | void): Promise<void> {
  const directory = path.dirname(path.resolve(target));
  const temporaryPath = path.join(directory, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await write(temporaryPath);
    fs.renameSync(temporaryPath, target);
  } catch (error) {
    fs.rmSync(temporaryPath, { force: true });
    throw error;
  }
}
