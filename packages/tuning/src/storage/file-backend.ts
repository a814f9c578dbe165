import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { DataError, UsageError } from '@kdap/errors';
import type { JournalBackend, JournalOp } from './journal-storage';
import { parsePythonJson, stringifyPythonJson } from './python-json';

/** Optuna's lock-file suffix: a symlink `<journal>.lock` exists while a writer appends. */
const LOCK_SUFFIX = '.lock';
const RENAME_SUFFIX = '.renamed';
/** A lock held longer than this belongs to a process that died while appending (an append takes milliseconds). */
const STALE_LOCK_MS = 60_000;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

/**
 * Optuna's JournalFileBackend: one JSON operation per line, appended under Optuna's symlink lock
 * (`JournalFileSymlinkLock`), so TypeScript and Python processes can share one study file. Readers need no
 * lock: they read whole lines past their offset and leave a torn last line for the next read.
 */
export class JournalFileBackend implements JournalBackend {
  private offset = 0;
  private lineNumber = 0;
  private readonly lockPath: string;

  constructor(readonly path: string) {
    if (typeof path !== 'string' || path === '') throw new UsageError(`The journal file path must be a non-empty string. Got ${JSON.stringify(path)}.`);
    this.lockPath = path + LOCK_SUFFIX;
    fs.closeSync(fs.openSync(path, 'a'));
  }

  readNew(): JournalOp[] {
    const size = fs.statSync(this.path).size;
    if (size <= this.offset) return [];
    const buffer = Buffer.alloc(size - this.offset);
    const fd = fs.openSync(this.path, 'r');
    try {
      let got = 0;
      while (got < buffer.length) {
        const n = fs.readSync(fd, buffer, got, buffer.length - got, this.offset + got);
        if (n === 0) break;
        got += n;
      }
    } finally {
      fs.closeSync(fd);
    }
    const ops: JournalOp[] = [];
    let start = 0;
    for (;;) {
      const end = buffer.indexOf(10, start);
      if (end < 0) break;
      const line = buffer.toString('utf8', start, end);
      this.lineNumber++;
      try {
        ops.push(parsePythonJson(line) as JournalOp);
      } catch (error) {
        throw new DataError(`Line ${this.lineNumber} of the journal '${this.path}' is not a JSON operation: ${(error as Error).message}. The file is damaged; restore it from a copy.`, { file: this.path, line: this.lineNumber }, { cause: error });
      }
      start = end + 1;
    }
    this.offset += start;
    return ops;
  }

  append(ops: readonly JournalOp[]): void {
    const text = ops.map((op) => stringifyPythonJson(op)).join('\n') + '\n';
    this.lock();
    try {
      // One write() on an O_APPEND descriptor: other readers see whole lines or nothing.
      const fd = fs.openSync(this.path, 'a');
      try {
        fs.writeSync(fd, text);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } finally {
      this.unlock();
    }
  }

  private lock(): void {
    let wait = 1;
    for (;;) {
      try {
        fs.symlinkSync(this.path, this.lockPath);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      let age = 0;
      try {
        age = Date.now() - fs.lstatSync(this.lockPath).mtimeMs;
      } catch {
        continue;
      }
      if (age > STALE_LOCK_MS) {
        throw new UsageError(
          `The journal '${this.path}' has been locked for ${Math.round(age / 1000)} s by '${this.lockPath}'. A process died while appending to it. If no process is writing to this study, delete '${this.lockPath}' and retry.`,
        );
      }
      sleepSync(wait);
      wait = Math.min(wait * 2, 1000);
    }
  }

  private unlock(): void {
    // Rename first, as Optuna does, so a concurrent writer never deletes a lock another one just took.
    const aside = `${this.lockPath}${randomUUID()}${RENAME_SUFFIX}`;
    fs.renameSync(this.lockPath, aside);
    fs.unlinkSync(aside);
  }
}
