import type { JournalBackend, JournalOp } from './journal-storage';

/** The journal kept in this process only. */
export class MemoryJournalBackend implements JournalBackend {
  private readonly ops: JournalOp[] = [];
  private read = 0;

  readNew(): JournalOp[] {
    const fresh = this.ops.slice(this.read);
    this.read = this.ops.length;
    return fresh;
  }

  append(ops: readonly JournalOp[]): void {
    this.ops.push(...ops);
  }
}
