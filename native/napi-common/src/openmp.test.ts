import { readdirSync } from 'node:fs';
import { defaultThreadCount, otherRunnableTasks, ownRunnableThreads, SINGLE_THREAD_ROWS } from './openmp';

describe('default thread policy', () => {
  it('uses the idle cores: all when idle, fewer next to competing work, at least one', () => {
    expect(defaultThreadCount({ cores: 2, others: 0 })).toBe(2);
    expect(defaultThreadCount({ cores: 2, others: 1 })).toBe(1);
    expect(defaultThreadCount({ cores: 8, others: 3 })).toBe(5);
    expect(defaultThreadCount({ cores: 2, others: 30 })).toBe(1);
  });

  it('uses one thread for small data, whatever the machine', () => {
    expect(defaultThreadCount({ cores: 8, others: 0, rows: SINGLE_THREAD_ROWS - 1 })).toBe(1);
    expect(defaultThreadCount({ cores: 8, others: 0, rows: SINGLE_THREAD_ROWS })).toBe(8);
  });

  it('counts the other runnable tasks from /proc/loadavg (median of 5 reads, without the reader)', () => {
    const reads = ['0.5 0.4 0.3 3/200 1', '0.5 0.4 0.3 2/200 1', '0.5 0.4 0.3 9/200 1', '0.5 0.4 0.3 2/200 1', '0.5 0.4 0.3 1/200 1'];
    let k = 0;
    expect(otherRunnableTasks(() => reads[k++]!, () => 1)).toBe(1);
    expect(otherRunnableTasks(() => { throw new Error('no /proc'); })).toBeUndefined();
    expect(otherRunnableTasks(() => 'garbage')).toBeUndefined();
  });

  it("does not count this process's own runnable threads (e.g. V8's GC helpers) as competitors", () => {
    // 4 runnable system-wide, 3 of them this process's: one other task, in every read.
    expect(otherRunnableTasks(() => '0.5 0.4 0.3 4/200 1', () => 3)).toBe(1);
    // Only this process runs: none.
    expect(otherRunnableTasks(() => '0.5 0.4 0.3 3/200 1', () => 3)).toBe(0);
    // Without /proc/self/task, the reader alone is taken off.
    expect(otherRunnableTasks(() => '0.5 0.4 0.3 3/200 1', () => undefined)).toBe(2);
  });

  it("counts this process's runnable threads (Linux): the reader at least, at most all its threads", () => {
    const own = ownRunnableThreads();
    if (own === undefined) return expect(process.platform).not.toBe('linux');
    expect(own).toBeGreaterThanOrEqual(1);
    expect(own).toBeLessThanOrEqual(readdirSync('/proc/self/task').length);
  });

  it('reads this machine (Linux): a count >= 0', () => {
    const others = otherRunnableTasks();
    expect(others === undefined || (Number.isInteger(others) && others >= 0)).toBe(true);
  });
});
